package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// notificationKinds1015 are what a member hears about (notifications.kind),
// as this migration made them; the live list is notify.Kinds.
var notificationKinds1015 = []string{"friend_request", "friend_accept", "mention", "reply", "like", "comment", "order", "mini", "moderation"}

// Notifications: what happened for a member while they were elsewhere.
// A member reads their own through the API too.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("notifications")
		c.ListRule = types.Pointer(`@request.auth.id != "" && user = @request.auth.id`)
		c.ViewRule = c.ListRule
		c.Fields.Add(
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: notificationKinds1015},
			&core.RelationField{Name: "actor", CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "text", Required: true, Max: 300},
			&core.TextField{Name: "url", Max: 300},
			&core.BoolField{Name: "read"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_notifications_user", false, "user, read, created", "")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("notifications")
		if err != nil {
			return err
		}
		return app.Delete(c)
	})
}
