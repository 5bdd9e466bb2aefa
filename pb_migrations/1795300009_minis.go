package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Mini-programs: the registry (built-ins and admin uploads), members'
// grants, and the minis' storage; orders gain the mini that asked for a
// payment (such orders have no listing and no member seller).
//
// API rules: members list approved minis (never their bundle, which is a
// protected file, nor their signing secret, a hidden field) and their own
// grants; storage is reached only through the bridge (nil rules).
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		minis := core.NewBaseCollection("minis")
		minis.ListRule = types.Pointer(`@request.auth.id != "" && @request.auth.status = "active" && status = "approved"`)
		minis.ViewRule = minis.ListRule
		minis.Fields.Add(
			&core.TextField{Name: "slug", Max: 40, Pattern: `^[a-z][a-z0-9-]{1,39}$`}, // set from the manifest
			&core.TextField{Name: "name", Max: 40},
			&core.TextField{Name: "description", Max: 200},
			&core.TextField{Name: "version", Max: 40},
			&core.TextField{Name: "icon", Max: 200}, // a file in the bundle
			&core.JSONField{Name: "permissions", MaxSize: 2000},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"pending", "approved", "disabled"}},
			&core.FileField{Name: "bundle", MaxSelect: 1, MaxSize: 5 << 20, Protected: true,
				MimeTypes: []string{"application/zip", "application/x-zip-compressed", "application/octet-stream"}},
			&core.BoolField{Name: "builtin"},
			&core.TextField{Name: "secret", Hidden: true, Max: 100}, // signs launch tokens and pseudonymous ids
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		minis.AddIndex("idx_minis_slug", true, "slug", "")
		if err := app.Save(minis); err != nil {
			return err
		}

		grants := core.NewBaseCollection("mini_grants")
		grants.ListRule = types.Pointer(`@request.auth.id != "" && user = @request.auth.id`)
		grants.ViewRule = grants.ListRule
		grants.Fields.Add(
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "mini", Required: true, CollectionId: minis.Id, MaxSelect: 1, CascadeDelete: true},
			&core.JSONField{Name: "permissions", MaxSize: 2000}, // what the member allowed
			&core.DateField{Name: "last_used"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		grants.AddIndex("idx_mini_grants_pair", true, "user, mini", "")
		if err := app.Save(grants); err != nil {
			return err
		}

		storage := core.NewBaseCollection("mini_storage")
		storage.Fields.Add(
			&core.RelationField{Name: "mini", Required: true, CollectionId: minis.Id, MaxSelect: 1, CascadeDelete: true},
			&core.SelectField{Name: "scope", Required: true, MaxSelect: 1, Values: []string{"user", "shared"}},
			&core.RelationField{Name: "user", CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true}, // "" when shared
			&core.TextField{Name: "key", Required: true, Max: 100},
			&core.JSONField{Name: "value", MaxSize: 64 << 10},
			&core.NumberField{Name: "size", OnlyInt: true}, // bytes of key and value, for the quota
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		storage.AddIndex("idx_mini_storage_key", true, "mini, scope, user, key", "")
		if err := app.Save(storage); err != nil {
			return err
		}

		orders, err := app.FindCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		orders.Fields.Add(&core.RelationField{Name: "mini", CollectionId: minis.Id, MaxSelect: 1})
		return app.Save(orders)
	}, func(app core.App) error {
		orders, err := app.FindCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		orders.Fields.RemoveByName("mini")
		if err := app.Save(orders); err != nil {
			return err
		}
		for _, name := range []string{"mini_storage", "mini_grants", "minis"} {
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
