package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Mini-program data rules and payments (minis/README.md):
//
//   - minis gain per-mini quotas for shared storage that admins edit in the
//     dashboard (0 means Plaza's default: 50 MB and 100,000 keys);
//   - shared keys gain an owner (the member who created the key; empty for
//     Plaza's own) and a mode: "value" (only the owner writes it),
//     "counter" and "vote" (every member moves it once, through their own
//     "mark" row) or "plaza" (only Plaza writes it, e.g. a paid receipt).
//     Keys stored before this version have no owner: they stay readable
//     and become read-only;
//   - mini_payments keeps the payments Plaza prepared for a member's
//     confirmation: the sheet shows exactly these, and the order is made
//     from them once, before they expire.
func init() {
	m.Register(func(app core.App) error {
		minis, err := app.FindCollectionByNameOrId("minis")
		if err != nil {
			return err
		}
		minis.Fields.Add(
			&core.NumberField{Name: "shared_quota_mb", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(10000.0)},
			&core.NumberField{Name: "shared_quota_keys", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(10000000.0)},
		)
		if err := app.Save(minis); err != nil {
			return err
		}

		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		storage, err := app.FindCollectionByNameOrId("mini_storage")
		if err != nil {
			return err
		}
		scope := storage.Fields.GetByName("scope").(*core.SelectField)
		scope.Values = []string{"user", "shared", "mark"}
		storage.Fields.Add(
			&core.RelationField{Name: "owner", CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.SelectField{Name: "mode", MaxSelect: 1, Values: []string{"value", "counter", "vote", "plaza"}},
		)
		storage.AddIndex("idx_mini_storage_usage", false, "mini, scope, size", "")
		storage.AddIndex("idx_mini_storage_marks", false, "mini, scope, key", "")
		if err := app.Save(storage); err != nil {
			return err
		}
		// Earlier shared keys: readable, written by no member from now on.
		if _, err := app.DB().NewQuery("UPDATE mini_storage SET mode = 'value' WHERE scope = 'shared'").Execute(); err != nil {
			return err
		}

		orders, err := app.FindCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		payments := core.NewBaseCollection("mini_payments")
		payments.Fields.Add(
			&core.RelationField{Name: "mini", Required: true, CollectionId: minis.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.NumberField{Name: "amount", OnlyInt: true},
			&core.TextField{Name: "currency", Max: 3},
			&core.TextField{Name: "description", Max: 500},
			&core.TextField{Name: "ref", Max: 100}, // the mini's reference for the paid receipt
			&core.RelationField{Name: "order", CollectionId: orders.Id, MaxSelect: 1},
			&core.DateField{Name: "expires"},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		payments.AddIndex("idx_mini_payments_order", false, "`order`", "")
		return app.Save(payments)
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId("mini_payments"); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		storage, err := app.FindCollectionByNameOrId("mini_storage")
		if err != nil {
			return err
		}
		if _, err := app.DB().NewQuery("DELETE FROM mini_storage WHERE scope = 'mark'").Execute(); err != nil {
			return err
		}
		storage.RemoveIndex("idx_mini_storage_usage")
		storage.RemoveIndex("idx_mini_storage_marks")
		storage.Fields.RemoveByName("owner")
		storage.Fields.RemoveByName("mode")
		storage.Fields.GetByName("scope").(*core.SelectField).Values = []string{"user", "shared"}
		if err := app.Save(storage); err != nil {
			return err
		}
		minis, err := app.FindCollectionByNameOrId("minis")
		if err != nil {
			return err
		}
		minis.Fields.RemoveByName("shared_quota_mb")
		minis.Fields.RemoveByName("shared_quota_keys")
		return app.Save(minis)
	})
}
