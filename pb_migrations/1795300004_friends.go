package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// friendships hold one row per direction: (requester → addressee) is a pending
// request, an accepted friendship or a block placed by the requester. Plaza's
// code keeps at most one pending/accepted row per pair; a pair may carry two
// blocks (each side blocked the other).
//
// friend_tags are a member's private labels over their friends ("family"),
// used later for visibility lists.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}

		f := core.NewBaseCollection("friendships")
		// Either side sees the row, except that a block is visible only to the
		// member who placed it. Writes go through Plaza's pages only.
		f.ListRule = types.Pointer(`@request.auth.id != "" && (requester = @request.auth.id || (addressee = @request.auth.id && state != "blocked"))`)
		f.ViewRule = f.ListRule
		f.Fields.Add(
			&core.RelationField{Name: "requester", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "addressee", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.SelectField{Name: "state", Required: true, MaxSelect: 1, Values: []string{"pending", "accepted", "blocked"}},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		f.AddIndex("idx_friendships_pair", true, "requester, addressee", "")
		f.AddIndex("idx_friendships_addressee", false, "addressee, state", "")
		if err := app.Save(f); err != nil {
			return err
		}

		t := core.NewBaseCollection("friend_tags")
		t.ListRule = types.Pointer(`@request.auth.id != "" && owner = @request.auth.id`)
		t.ViewRule = t.ListRule
		t.Fields.Add(
			&core.RelationField{Name: "owner", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "name", Required: true, Max: 30},
			&core.RelationField{Name: "members", CollectionId: users.Id, MaxSelect: 2000},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		t.AddIndex("idx_friend_tags_owner_name", true, "owner, name", "")
		return app.Save(t)
	}, func(app core.App) error {
		for _, name := range []string{"friend_tags", "friendships"} {
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
