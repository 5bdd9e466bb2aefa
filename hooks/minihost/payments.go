package minihost

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/pay"
)

// A mini's payment happens in three steps, so that what the member agrees
// to is exactly what is charged:
//
//  1. preparePayment: the host page forwards the mini's object as it is;
//     the server reads it strictly and keeps the payment it understood
//     (mini_payments), answering {id, amount, currency, description, …};
//  2. the host page's sheet shows that answer (never the mini's object);
//  3. confirmPayment(id), sent only by the host page when the member
//     confirms: the order and the Checkout page are made from the prepared
//     payment, once, by the member it was prepared for, before it expires.
//
// When the order settles, Plaza itself writes the receipt
// paid:<ref>:@<member> into the mini's shared storage (receipts.go).

var (
	currencyCode = regexp.MustCompile(`^[a-z]{3}$`)
	// A receipt key is "paid:" + ref + ":@" + a 32-character id: ref keeps it within 100.
	refPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:._-]{0,59}$`)
)

const paymentTTL = 10 * time.Minute

// preparedPayment is what the sheet shows and what the order is made from.
type preparedPayment struct {
	ID          string `json:"id"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Description string `json:"description"`
	Ref         string `json:"ref"`
	Display     string `json:"display"` // the amount as money, e.g. "$1.00"
	Mini        string `json:"mini"`    // who asks: the mini's name
	Expires     string `json:"expires"`
}

func preparePayment(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	var p preparedPayment
	err := c.object(0, "requestPayment's object",
		fields{"amount": &p.Amount, "currency": &p.Currency, "description": &p.Description, "ref": &p.Ref},
		"amount", "currency", "description")
	if err != nil {
		return nil, err
	}
	p.Currency = strings.ToLower(p.Currency)
	p.Description = strings.TrimSpace(p.Description)
	switch {
	case p.Amount < 1 || p.Amount > pay.MaxAmount:
		return nil, badRequest("amount must be a whole number of the currency's smallest unit (cents), from 1 to 99999999.")
	case !currencyCode.MatchString(p.Currency):
		return nil, badRequest("currency must be a 3-letter code such as \"usd\".")
	case p.Description == "" || utf8.RuneCountInString(p.Description) > 120:
		return nil, badRequest("description must be 1 to 120 characters.")
	case p.Ref != "" && !refPattern.MatchString(p.Ref):
		return nil, badRequest("ref must be 1 to 60 letters, digits and : . _ - (starting with a letter or digit).")
	case !pay.Enabled(c.e.App):
		return nil, refusal(http.StatusServiceUnavailable, "unavailable", "Payments are not set up on this Plaza.")
	}
	coll, err := c.e.App.FindCachedCollectionByNameOrId("mini_payments")
	if err != nil {
		return nil, err
	}
	now := time.Now()
	// A member's prepared payments that were never confirmed are dropped as they expire.
	if _, err := c.e.App.DB().Delete("mini_payments", dbx.And(
		dbx.HashExp{"user": c.e.Auth.Id, "order": ""},
		dbx.NewExp("expires < {:now}", dbx.Params{"now": types.NowDateTime().String()}),
	)).Execute(); err != nil {
		return nil, err
	}
	rec := core.NewRecord(coll)
	rec.Set("mini", c.mini.ID)
	rec.Set("user", c.e.Auth.Id)
	rec.Set("amount", p.Amount)
	rec.Set("currency", p.Currency)
	rec.Set("description", p.Description)
	rec.Set("ref", p.Ref)
	rec.Set("expires", now.Add(paymentTTL))
	if err := c.e.App.Save(rec); err != nil {
		return nil, err
	}
	p.ID = rec.Id
	p.Display = pay.FormatAmount(p.Amount, p.Currency)
	p.Mini = c.mini.Name
	p.Expires = rec.GetDateTime("expires").String()
	return p, nil
}

