package market

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"plaza/hooks/web"
	"plaza/templates"
)

func bindListings(pages *router.RouterGroup[*core.RequestEvent]) {
	pages.GET("/market", showMarket)
}

// showMarket is the tab's landing page; until the feature lands it is an
// empty state with a way forward.
func showMarket(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.MarketPage(templates.ShellVM{Chrome: web.Chrome(e, "market")}))
}
