package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Chat: rooms, their members and messages.
//
// Every message has a per-room seq (its place in the room) and a global gseq
// that orders all of a member's events for the /events stream; an edit or a
// recall moves a message to a new gseq so reconnecting tabs replay it too.
// client_id makes sends idempotent per author.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}

		rooms := core.NewBaseCollection("rooms")
		rooms.Fields.Add(
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"direct", "group", "channel"}},
			&core.TextField{Name: "title", Max: 60},
			&core.RelationField{Name: "created_by", CollectionId: users.Id, MaxSelect: 1},
			&core.TextField{Name: "direct_key", Max: 40}, // "idA:idB" (sorted) for direct rooms: one room per pair
			&core.NumberField{Name: "last_seq", OnlyInt: true},
			&core.DateField{Name: "last_at"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		rooms.AddIndex("idx_rooms_direct_key", true, "direct_key", "direct_key != ''")
		if err := app.Save(rooms); err != nil {
			return err
		}

		members := core.NewBaseCollection("room_members")
		members.Fields.Add(
			&core.RelationField{Name: "room", Required: true, CollectionId: rooms.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.SelectField{Name: "role", Required: true, MaxSelect: 1, Values: []string{"owner", "admin", "member"}},
			&core.NumberField{Name: "last_read_seq", OnlyInt: true},
			&core.BoolField{Name: "muted"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		members.AddIndex("idx_room_members_pair", true, "room, user", "")
		members.AddIndex("idx_room_members_user", false, "user", "")
		if err := app.Save(members); err != nil {
			return err
		}

		// A member reads the rooms they belong to, their co-members and messages
		// (the rules need room_members, so they are set once it exists).
		rooms.ListRule = types.Pointer(`@request.auth.id != "" && @collection.room_members:me.room ?= id && @collection.room_members:me.user ?= @request.auth.id`)
		rooms.ViewRule = rooms.ListRule
		if err := app.Save(rooms); err != nil {
			return err
		}
		members.ListRule = types.Pointer(`@request.auth.id != "" && @collection.room_members:me.room ?= room && @collection.room_members:me.user ?= @request.auth.id`)
		members.ViewRule = members.ListRule
		if err := app.Save(members); err != nil {
			return err
		}

		msgs := core.NewBaseCollection("messages")
		msgs.ListRule = members.ListRule
		msgs.ViewRule = members.ListRule
		msgs.Fields.Add(
			&core.RelationField{Name: "room", Required: true, CollectionId: rooms.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "author", CollectionId: users.Id, MaxSelect: 1}, // empty for system messages and deleted members
			&core.NumberField{Name: "seq", OnlyInt: true, Required: true},
			&core.NumberField{Name: "gseq", OnlyInt: true, Required: true},
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"text", "image", "file", "mini_card", "system", "payment"}},
			&core.TextField{Name: "body", Max: 4000},
			&core.FileField{Name: "attachments", MaxSelect: 9, MaxSize: 20 << 20, Protected: true, Thumbs: []string{"480x0", "160x160"}},
			&core.TextField{Name: "reply_to", Max: 15},
			&core.BoolField{Name: "edited"},
			&core.BoolField{Name: "recalled"},
			&core.TextField{Name: "client_id", Max: 64},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		msgs.AddIndex("idx_messages_room_seq", true, "room, seq", "")
		msgs.AddIndex("idx_messages_gseq", true, "gseq", "")
		msgs.AddIndex("idx_messages_client", true, "author, client_id", "client_id != ''")
		return app.Save(msgs)
	}, func(app core.App) error {
		for _, name := range []string{"messages", "room_members", "rooms"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		return nil
	})
}
