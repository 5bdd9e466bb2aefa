// Package chat is Plaza's messaging: direct and group rooms, members,
// messages with attachments, read markers; live, its messages ride the
// event stream of package live (replayed by gseq on reconnect).
package chat

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/live"
	"plaza/hooks/web"
	"plaza/templates"
)

// Register binds the chat pages, the stream's replay and the badge counter.
func Register(app core.App) {
	web.AddBadgeCounter(app, countUnread)
	bindCacheInvalidation(app)
	live.OnOpen(app, openStream)
	bindNotifications(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/chats", showChats)
		pages.GET("/chats/new", showNewGroup)
		pages.POST("/chats", createGroup)
		pages.GET("/chats/{roomId}", showRoom)
		pages.GET("/chats/{roomId}/messages", showOlder)
		pages.GET("/chats/{roomId}/info", showInfo)
		pages.POST("/chats/{roomId}/members/{userId}/remove", removeMember)
		// One pattern for POST /chats/direct/{userId} and POST /chats/{roomId}/{action}:
		// Go's mux can't hold both (they overlap on /chats/direct/messages).
		// Sends and read markers are the busiest requests: log their failures only.
		pages.POST("/chats/{roomId}/{action}", postToRoom).Bind(apis.SkipSuccessActivityLog())
		pages.GET("/chats/{roomId}/messages/{msgId}/edit", showEditMessage)
		pages.POST("/chats/{roomId}/messages/{msgId}/edit", editMessage)
		pages.POST("/chats/{roomId}/messages/{msgId}/recall", recallMessage)
		pages.GET("/chats/{roomId}/files/{msgId}/{name}", serveAttachment).Bind(apis.SkipSuccessActivityLog())
		bindStats(se)
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		stopCommitter(e.App) // finish queued writes before the database closes
		return e.Next()
	})
}

// countUnread puts unread messages (muted rooms aside) on the Chats tab.
func countUnread(app core.App, member *core.Record, b *templates.Badges) error {
	total, _, err := Unread(app, member.Id)
	b.Chats = total
	return err
}

// postToRoom dispatches POST /chats/{roomId}/{action}; /chats/direct/{userId}
// opens a direct chat (room ids are 15 random characters, never "direct").
func postToRoom(e *core.RequestEvent) error {
	if e.Request.PathValue("roomId") == "direct" {
		return openDirect(e, e.Request.PathValue("action"))
	}
	switch e.Request.PathValue("action") {
	case "messages":
		return sendMessage(e)
	case "read":
		return markRead(e)
	case "rename":
		return renameRoom(e)
	case "members":
		return addMembers(e)
	case "leave":
		return leaveRoom(e)
	case "mute":
		return setMuted(e)
	}
	return e.NotFoundError("", nil)
}
