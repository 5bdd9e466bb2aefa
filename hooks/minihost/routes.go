// Package minihost hosts mini-programs: the launcher, the sandboxed host page and the bridge.
package minihost

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
		pages.GET("/minis", showMinis)
		return se.Next()
	})
}

// showMinis is the tab's landing page; until the feature lands it is an
// empty state with a way forward.
func showMinis(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.MinisPage(templates.ShellVM{Chrome: web.Chrome(e, "minis")}))
}
