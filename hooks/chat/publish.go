package chat

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/live"
	"plaza/hooks/web"
	"plaza/templates"
)

// messageEvent is the JSON of a "message" event. The HTML does not depend on
// the reader; pages mark their reader's own messages by data-author.
type messageEvent struct {
	Room   string `json:"room"`
	ID     string `json:"id"`
	Seq    int    `json:"seq"`
	Author string `json:"author"`
	HTML   string `json:"html"`
}

// publishMessage announces a committed message to every member of its room.
func publishMessage(app core.App, m *core.Record) {
	ev, members, err := messageEventFor(app, m)
	if err != nil {
		// The message is stored; tabs will get it on their next replay.
		app.Logger().Error("chat: rendering a live message failed", "message", m.Id, "error", err)
		return
	}
	live.Publish(app, members, ev)
}

func messageEventFor(app core.App, m *core.Record) (live.Event, []string, error) {
	c := cachesOf(app)
	room, err := c.room(app, m.GetString("room"))
	if err != nil {
		return live.Event{}, nil, err
	}
	people := map[string]templates.Person{}
	quoted := map[string]*core.Record{}
	if a := m.GetString("author"); a != "" {
		people[a] = c.person(app, a)
	}
	if r := m.GetString("reply_to"); r != "" {
		if q, err := app.FindRecordById("messages", r); err == nil {
			quoted[q.Id] = q
			people[q.GetString("author")] = c.person(app, q.GetString("author"))
		}
	}
	vm := messageView(m, people, quoted, "", room.kind != KindDirect, room.names)
	if room.kind == KindChannel {
		official(&vm, web.OrgInfo(app))
	}
	var buf bytes.Buffer
	if err := templates.MessageItem(vm).Render(context.Background(), &buf); err != nil {
		return live.Event{}, nil, err
	}
	data, err := json.Marshal(messageEvent{Room: m.GetString("room"), ID: m.Id, Seq: m.GetInt("seq"), Author: m.GetString("author"), HTML: buf.String()})
	if err != nil {
		return live.Event{}, nil, err
	}
	return live.Event{ID: int64(m.GetInt("gseq")), Name: "message", Data: data}, room.members, nil
}

type unreadEvent struct {
	Total int            `json:"total"`
	Rooms map[string]int `json:"rooms"`
	Muted []string       `json:"muted"` // live messages in these rooms don't raise the tab badge
}

func unreadEventFor(app core.App, member string) (live.Event, error) {
	total, rooms, err := Unread(app, member)
	if err != nil {
		return live.Event{}, err
	}
	muted := []string{}
	err = app.DB().NewQuery("SELECT room FROM room_members WHERE user = {:u} AND muted = TRUE").
		Bind(dbx.Params{"u": member}).Column(&muted)
	if err != nil {
		return live.Event{}, err
	}
	data, err := json.Marshal(unreadEvent{Total: total, Rooms: rooms, Muted: muted})
	return live.Event{Name: "unread", Data: data}, err
}

// syncUnread pushes a member's exact unread counts to their tabs (after they
// read a room in one tab, the others' badges follow).
func syncUnread(app core.App, member string) {
	ev, err := unreadEventFor(app, member)
	if err != nil {
		app.Logger().Error("chat: unread counts failed", "member", member, "error", err)
		return
	}
	live.Publish(app, []string{member}, ev)
}
