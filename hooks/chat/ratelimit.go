package chat

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// Sending is limited per member with a token bucket: a burst of 20, then
// refilled at 3 messages a second.
const (
	sendBurst = 20
	sendRate  = 3.0 // per second
)

const limiterKey = "plaza.chat.limiter"

// allowSend takes one token from member's bucket, if there is one.
func allowSend(app core.App, member string) bool {
	l := app.Store().GetOrSet(limiterKey, func() any { return web.NewLimiter(sendBurst, sendRate) }).(*web.Limiter)
	return l.Allow(member, time.Now())
}
