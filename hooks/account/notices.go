package account

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/notify"
)

// bindNotices tells members about friend requests and acceptances, after the
// change commits, whichever page or API call made it.
func bindNotices(app core.App) {
	notify.AddWaiting(app, PendingRequests) // the Me tab counts requests to answer
	app.OnRecordAfterCreateSuccess("friendships").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("state") == "pending" {
			notify.Send(e.App, notify.Event{User: e.Record.GetString("addressee"), Kind: "friend_request", Actor: e.Record.GetString("requester"),
				Text: "sent you a friend request", URL: "/u/" + e.Record.GetString("requester")})
		}
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess("friendships").BindFunc(func(e *core.RecordEvent) error {
		r := e.Record
		if r.Original().GetString("state") == "pending" && r.GetString("state") == "accepted" {
			notify.Send(e.App, notify.Event{User: r.GetString("requester"), Kind: "friend_accept", Actor: r.GetString("addressee"),
				Text: "accepted your friend request", URL: "/u/" + r.GetString("addressee")})
		}
		return e.Next()
	})
}
