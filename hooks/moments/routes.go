// Package moments is the friends' feed: posts, photos, likes and comments.
package moments

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
		pages.GET("/moments", showMoments)
		return se.Next()
	})
}

// showMoments is the tab's landing page; until the feature lands it is an
// empty state with a way forward.
func showMoments(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.MomentsPage(templates.ShellVM{Chrome: web.Chrome(e, "moments")}))
}
