package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Web Push: the organisation's VAPID key pair (made on first need, hidden
// from the REST API), each member's choice of which notification kinds push
// (users.push_kinds: a JSON list; null means every kind) and the browsers
// they turned push on in (push_subscriptions, one per endpoint, carrying a
// copy of the choice). Only Plaza's own pages read and write them.
func init() {
	m.Register(func(app core.App) error {
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		org.Fields.Add(
			&core.TextField{Name: "vapid_public", Hidden: true, Max: 200},
			&core.TextField{Name: "vapid_private", Hidden: true, Max: 200},
		)
		if err := app.Save(org); err != nil {
			return err
		}

		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.Fields.Add(&core.JSONField{Name: "push_kinds", Hidden: true, MaxSize: 1000})
		if err := app.Save(users); err != nil {
			return err
		}

		c := core.NewBaseCollection("push_subscriptions")
		c.Fields.Add(
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "endpoint", Required: true, Max: 2000},
			&core.TextField{Name: "p256dh", Required: true, Max: 200},
			&core.TextField{Name: "auth", Required: true, Max: 100},
			&core.JSONField{Name: "kinds", MaxSize: 1000},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_push_subscriptions_endpoint", true, "endpoint", "")
		c.AddIndex("idx_push_subscriptions_user", false, "user", "")
		return app.Save(c)
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId("push_subscriptions"); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		for name, fields := range map[string][]string{"org_settings": {"vapid_public", "vapid_private"}, "users": {"push_kinds"}} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			for _, f := range fields {
				c.Fields.RemoveByName(f)
			}
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
