package moments

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/notify"
)

// bindNotifications tells authors about likes and comments on their moments,
// and commenters about replies, after each change commits (whichever page
// or API call made it).
func bindNotifications(app core.App) {
	app.OnRecordAfterCreateSuccess("post_likes").BindFunc(func(e *core.RecordEvent) error {
		post := e.Record.GetString("post")
		notify.Send(e.App, notify.Event{User: authorOf(e.App, "posts", post), Kind: "like", Actor: e.Record.GetString("user"),
			Text: "liked your moment", URL: "/moments/" + post})
		return e.Next()
	})
	app.OnRecordAfterCreateSuccess("post_comments").BindFunc(func(e *core.RecordEvent) error {
		c := e.Record
		if c.GetBool("hidden") {
			return e.Next() // held for review: nobody hears of it yet
		}
		post, who := c.GetString("post"), c.GetString("author")
		postAuthor := authorOf(e.App, "posts", post)
		url := "/moments/" + post + "#c-" + c.Id
		notify.Send(e.App, notify.Event{User: postAuthor, Kind: "comment", Actor: who, Text: "commented on your moment", URL: url})
		to := authorOf(e.App, "post_comments", c.GetString("reply_to"))
		if to == "" || to == postAuthor {
			return e.Next()
		}
		// Only from people whose comments they may see there (WeChat's rule).
		friends, err := account.FriendSet(e.App, to)
		if err != nil {
			e.App.Logger().Error("moments: a reply's notification skipped: friends not read", "member", to, "error", err)
			return e.Next()
		}
		if friends[who] || who == postAuthor {
			notify.Send(e.App, notify.Event{User: to, Kind: "reply", Actor: who, Text: "replied to your comment", URL: url})
		}
		return e.Next()
	})
}

// authorOf is who wrote a post or comment ("" if none or gone).
func authorOf(app core.App, collection, id string) string {
	if id == "" {
		return ""
	}
	var author string
	// No row (deleted meanwhile) leaves "": nobody to notify.
	if err := app.DB().Select("author").From(collection).Where(dbx.HashExp{"id": id}).Row(&author); err != nil {
		return ""
	}
	return author
}
