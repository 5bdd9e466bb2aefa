package notify

import (
	"regexp"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/market"
)

// bindEvents turns what is stored into notifications, after each change
// commits: one place, whichever page or API call made the change.
func bindEvents(app core.App) {
	app.OnRecordAfterCreateSuccess("friendships").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("state") == "pending" {
			Send(e.App, Notice{User: e.Record.GetString("addressee"), Kind: "friend_request", Actor: e.Record.GetString("requester"),
				Text: "sent you a friend request", URL: "/u/" + e.Record.GetString("requester")})
		}
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess("friendships").BindFunc(func(e *core.RecordEvent) error {
		r := e.Record
		if r.Original().GetString("state") == "pending" && r.GetString("state") == "accepted" {
			Send(e.App, Notice{User: r.GetString("requester"), Kind: "friend_accept", Actor: r.GetString("addressee"),
				Text: "accepted your friend request", URL: "/u/" + r.GetString("addressee")})
		}
		return e.Next()
	})

	app.OnRecordAfterCreateSuccess("post_likes").BindFunc(func(e *core.RecordEvent) error {
		post := e.Record.GetString("post")
		Send(e.App, Notice{User: authorOf(e.App, "posts", post), Kind: "like", Actor: e.Record.GetString("user"),
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
		Send(e.App, Notice{User: postAuthor, Kind: "comment", Actor: who, Text: "commented on your moment", URL: url})
		if to := authorOf(e.App, "post_comments", c.GetString("reply_to")); to != "" && to != postAuthor {
			// Only from people whose comments they may see there (WeChat's rule).
			if friends, err := account.FriendSet(e.App, to); err == nil && (friends[who] || who == postAuthor) {
				Send(e.App, Notice{User: to, Kind: "reply", Actor: who, Text: "replied to your comment", URL: url})
			}
		}
		return e.Next()
	})

	app.OnRecordAfterCreateSuccess("messages").BindFunc(func(e *core.RecordEvent) error {
		m := e.Record
		body, reply := m.GetString("body"), m.GetString("reply_to")
		if m.GetBool("hidden") || m.GetString("author") == "" || m.GetString("kind") == "system" ||
			(reply == "" && !strings.Contains(body, "@")) {
			return e.Next() // the common case costs nothing
		}
		who, room := m.GetString("author"), m.GetString("room")
		url := "/chats/" + room + "#m-" + m.Id
		told := map[string]bool{who: true}
		if to := authorOf(e.App, "messages", reply); to != "" {
			told[to] = true
			Send(e.App, Notice{User: to, Kind: "reply", Actor: who, Text: "replied to your message", URL: url})
		}
		if strings.Contains(body, "@") {
			for _, member := range mentioned(e.App, room, body) {
				if !told[member] {
					told[member] = true
					Send(e.App, Notice{User: member, Kind: "mention", Actor: who, Text: "mentioned you", URL: url})
				}
			}
		}
		return e.Next()
	})

	app.OnRecordAfterUpdateSuccess("orders").BindFunc(func(e *core.RecordEvent) error {
		o := e.Record
		st := o.GetString("status")
		if st == o.Original().GetString("status") {
			return e.Next()
		}
		for _, side := range []string{"buyer", "seller"} {
			if text := market.OrderNews(side, st, o.GetString("title")); text != "" {
				Send(e.App, Notice{User: o.GetString(side), Kind: "order", Text: text, URL: "/orders/" + o.Id})
			}
		}
		return e.Next()
	})
}

// authorOf is who wrote a post, comment or message ("" if none or gone).
func authorOf(app core.App, collection, id string) string {
	if id == "" {
		return ""
	}
	var author string
	_ = app.DB().Select("author").From(collection).Where(dbx.HashExp{"id": id}).Row(&author)
	return author
}

var mentionAt = regexp.MustCompile(`(^|[\s(>])@`)

// mentioned lists the room's members whose name follows an "@" in body.
func mentioned(app core.App, room, body string) []string {
	var members []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := app.DB().NewQuery(`SELECT u.id, u.name FROM room_members m JOIN users u ON u.id = m.user WHERE m.room = {:r}`).
		Bind(dbx.Params{"r": room}).All(&members); err != nil {
		return nil
	}
	lower := strings.ToLower(body)
	var out []string
	for _, m := range members {
		name := strings.ToLower(m.Name)
		if name == "" {
			continue
		}
		for _, loc := range mentionAt.FindAllStringIndex(lower, -1) {
			if strings.HasPrefix(lower[loc[1]:], name) {
				out = append(out, m.ID)
				break
			}
		}
	}
	return out
}