// confirmPayment makes the order for a prepared payment and opens its
// Stripe Checkout page (the host opens it in a new window).
func confirmPayment(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	id, err := c.str(0, "The prepared payment", 40, false)
	if err != nil {
		return nil, err
	}
	if !pay.Enabled(c.e.App) {
		return nil, refusal(http.StatusServiceUnavailable, "unavailable", "Payments are not set up on this Plaza.")
	}
	var order *core.Record
	err = c.e.App.RunInTransaction(func(tx core.App) error {
		p, err := tx.FindRecordById("mini_payments", id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (p.GetString("user") != c.e.Auth.Id || p.GetString("mini") != c.mini.ID)) {
			return refusal(http.StatusNotFound, "not_found", "No such payment: ask for it again.")
		} else if err != nil {
			return err
		}
		if p.GetString("order") != "" {
			return refusal(http.StatusConflict, "conflict", "This payment was already confirmed.")
		}
		if p.GetDateTime("expires").Time().Before(time.Now()) {
			return refusal(http.StatusConflict, "conflict", "This payment expired before it was confirmed: ask for it again.")
		}
		coll, err := tx.FindCachedCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		order = core.NewRecord(coll)
		order.Set("buyer", c.e.Auth.Id)
		order.Set("mini", c.mini.ID)
		order.Set("title", p.GetString("description")+" ("+c.mini.Name+")")
		order.Set("quantity", 1)
		order.Set("unit_price", p.GetInt("amount"))
		order.Set("amount", p.GetInt("amount"))
		order.Set("currency", p.GetString("currency"))
		order.Set("status", pay.Pending)
		if err := tx.Save(order); err != nil {
			return err
		}
		p.Set("order", order.Id)
		return tx.Save(p)
	})
	if err != nil {
		return nil, err
	}
	url, err := pay.StartCheckout(c.e.App, order)
	if err != nil {
		return nil, refusal(http.StatusBadGateway, "unavailable", pay.Explain(err))
	}
	return map[string]string{"order": order.Id, "checkout_url": url, "status": pay.Pending}, nil
}

// paymentStatus tells the host how a mini's order stands (it asks until
// the payment settles).
func paymentStatus(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	id, err := c.str(0, "The order", 40, false)
	if err != nil {
		return nil, err
	}
	o, err := c.e.App.FindRecordById("orders", id)
	if err != nil || o.GetString("buyer") != c.e.Auth.Id || o.GetString("mini") != c.mini.ID {
		return nil, refusal(http.StatusNotFound, "not_found", "No such order.")
	}
	return map[string]string{"order": o.Id, "status": o.GetString("status")}, nil
}

// bindReceipts writes a mini's paid receipt when one of its orders settles
// (or is refunded), in the transaction that moves the order: only a
// settled payment can make it, and no member can write it.
func bindReceipts(app core.App) {
	app.OnRecordUpdate("orders").BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original().GetString("status")
		if err := e.Next(); err != nil {
			return err
		}
		after := e.Record.GetString("status")
		if e.Record.GetString("mini") == "" || before == after {
			return nil
		}
		settled := func(s string) bool { return s == pay.Paid || s == pay.Fulfilled }
		switch {
		case settled(after) && !settled(before):
			return writeReceipt(e.App, e.Record, "paid")
		case after == pay.Refunded:
			return writeReceipt(e.App, e.Record, "refunded")
		}
		return nil
	})
}

// receiptKey is where Plaza writes a payment's receipt for the member.
func receiptKey(ref, pseudonym string) string { return "paid:" + ref + ":@" + pseudonym }

func writeReceipt(app core.App, order *core.Record, status string) error {
	p, err := app.FindFirstRecordByData("mini_payments", "order", order.Id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // made before prepared payments existed
	} else if err != nil {
		return err
	}
	if p.GetString("ref") == "" {
		return nil
	}
	mrec, err := app.FindRecordById("minis", p.GetString("mini"))
	if err != nil {
		return err
	}
	m := miniFromRecord(mrec)
	value, err := json.Marshal(map[string]any{
		"order": order.Id, "status": status, "amount": order.GetInt("amount"), "currency": order.GetString("currency"),
		"at": time.Now().UnixMilli(),
	})
	if err != nil {
		return err
	}
	return putPlaza(app, m.ID, receiptKey(p.GetString("ref"), PseudonymousID(m, p.GetString("user"))), value)
}
