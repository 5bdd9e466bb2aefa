package chat

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
)

// Room kinds and member roles.
const (
	KindDirect = "direct"
	KindGroup  = "group"

	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleMember = "member"

	maxBody      = 4000
	maxTitle     = 60
	maxGroupSize = 500
	recallWindow = 2 * time.Minute
	historyPage  = 50
	replayLimit  = 500
)

// Refusals a member may read.
var (
	errNotFriends = errors.New("You can only chat with friends. Send a friend request first.")
	errCannotDM   = errors.New("You can't message this member.")

	// ErrCannotMessage is a chat refused because one member blocked the other.
	ErrCannotMessage = errCannotDM
	errNotMember     = errors.New("not a member of this room")
	errNotAdmin      = errors.New("Only the group's owner and admins can do that.")
	errTooLate       = errors.New("Messages can be recalled for 2 minutes after sending.")
	errNotYours      = errors.New("You can only change your own messages.")
	errNotEditable   = errors.New("Only text messages can be edited.")
	errBadReply      = errors.New("The message you replied to is not in this chat.")
	errGroupTooBig   = errors.New("A group holds at most 500 members.")
	errMembersOnly   = errors.New("Only your friends can be added to a group.")
)

func directKey(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + ":" + b
}

// Membership is a member's row in a room, or errNotMember.
func Membership(app core.App, room, user string) (*core.Record, error) {
	m, err := app.FindFirstRecordByFilter("room_members", "room = {:r} && user = {:u}", dbx.Params{"r": room, "u": user})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotMember
	}
	return m, err
}

// MemberIDs lists the user ids in a room.
func MemberIDs(app core.App, room string) ([]string, error) {
	var ids []string
	err := app.DB().NewQuery("SELECT user FROM room_members WHERE room = {:r}").Bind(dbx.Params{"r": room}).Column(&ids)
	return ids, err
}

// OpenDirect returns the direct room between me and a friend, creating it
// on first use.
func OpenDirect(app core.App, me, other string) (*core.Record, error) {
	return OpenDirectWith(app, me, other, false)
}

// OpenDirectWith is OpenDirect that, with strangersOK, also lets members who
// aren't friends talk (a buyer and a seller). A block still stops it.
func OpenDirectWith(app core.App, me, other string, strangersOK bool) (*core.Record, error) {
	rel, err := account.RelationBetween(app, me, other)
	if err != nil {
		return nil, err
	}
	switch {
	case rel == account.Friends:
	case rel == account.Blocking || rel == account.BlockedBy:
		return nil, errCannotDM
	case !strangersOK:
		return nil, errNotFriends
	}
	var room *core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		key := directKey(me, other)
		r, err := tx.FindFirstRecordByFilter("rooms", "direct_key = {:k}", dbx.Params{"k": key})
		if err == nil {
			room = r
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		room, err = newRoom(tx, KindDirect, "", me, key)
		if err != nil {
			return err
		}
		if err := addMember(tx, room.Id, me, RoleMember); err != nil {
			return err
		}
		return addMember(tx, room.Id, other, RoleMember)
	})
	return room, err
}

// CreateGroup makes a group of the owner and some of their friends.
func CreateGroup(app core.App, owner *core.Record, title string, memberIDs []string) (*core.Record, error) {
	memberIDs = uniqueWithout(memberIDs, owner.Id)
	if len(memberIDs)+1 > maxGroupSize {
		return nil, errGroupTooBig
	}
	if err := checkFriends(app, owner.Id, memberIDs); err != nil {
		return nil, err
	}
	var room *core.Record
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		var err error
		if room, err = newRoom(tx, KindGroup, title, owner.Id, ""); err != nil {
			return nil, err
		}
		if err := addMember(tx, room.Id, owner.Id, RoleOwner); err != nil {
			return nil, err
		}
		for _, id := range memberIDs {
			if err := addMember(tx, room.Id, id, RoleMember); err != nil {
				return nil, err
			}
		}
		m, err := sendTx(tx, sq, room.Id, Draft{Kind: "system", Body: owner.GetString("name") + " created the group “" + title + "”"})
		return []*core.Record{m}, err
	})
	return room, err
}

// checkFriends refuses ids that are not the member's friends.
func checkFriends(app core.App, me string, ids []string) error {
	friends, err := account.FriendIDs(app, me)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(friends, id) {
			return errMembersOnly
		}
	}
	return nil
}

