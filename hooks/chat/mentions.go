package chat

import (
	"regexp"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/notify"
)

// bindNotifications tells members about replies to their messages and
// mentions of their name, after the message commits.
func bindNotifications(app core.App) {
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
		if to := messageAuthor(e.App, reply); to != "" {
			told[to] = true
			notify.Send(e.App, notify.Event{User: to, Kind: "reply", Actor: who, Text: "replied to your message", URL: url})
		}
		if strings.Contains(body, "@") {
			members, err := mentioned(e.App, room, body)
			if err != nil {
				e.App.Logger().Error("chat: mentions not notified: members not read", "room", room, "error", err)
			}
			for _, member := range members {
				if !told[member] {
					told[member] = true
					notify.Send(e.App, notify.Event{User: member, Kind: "mention", Actor: who, Text: "mentioned you", URL: url})
				}
			}
		}
		return e.Next()
	})
}

// messageAuthor is who wrote message id ("" if none or gone).
func messageAuthor(app core.App, id string) string {
	if id == "" {
		return ""
	}
	var author string
	// No row (deleted meanwhile) leaves "": nobody to notify.
	if err := app.DB().Select("author").From("messages").Where(dbx.HashExp{"id": id}).Row(&author); err != nil {
		return ""
	}
	return author
}

var mentionAt = regexp.MustCompile(`(^|[\s(>])@`)

// mentioned lists the room's members whose name follows an "@" in body.
func mentioned(app core.App, room, body string) ([]string, error) {
	var members []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := app.DB().NewQuery(`SELECT u.id, u.name FROM room_members m JOIN users u ON u.id = m.user WHERE m.room = {:r}`).
		Bind(dbx.Params{"r": room}).All(&members); err != nil {
		return nil, err
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
	return out, nil
}
