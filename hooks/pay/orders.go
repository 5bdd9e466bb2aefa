package pay

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Order statuses (orders.status). An order only moves forward:
//
//	pending → paid → fulfilled → refunded
//	pending → canceled | expired        (unpaid: the reserved stock returns)
//	pending | paid | fulfilled → refunded
//
// so a late or repeated Stripe event can never take an order back.
const (
	Pending   = "pending"
	Paid      = "paid"
	Fulfilled = "fulfilled"
	Canceled  = "canceled"
	Refunded  = "refunded"
	Expired   = "expired"
)

// CanMove reports whether an order may go from one status to another.
func CanMove(from, to string) bool {
	switch from {
	case Pending:
		return to == Paid || to == Canceled || to == Expired || to == Refunded
	case Paid:
		return to == Fulfilled || to == Refunded
	case Fulfilled:
		return to == Refunded
	}
	return false
}

// ErrStock is a purchase of more than the listing has left.
var ErrStock = errors.New("not enough stock")

// Reserve takes quantity off a listing's stock (marking it sold at zero),
// inside tx, or fails with ErrStock.
func Reserve(tx core.App, listingID string, quantity int) error {
	res, err := tx.DB().NewQuery(`UPDATE listings SET stock = stock - {:q},
			status = CASE WHEN stock - {:q} = 0 THEN 'sold' ELSE status END, updated = strftime('%Y-%m-%d %H:%M:%fZ')
		WHERE id = {:id} AND status = 'active' AND stock >= {:q}`).
		Bind(dbx.Params{"id": listingID, "q": quantity}).Execute()
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStock
	}
	return nil
}

// release puts an unpaid order's quantity back on its listing.
func release(tx core.App, order *core.Record) error {
	if order.GetString("listing") == "" {
		return nil // the listing was deleted
	}
	_, err := tx.DB().NewQuery(`UPDATE listings SET stock = stock + {:q},
			status = CASE WHEN status = 'sold' THEN 'active' ELSE status END, updated = strftime('%Y-%m-%d %H:%M:%fZ')
		WHERE id = {:id}`).
		Bind(dbx.Params{"id": order.GetString("listing"), "q": order.GetInt("quantity")}).Execute()
	return err
}

// Move sets an order's status if the move is forward, inside tx, returning
// whether it moved. An unpaid order that ends (canceled, expired) gives its
// stock back in the same transaction. What the buyer was told about the old
// state (problem, processing) is cleared: it no longer applies.
func Move(tx core.App, order *core.Record, to string) (bool, error) {
	return MoveNoting(tx, order, to, "")
}

// MoveNoting is Move leaving note, a line for the buyer about the new state
// (orders.problem), e.g. why the order was canceled.
func MoveNoting(tx core.App, order *core.Record, to, note string) (bool, error) {
	from := order.GetString("status")
	if !CanMove(from, to) {
		return false, nil
	}
	if from == Pending && (to == Canceled || to == Expired) {
		if err := release(tx, order); err != nil {
			return false, err
		}
	}
	order.Set("status", to)
	order.Set("problem", note)
	order.Set("processing", false)
	if to != Pending {
		order.Set("checkout_url", "") // nothing left to pay
	}
	return true, tx.Save(order)
}