func uniqueWithout(ids []string, drop string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && id != drop && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func newRoom(tx core.App, kind, title, createdBy, key string) (*core.Record, error) {
	c, err := tx.FindCachedCollectionByNameOrId("rooms")
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	r.Set("kind", kind)
	r.Set("title", title)
	r.Set("created_by", createdBy)
	r.Set("direct_key", key)
	r.Set("last_at", types.NowDateTime())
	return r, tx.Save(r)
}

func addMember(tx core.App, room, user, role string) error {
	c, err := tx.FindCachedCollectionByNameOrId("room_members")
	if err != nil {
		return err
	}
	m := core.NewRecord(c)
	m.Set("room", room)
	m.Set("user", user)
	m.Set("role", role)
	return tx.Save(m)
}

// Draft is a message about to be sent.
type Draft struct {
	Author   string // "" for system messages
	Kind     string // text, image, file, system
	Body     string
	ReplyTo  string
	ClientID string // makes a retried send store one message
	Files    []*filesystem.File
	Hidden   bool // held for moderators by the word filter
	Official bool // an announcement: the only kind of draft the channel takes
}

// Send stores a message in room, advances the author's read marker and
// announces it to the room's open tabs. A draft whose ClientID the author
// already used returns that message instead (fresh == false): retries never
// duplicate.
func Send(app core.App, roomID string, d Draft) (msg *core.Record, fresh bool, err error) {
	if !d.Official {
		// The room's kind is cached (the send page looked it up already).
		if info, err := cachesOf(app).room(app, roomID); err != nil {
			return nil, false, err
		} else if info.kind == KindChannel {
			return nil, false, errReadOnly
		}
	}
	_, err = write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		msg, fresh = nil, false
		if d.ClientID != "" && d.Author != "" {
			prev := &core.Record{}
			// client_id != '' lets SQLite use the partial index idx_messages_client.
			err := tx.RecordQuery("messages").
				AndWhere(dbx.HashExp{"author": d.Author, "client_id": d.ClientID}).
				AndWhere(dbx.NewExp("client_id != ''")).Limit(1).One(prev)
			if err == nil {
				if prev.GetString("room") != roomID {
					return nil, refuse(errors.New("This message was already sent to another chat."))
				}
				msg = prev
				return nil, nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
		}
		if d.ReplyTo != "" {
			var n int
			if err := tx.DB().NewQuery("SELECT COUNT(*) FROM messages WHERE id = {:id} AND room = {:r}").
				Bind(dbx.Params{"id": d.ReplyTo, "r": roomID}).Row(&n); err != nil {
				return nil, err
			} else if n == 0 {
				return nil, refuse(errBadReply)
			}
		}
		var err error
		if msg, err = sendTx(tx, sq, roomID, d); err != nil {
			return nil, err
		}
		fresh = true
		if d.Author != "" {
			_, err = tx.DB().NewQuery("UPDATE room_members SET last_read_seq = {:s} WHERE room = {:r} AND user = {:u}").
				Bind(dbx.Params{"s": msg.GetInt("seq"), "r": roomID, "u": d.Author}).Execute()
		}
		return []*core.Record{msg}, err
	})
	return msg, fresh, err
}

// sendTx appends a message to room inside a transaction: the next room seq,
// the next global gseq, and the room's last activity.
func sendTx(tx core.App, sq *seqs, roomID string, d Draft) (*core.Record, error) {
	c, err := tx.FindCachedCollectionByNameOrId("messages")
	if err != nil {
		return nil, err
	}
	seq, gseq, err := sq.next(tx, roomID)
	if err != nil {
		return nil, err
	}
	m := core.NewRecord(c)
	m.Set("room", roomID)
	m.Set("author", d.Author)
	m.Set("seq", seq)
	m.Set("gseq", gseq)
	m.Set("kind", d.Kind)
	m.Set("body", d.Body)
	m.Set("reply_to", d.ReplyTo)
	m.Set("client_id", d.ClientID)
	m.Set("hidden", d.Hidden)
	if len(d.Files) > 0 {
		// Files are checked by the field's rules (size, count) on save.
		m.Set("attachments", d.Files)
		err = tx.Save(m)
	} else {
		// Text was checked before it got here (length, room, author), so skip
		// the field validators' extra queries on the hottest write.
		err = tx.SaveNoValidate(m)
	}
	if err != nil {
		return nil, err
	}
	// The room's counters are Plaza's bookkeeping: a plain UPDATE, not a
	// record save (no validation or hooks needed, and it is on every send).
	_, err = tx.DB().NewQuery("UPDATE rooms SET last_seq = {:s}, last_at = {:at} WHERE id = {:id}").
		Bind(dbx.Params{"s": seq, "at": m.GetDateTime("created").String(), "id": roomID}).Execute()
	return m, err
}

