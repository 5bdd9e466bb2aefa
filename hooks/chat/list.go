package chat

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/templates"
)

// roomListRow is one room in a member's chat list, with its last message
// and, for direct rooms, the other member — all in one query.
type roomListRow struct {
	ID          string         `db:"id"`
	Kind        string         `db:"kind"`
	Title       string         `db:"title"`
	LastSeq     int            `db:"last_seq"`
	LastAt      types.DateTime `db:"last_at"`
	LastRead    int            `db:"last_read_seq"`
	Muted       bool           `db:"muted"`
	MsgKind     string         `db:"msg_kind"`
	MsgBody     string         `db:"msg_body"`
	MsgRecalled bool           `db:"msg_recalled"`
	MsgHidden   bool           `db:"msg_hidden"`
	MsgAuthor   string         `db:"msg_author"`
	MsgAuthorID string         `db:"msg_author_id"`
	OtherID     string         `db:"other_id"`
	OtherName   string         `db:"other_name"`
	OtherAvatar string         `db:"other_avatar"`
}

// roomsOf lists the member's rooms: the organisation's channel pinned
// first, then the most recently active.
func roomsOf(app core.App, me string, limit int) ([]roomListRow, error) {
	var rows []roomListRow
	err := app.DB().NewQuery(`
		SELECT r.id, r.kind, r.title, r.last_seq, r.last_at, m.last_read_seq, m.muted,
			COALESCE(lm.kind, '') AS msg_kind, COALESCE(lm.body, '') AS msg_body, COALESCE(lm.recalled, 0) AS msg_recalled, COALESCE(lm.hidden, 0) AS msg_hidden,
			COALESCE(au.name, '') AS msg_author, COALESCE(lm.author, '') AS msg_author_id,
			COALESCE(o.id, '') AS other_id, COALESCE(o.name, '') AS other_name, COALESCE(o.avatar, '') AS other_avatar
		FROM room_members m
		JOIN rooms r ON r.id = m.room
		LEFT JOIN messages lm ON lm.room = r.id AND lm.seq = r.last_seq
		LEFT JOIN users au ON au.id = lm.author
		LEFT JOIN room_members om ON r.kind = 'direct' AND om.room = r.id AND om.user != m.user
		LEFT JOIN users o ON o.id = om.user
		WHERE m.user = {:me}
		ORDER BY r.kind = 'channel' DESC, r.last_at DESC
		LIMIT {:limit}`).Bind(dbx.Params{"me": me, "limit": limit}).All(&rows)
	return rows, err
}

// RoomChoices lists the chats the member can post in, most recent first,
// as a picker shows them (a direct chat by the other member's name).
func RoomChoices(app core.App, me string, limit int) ([]templates.Choice, error) {
	rows, err := roomsOf(app, me, limit)
	if err != nil {
		return nil, err
	}
	out := make([]templates.Choice, 0, len(rows))
	for _, r := range rows {
		if r.Kind == KindChannel {
			continue
		}
		label := r.Title
		if r.Kind == KindDirect {
			label = r.OtherName
			if label == "" {
				label = "Deleted member"
			}
		}
		out = append(out, templates.Choice{ID: r.ID, Label: label})
	}
	return out, nil
}

// MiniCard is what a mini_card message holds (its body, as JSON): a card
// that opens a mini-program at a path.
type MiniCard struct {
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	Title string `json:"title"`
	Path  string `json:"path"`
	Icon  string `json:"icon"`
}
