// Package market is the member marketplace: listings, orders and seller pages.
package market

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// Register binds the feature's pages.
func Register(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/market", showMarket)
		return se.Next()
	})
}

// showMarket is the tab's landing page; until the feature lands it is an
// empty state with a way forward.
func showMarket(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.MarketPage(templates.ShellVM{Chrome: web.Chrome(e, "market")}))
}