// restamp gives a changed message a new gseq so tabs that reconnect replay it.
func restamp(tx core.App, sq *seqs, m *core.Record) error {
	g, err := sq.nextGseq(tx)
	if err != nil {
		return err
	}
	m.Set("gseq", g)
	return tx.Save(m)
}

// Edit replaces the body of the author's own text message.
func Edit(app core.App, m *core.Record, author, body string) error {
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		cur, err := tx.FindRecordById("messages", m.Id)
		if err != nil {
			return nil, err
		}
		switch {
		case cur.GetString("author") != author:
			return nil, refuse(errNotYours)
		case cur.GetString("kind") != "text" || cur.GetBool("recalled"):
			return nil, refuse(errNotEditable)
		}
		cur.Set("body", body)
		cur.Set("edited", true)
		return []*core.Record{cur}, restamp(tx, sq, cur)
	})
	return err
}

// Recall withdraws the author's message within the recall window; its text
// and files are deleted, only "message recalled" remains.
func Recall(app core.App, m *core.Record, author string) error {
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		cur, err := tx.FindRecordById("messages", m.Id)
		if err != nil {
			return nil, err
		}
		switch {
		case cur.GetString("author") != author || cur.GetString("kind") == "system":
			return nil, refuse(errNotYours)
		case cur.GetBool("recalled"):
			return nil, nil
		case time.Since(cur.GetDateTime("created").Time()) > recallWindow:
			return nil, refuse(errTooLate)
		}
		cur.Set("recalled", true)
		cur.Set("body", "")
		cur.Set("attachments", []string{})
		return []*core.Record{cur}, restamp(tx, sq, cur)
	})
	return err
}

// SetHidden hides a message from everyone but its author (moderation), or
// shows it again. Open tabs and reconnecting ones get the change like an edit.
func SetHidden(app core.App, id string, hidden bool) error {
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		cur, err := tx.FindRecordById("messages", id)
		if err != nil {
			return nil, err
		}
		if cur.GetBool("hidden") == hidden {
			return nil, nil
		}
		cur.Set("hidden", hidden)
		return []*core.Record{cur}, restamp(tx, sq, cur)
	})
	return err
}

// History returns up to limit messages of a room before seq (0: the newest),
// oldest first.
func History(app core.App, room string, before, limit int) ([]*core.Record, error) {
	filter, params := "room = {:r}", dbx.Params{"r": room}
	if before > 0 {
		filter += " && seq < {:b}"
		params["b"] = before
	}
	msgs, err := app.FindRecordsByFilter("messages", filter, "-seq", limit, 0, params)
	if err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// MarkRead moves a member's read marker forward to seq (never back).
func MarkRead(app core.App, room, user string, seq int) error {
	_, err := app.DB().NewQuery(`UPDATE room_members SET last_read_seq = MIN({:s}, (SELECT last_seq FROM rooms WHERE id = {:r}))
		WHERE room = {:r} AND user = {:u} AND last_read_seq < {:s}`).
		Bind(dbx.Params{"s": seq, "r": room, "u": user}).Execute()
	return err
}

// Unread counts a member's unread messages: the total and per room (muted
// rooms are left out of the total, as on the tab badge).
func Unread(app core.App, user string) (total int, perRoom map[string]int, err error) {
	var rows []struct {
		Room   string `db:"room"`
		Unread int    `db:"unread"`
		Muted  bool   `db:"muted"`
	}
	err = app.DB().NewQuery(`SELECT m.room AS room, r.last_seq - m.last_read_seq AS unread, m.muted AS muted
		FROM room_members m JOIN rooms r ON r.id = m.room
		WHERE m.user = {:u} AND r.last_seq > m.last_read_seq`).Bind(dbx.Params{"u": user}).All(&rows)
	if err != nil {
		return 0, nil, err
	}
	perRoom = make(map[string]int, len(rows))
	for _, r := range rows {
		perRoom[r.Room] = r.Unread
		if !r.Muted {
			total += r.Unread
		}
	}
	return total, perRoom, nil
}

// Import appends drafts to a room in one transaction without announcing them
// (demo data and benchmarks; nobody is watching a room being seeded).
func Import(app core.App, roomID string, drafts []Draft) error {
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		for _, d := range drafts {
			m, err := sendTx(tx, sq, roomID, d)
			if err != nil {
				return nil, err
			}
			if d.Author != "" {
				if err := MarkRead(tx, roomID, d.Author, m.GetInt("seq")); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	})
	return err
}
