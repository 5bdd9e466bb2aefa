package chat

import (
	"database/sql"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/web"
	"plaza/templates"
)

// The organisation's channel (its "official account") is one room of kind
// channel that every active member belongs to. Members read it and may mute
// it; they can't post in it or leave it. Only drafts marked Official (the
// announcements) are sent into it, and its messages show the organisation
// as their author.

// KindChannel is the organisation's channel.
const KindChannel = "channel"

// channelKey marks the channel in rooms.direct_key, whose unique index keeps
// it one room.
const channelKey = "org:channel"

// errReadOnly refuses a member's message to the channel.
var errReadOnly = errors.New("Only the organisation posts in this channel: members can read it, but not reply.")

// FindChannel returns the organisation's channel, or nil before the first
// announcement made it.
func FindChannel(app core.App) (*core.Record, error) {
	r, err := app.FindFirstRecordByFilter("rooms", "direct_key = {:k}", dbx.Params{"k": channelKey})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// Channel returns the organisation's channel, creating it on first use, and
// makes sure every active member is in it and its title is the
// organisation's name. createdBy may be "".
func Channel(app core.App, name, createdBy string) (*core.Record, error) {
	title := channelTitle(name)
	var room *core.Record
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		r, err := tx.FindFirstRecordByFilter("rooms", "direct_key = {:k}", dbx.Params{"k": channelKey})
		if errors.Is(err, sql.ErrNoRows) {
			r, err = newRoom(tx, KindChannel, title, createdBy, channelKey)
		}
		if err != nil {
			return nil, err
		}
		// One statement for every missing member (thousands on a first run).
		now := types.NowDateTime().String()
		if _, err := tx.DB().NewQuery(`INSERT INTO room_members (room, user, role, last_read_seq, muted, created, updated)
			SELECT {:room}, u.id, 'member', 0, FALSE, {:now}, {:now} FROM users u
			WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM room_members m WHERE m.room = {:room} AND m.user = u.id)`).
			Bind(dbx.Params{"room": r.Id, "now": now}).Execute(); err != nil {
			return nil, err
		}
		// Saving the room (also when nothing changed) drops the publisher's
		// cached member list once this commits, so the next announcement
		// reaches the members just added.
		r.Set("title", title)
		if err := tx.Save(r); err != nil {
			return nil, err
		}
		room = r
		return nil, nil
	})
	return room, err
}

// JoinChannel puts a member in the organisation's channel, if there is one
// and they aren't in it yet (members who sign up or are approved later).
func JoinChannel(app core.App, user string) error {
	room, err := FindChannel(app)
	if room == nil || err != nil {
		return err
	}
	if _, err := Membership(app, room.Id, user); !errors.Is(err, errNotMember) {
		return err
	}
	_, err = write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		if _, err := Membership(tx, room.Id, user); !errors.Is(err, errNotMember) {
			return nil, err
		}
		return nil, addMember(tx, room.Id, user, RoleMember)
	})
	return err
}

// RenameChannel gives the channel the organisation's new name.
func RenameChannel(app core.App, name string) error {
	room, err := FindChannel(app)
	if room == nil || err != nil {
		return err
	}
	if title := channelTitle(name); title != room.GetString("title") {
		room.Set("title", title)
		return app.Save(room)
	}
	return nil
}

// channelTitle fits the organisation's name (up to 80 characters) into a
// room title (60).
func channelTitle(name string) string {
	return web.Clip(name, maxTitle)
}

// official shows a channel message as the organisation's: its name and logo
// instead of the admin who published it, and no reply, report or own actions.
func official(vm *templates.MessageVM, org templates.Org) {
	vm.Author = templates.Person{ID: "", Name: org.Name, AvatarURL: org.LogoURL}
	vm.Official, vm.Own, vm.CanRecall, vm.Group, vm.Mentions = true, false, false, true, nil
}
