// Package hooks binds every Plaza feature to a PocketBase app. main.go and the
// tests call Register, so both run the same application.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/announce"
	"plaza/hooks/chat"
	"plaza/hooks/live"
	"plaza/hooks/market"
	"plaza/hooks/minihost"
	"plaza/hooks/moderation"
	"plaza/hooks/moments"
	"plaza/hooks/notify"
	"plaza/hooks/pay"
	"plaza/hooks/web"

	_ "plaza/pb_migrations" // the schema
)

// Register binds every feature, in order.
func Register(app core.App) {
	web.Register(app)
	live.Register(app)
	account.Register(app)
	chat.Register(app)
	moments.Register(app)
	pay.Register(app)
	market.Register(app)
	minihost.Register(app)
	moderation.Register(app)
	announce.Register(app)
	notify.Register(app)
}
