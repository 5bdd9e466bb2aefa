// Package chat is Plaza's messaging: rooms, members, messages and the live stream.
package chat

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
		pages.GET("/chats", showChats)
		return se.Next()
	})
}

// showChats is the tab's landing page; until the feature lands it is an
// empty state with a way forward.
func showChats(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.ChatsPage(templates.ShellVM{Chrome: web.Chrome(e, "chats")}))
}
