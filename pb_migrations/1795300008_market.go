package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// listingCategories1008 are the marketplace's categories as this migration
// made them (listings.category); the live list is market.Categories.
var listingCategories1008 = []string{"electronics", "home", "clothing", "books", "sports", "toys", "tickets", "services", "food", "other"}

// The marketplace: listings, orders paid through Stripe Checkout, the Stripe
// events already applied (each once), and members' Stripe Connect accounts.
// org_settings gains the currency, the organisation's fee on member sales and
// whether members may connect their own Stripe accounts.
//
// API rules: members read active and sold listings (and their own, in any
// state); a member reads only orders they bought or sold and their own
// seller account; every write goes through Plaza's pages, which check prices,
// stock and payments (nil rules: superusers only).
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		org.Fields.Add(
			&core.TextField{Name: "currency", Pattern: `^[a-z]{3}$`, Max: 3},
			&core.NumberField{Name: "market_fee_percent", Min: types.Pointer(0.0), Max: types.Pointer(50.0)},
			&core.BoolField{Name: "market_connect"},
		)
		if err := app.Save(org); err != nil {
			return err
		}
		if s, err := app.FindFirstRecordByFilter("org_settings", ""); err == nil {
			s.Set("currency", "usd")
			if err := app.Save(s); err != nil {
				return err
			}
		}

		const member = `@request.auth.id != "" && @request.auth.status = "active"`
		listings := core.NewBaseCollection("listings")
		listings.ListRule = types.Pointer(member + ` && (status = "active" || status = "sold" || seller = @request.auth.id)`)
		listings.ViewRule = listings.ListRule
		listings.Fields.Add(
			&core.RelationField{Name: "seller", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "title", Required: true, Max: 120},
			&core.TextField{Name: "body", Max: 5000},
			&core.NumberField{Name: "price", Required: true, OnlyInt: true, Min: types.Pointer(1.0)}, // minor units
			&core.TextField{Name: "currency", Required: true, Pattern: `^[a-z]{3}$`, Max: 3},
			&core.FileField{Name: "photos", MaxSelect: 9, MaxSize: 10 << 20,
				MimeTypes: []string{"image/jpeg", "image/png", "image/gif", "image/webp"}, Thumbs: []string{"480x480", "1080x0"}},
			&core.NumberField{Name: "stock", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.SelectField{Name: "category", Required: true, MaxSelect: 1, Values: listingCategories1008},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"draft", "active", "sold", "hidden"}},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		listings.AddIndex("idx_listings_status_created", false, "status, created", "")
		listings.AddIndex("idx_listings_seller_created", false, "seller, created", "")
		if err := app.Save(listings); err != nil {
			return err
		}

		orders := core.NewBaseCollection("orders")
		orders.ListRule = types.Pointer(`@request.auth.id != "" && (buyer = @request.auth.id || seller = @request.auth.id)`)
		orders.ViewRule = orders.ListRule
		orders.Fields.Add(
			// Orders outlive listings and, for the accounts, members.
			&core.RelationField{Name: "listing", CollectionId: listings.Id, MaxSelect: 1},
			&core.RelationField{Name: "buyer", CollectionId: users.Id, MaxSelect: 1},
			&core.RelationField{Name: "seller", CollectionId: users.Id, MaxSelect: 1},
			&core.TextField{Name: "title", Required: true, Max: 120}, // the listing's title when bought
			&core.NumberField{Name: "quantity", Required: true, OnlyInt: true, Min: types.Pointer(1.0)},
			&core.NumberField{Name: "unit_price", Required: true, OnlyInt: true, Min: types.Pointer(1.0)},
			&core.NumberField{Name: "amount", Required: true, OnlyInt: true, Min: types.Pointer(1.0)},
			&core.TextField{Name: "currency", Required: true, Pattern: `^[a-z]{3}$`, Max: 3},
			&core.NumberField{Name: "fee", OnlyInt: true, Min: types.Pointer(0.0)}, // the organisation's, on Connect sales
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "paid", "fulfilled", "canceled", "refunded", "expired"}},
			&core.TextField{Name: "checkout_session", Max: 255},
			&core.TextField{Name: "checkout_url", Max: 2000},
			&core.TextField{Name: "payment_intent", Max: 255},
			&core.TextField{Name: "destination", Max: 255},                              // the seller's Connect account, if any
			&core.NumberField{Name: "attempts", OnlyInt: true, Min: types.Pointer(0.0)}, // Checkout sessions asked for
			&core.BoolField{Name: "refund_requested"},
			&core.TextField{Name: "problem", Max: 500}, // the last payment problem, shown to the buyer
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		orders.AddIndex("idx_orders_buyer_created", false, "buyer, created", "")
		orders.AddIndex("idx_orders_seller_created", false, "seller, created", "")
		orders.AddIndex("idx_orders_session", true, "checkout_session", "checkout_session != ''")
		orders.AddIndex("idx_orders_intent", false, "payment_intent", "payment_intent != ''")
		if err := app.Save(orders); err != nil {
			return err
		}

		events := core.NewBaseCollection("stripe_events")
		events.Fields.Add(
			&core.TextField{Name: "event_id", Required: true, Max: 255},
			&core.TextField{Name: "type", Required: true, Max: 100},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		events.AddIndex("idx_stripe_events_event", true, "event_id", "")
		if err := app.Save(events); err != nil {
			return err
		}

		sellers := core.NewBaseCollection("seller_accounts")
		sellers.ListRule = types.Pointer(`@request.auth.id != "" && user = @request.auth.id`)
		sellers.ViewRule = sellers.ListRule
		sellers.Fields.Add(
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "stripe_account", Required: true, Max: 255},
			&core.BoolField{Name: "charges_enabled"},
			&core.BoolField{Name: "payouts_enabled"},
			&core.BoolField{Name: "details_submitted"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		sellers.AddIndex("idx_seller_accounts_user", true, "user", "")
		sellers.AddIndex("idx_seller_accounts_account", true, "stripe_account", "")
		return app.Save(sellers)
	}, func(app core.App) error {
		for _, name := range []string{"seller_accounts", "stripe_events", "orders", "listings"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		for _, f := range []string{"currency", "market_fee_percent", "market_connect"} {
			org.Fields.RemoveByName(f)
		}
		return app.Save(org)
	})
}
