package chat

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Sending is limited per member with a token bucket: a burst of 20, then
// refilled at 3 messages a second.
const (
	sendBurst = 20
	sendRate  = 3.0 // per second
)

type bucket struct {
	tokens float64
	at     time.Time
}

type sendLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

const limiterKey = "plaza.chat.limiter"

// allowSend takes one token from member's bucket, if there is one.
func allowSend(app core.App, member string) bool {
	l := app.Store().GetOrSet(limiterKey, func() any { return &sendLimiter{buckets: map[string]*bucket{}} }).(*sendLimiter)
	return l.allow(member, time.Now())
}

func (l *sendLimiter) allow(member string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// Full buckets carry no information: forget them.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*sendRate >= sendBurst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[member]
	if !ok {
		b = &bucket{tokens: sendBurst, at: now}
		l.buckets[member] = b
	}
	b.tokens = min(sendBurst, b.tokens+now.Sub(b.at).Seconds()*sendRate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
