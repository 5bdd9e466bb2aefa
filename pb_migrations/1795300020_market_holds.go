package pb_migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Market holds (issue 11):
//
//   - org_settings.market_hold_quantity and market_hold_orders cap what one
//     member can hold unpaid: how many of one listing, and how many unpaid
//     orders in all (0 means Plaza's default, 10 and 3).
//   - orders.processing marks a pending order whose buyer finished Checkout
//     with a payment the bank still has to confirm (a bank debit or
//     transfer). It was a line of text in orders.problem, which outlived the
//     order's state; orders stored that way are converted.
const processingNoteV1 = "Payment is processing: this order is marked paid when the bank confirms it."

func init() {
	m.Register(func(app core.App) error {
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		org.Fields.Add(
			&core.NumberField{Name: "market_hold_quantity", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(9999.0)},
			&core.NumberField{Name: "market_hold_orders", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(100.0)},
		)
		if err := app.Save(org); err != nil {
			return err
		}
		if _, err := app.DB().NewQuery("UPDATE org_settings SET market_hold_quantity = 10, market_hold_orders = 3").Execute(); err != nil {
			return err
		}

		orders, err := app.FindCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		orders.Fields.Add(&core.BoolField{Name: "processing"})
		orders.AddIndex("idx_orders_buyer_status", false, "buyer, status", "")
		if err := app.Save(orders); err != nil {
			return err
		}
		_, err = app.DB().NewQuery(`UPDATE orders SET processing = (status = 'pending'), problem = ''
			WHERE problem = {:note}`).Bind(dbx.Params{"note": processingNoteV1}).Execute()
		return err
	}, func(app core.App) error {
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		org.Fields.RemoveByName("market_hold_quantity")
		org.Fields.RemoveByName("market_hold_orders")
		if err := app.Save(org); err != nil {
			return err
		}
		orders, err := app.FindCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		if _, err := app.DB().NewQuery("UPDATE orders SET problem = {:note} WHERE processing = TRUE AND status = 'pending'").
			Bind(dbx.Params{"note": processingNoteV1}).Execute(); err != nil {
			return err
		}
		orders.RemoveIndex("idx_orders_buyer_status")
		orders.Fields.RemoveByName("processing")
		return app.Save(orders)
	})
}
