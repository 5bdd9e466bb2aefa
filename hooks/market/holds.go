package market

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/pay"
)

// A hold is the stock an unpaid order reserves while its buyer is at
// Stripe Checkout (up to 30 minutes). So that one member can't keep things
// off the market without paying, a buyer may hold at most holdLimits.Quantity
// of one listing and have at most holdLimits.Orders unpaid orders at once;
// buying a listing again replaces their earlier unpaid order for it.
//
// An order whose buyer finished Checkout with a payment the bank still has
// to confirm (processing) is paid as far as the buyer can tell: it is not
// a hold they can replace, and it doesn't count against the limits, though
// its stock stays reserved until the bank answers.

// Plaza's limits when org_settings leaves them at 0.
const (
	defaultHoldQuantity = 10
	defaultHoldOrders   = 3
)

// holdLimits are the organisation's caps on unpaid holds.
type holdLimits struct {
	Quantity int // of one listing, per buyer
	Orders   int // unpaid orders per buyer
}

// holdLimitsOf reads org_settings.market_hold_quantity and market_hold_orders.
func holdLimitsOf(app core.App) holdLimits {
	l := holdLimits{Quantity: defaultHoldQuantity, Orders: defaultHoldOrders}
	org, err := app.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		app.Logger().Warn("market: org_settings missing; default hold limits", "error", err)
		return l
	}
	if n := org.GetInt("market_hold_quantity"); n > 0 {
		l.Quantity = n
	}
	if n := org.GetInt("market_hold_orders"); n > 0 {
		l.Orders = n
	}
	return l
}

// errHoldLimit is a purchase over the limits, found inside the transaction
// that would place it (two buys racing each other).
var errHoldLimit = errors.New("over the hold limits")

// openHoldsFilter selects a buyer's unpaid listing orders that hold stock
// and can be replaced (not processing).
const openHoldsFilter = "buyer = {:buyer} && status = 'pending' && processing = false && listing != ''"

// buyerHolds are the buyer's open holds, oldest first.
func buyerHolds(app core.App, buyer string) ([]*core.Record, error) {
	return app.FindRecordsByFilter("orders", openHoldsFilter, "created", 0, 0, dbx.Params{"buyer": buyer})
}

// splitHolds separates a buyer's holds of listing (and how many items they
// hold) from how many holds they have elsewhere.
func splitHolds(holds []*core.Record, listing string) (mine []*core.Record, held, others int) {
	for _, o := range holds {
		if o.GetString("listing") == listing {
			mine = append(mine, o)
			held += o.GetInt("quantity")
		} else {
			others++
		}
	}
	return mine, held, others
}

// checkHoldLimits, inside the transaction placing an order of quantity q of
// listing, refuses it if the buyer's holds would then exceed the limits.
func checkHoldLimits(tx core.App, buyer, listing string, q int, lim holdLimits) error {
	holds, err := buyerHolds(tx, buyer)
	if err != nil {
		return err
	}
	mine, held, others := splitHolds(holds, listing)
	if len(mine)+others >= lim.Orders || held+q > lim.Quantity {
		return errHoldLimit
	}
	return nil
}

// reserved is how many of each listing unpaid orders hold (processing ones
// too: the seller waits for them all), for the seller's views.
func reserved(app core.App, listingIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(listingIDs) == 0 {
		return out, nil
	}
	ids := make([]any, len(listingIDs))
	for i, id := range listingIDs {
		ids[i] = id
	}
	var rows []struct {
		Listing  string `db:"listing"`
		Quantity int    `db:"quantity"`
	}
	err := app.DB().Select("listing", "SUM(quantity) AS quantity").From("orders").
		Where(dbx.HashExp{"status": pay.Pending}).AndWhere(dbx.In("listing", ids...)).
		GroupBy("listing").All(&rows)
	for _, r := range rows {
		out[r.Listing] = r.Quantity
	}
	return out, err
}

// sellerReserved is how many items the seller's unpaid sales hold, in how many orders.
func sellerReserved(app core.App, seller string) (items, orders int, err error) {
	err = app.DB().Select("COALESCE(SUM(quantity), 0)", "COUNT(*)").From("orders").
		Where(dbx.HashExp{"seller": seller, "status": pay.Pending}).AndWhere(dbx.NewExp("listing != ''")).
		Row(&items, &orders)
	return items, orders, err
}
