package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// invites are codes an admin hands out when registration is by invite.
// Only superusers reach them through the REST API (all rules nil).
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("invites")
		c.Fields.Add(
			&core.TextField{Name: "code", Required: true, Min: 6, Max: 64, Pattern: `^[A-Za-z0-9-]+$`},
			&core.RelationField{Name: "created_by", CollectionId: users.Id, MaxSelect: 1},
			&core.NumberField{Name: "uses_left", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.DateField{Name: "expires"},
			&core.TextField{Name: "note", Max: 200},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_invites_code", true, "code", "")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("invites")
		if err != nil {
			return err
		}
		return app.Delete(c)
	})
}
