// Package moments is the friends' feed: posts with photos, likes, comments,
// and WeChat's privacy rules for who sees what.
package moments

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// Register binds the moments pages.
func Register(app core.App) {
	bindCaches(app)
	web.AddBadgeCounter(app, countNotices)
	bindNotifications(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/moments", showFeed)
		pages.POST("/moments", createPost)
		pages.GET("/moments/notices", showNotices)
		pages.GET("/moments/new", showCompose)
		pages.GET("/moments/{postId}", showPost)
		pages.POST("/moments/{postId}/{action}", actOnPost)
		pages.POST("/moments/{postId}/comments/{commentId}/delete", deleteComment)
		pages.GET("/moments/{postId}/photos/{name}", servePhoto)
		return se.Next()
	})
}
