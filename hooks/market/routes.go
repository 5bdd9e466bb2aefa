// Package market is the member marketplace: listings, seller pages, orders
// and their payment through Stripe Checkout (hooks/pay), and sellers'
// Stripe Connect onboarding.
package market

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// Register binds the marketplace pages.
func Register(app core.App) {
	bindOrderEvents(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		bindListings(pages) // listings.go: browse, sell, edit, seller pages
		bindOrders(pages)   // orders.go: buy, orders, Connect onboarding
		return se.Next()
	})
}
