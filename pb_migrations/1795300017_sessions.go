package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Sessions: every signed-in device of a member (a browser's cookie, an API
// client's token) is a row here, and every member token names its row, so
// signing out one device revokes exactly that token. The dashboard can list
// and delete them (deleting one signs that device out); members see theirs
// under Me → Devices, never through the REST API.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("sessions")
		c.Fields.Add(
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "device", Max: 100},
			&core.TextField{Name: "ip", Max: 64},
			&core.DateField{Name: "last_seen"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_sessions_user", false, "user", "")
		c.AddIndex("idx_sessions_last_seen", false, "last_seen", "")
		// Rules stay nil: superusers only.
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("sessions")
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
