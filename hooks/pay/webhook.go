package pay

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// maxEventBytes bounds a webhook body (Stripe's events are a few KB).
const maxEventBytes = 256 << 10

// receiveWebhook is POST /stripe/webhook: Stripe's events, verified by
// signature (not by session or CSRF: it is server to server). Stripe retries
// anything but a 2xx, so a bad signature is a 400 and a failure to apply a
// good event is a 500; duplicates and types Plaza ignores are 200.
func receiveWebhook(e *core.RequestEvent) error {
	cfg := ConfigOf(e.App)
	if cfg.WebhookSecret == "" {
		return e.Error(http.StatusServiceUnavailable, "Set STRIPE_WEBHOOK_SECRET to receive Stripe events.", nil)
	}
	body, err := io.ReadAll(http.MaxBytesReader(e.Response, e.Request.Body, maxEventBytes))
	if err != nil {
		return e.BadRequestError("Unreadable event.", err)
	}
	// The signature and its timestamp (at most 5 minutes off, either way)
	// are checked; the API version is not: Plaza reads a few stable fields
	// of each object, and a Stripe account's default version may differ
	// from stripe-go's.
	header := e.Request.Header.Get("Stripe-Signature")
	ev, err := webhook.ConstructEventWithOptions(body, header, cfg.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return e.BadRequestError("Invalid signature.", err)
	}
	if err := checkNotFuture(header, time.Now()); err != nil {
		return e.BadRequestError("Invalid signature.", err)
	}
	if err := Apply(e.App, ev); err != nil {
		e.App.Logger().Error("stripe event not applied", "event", ev.ID, "type", ev.Type, "error", err)
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]bool{"received": true})
}

// errFutureEvent is a signature dated further ahead than the tolerance.
var errFutureEvent = errors.New("webhook: timestamp is too far in the future")

// checkNotFuture refuses a signature dated more than the tolerance after
// now. stripe-go v76 refuses only old ones (validatePayload compares
// time.Since(t) > tolerance, which a future t always passes), so an event
// signed ahead of time, or with a stolen secret, would stay replayable until
// its date. The header has already been verified, so its "t" is the signed
// one; like stripe-go, the last "t" wins.
func checkNotFuture(header string, now time.Time) error {
	var at int64
	for _, pair := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(pair, "t="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errFutureEvent
			}
			at = n
		}
	}
	if time.Unix(at, 0).Sub(now) > webhook.DefaultTolerance {
		return errFutureEvent
	}
	return nil
}

// handled are the event types Plaza acts on.
var handled = map[stripe.EventType]bool{
	"checkout.session.completed":               true,
	"checkout.session.async_payment_succeeded": true,
	"checkout.session.async_payment_failed":    true,
	"checkout.session.expired":                 true,
	"charge.refunded":                          true,
	"account.updated":                          true,
}

var errSeen = errors.New("event already applied")

// Apply records a Stripe event and its effect in one transaction, once:
// a second delivery of the same event id changes nothing.
func Apply(app core.App, ev stripe.Event) error {
	if !handled[ev.Type] || ev.Data == nil {
		return nil
	}
	var charge stripe.Charge
	if ev.Type == "charge.refunded" {
		if err := json.Unmarshal(ev.Data.Raw, &charge); err != nil {
			return err
		}
		if err := resolveCharge(app, &charge); err != nil {
			return err // Stripe retries
		}
	}
	err := app.RunInTransaction(func(tx core.App) error {
		var n int
		if err := tx.DB().Select("COUNT(*)").From("stripe_events").Where(dbx.HashExp{"event_id": ev.ID}).Row(&n); err != nil {
			return err
		}
		if n > 0 {
			return errSeen
		}
		c, err := tx.FindCachedCollectionByNameOrId("stripe_events")
		if err != nil {
			return err
		}
		rec := core.NewRecord(c)
		rec.Set("event_id", ev.ID)
		rec.Set("type", string(ev.Type))
		if err := tx.Save(rec); err != nil {
			if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "unique") {
				return errSeen // the same event, delivered twice at once
			}
			return err
		}
		switch {
		case strings.HasPrefix(string(ev.Type), "checkout.session."):
			var s stripe.CheckoutSession
			if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
				return err
			}
			return applySession(tx, ev.Type, &s)
		case ev.Type == "charge.refunded":
			return applyRefund(tx, &charge)
		case ev.Type == "account.updated":
			var a stripe.Account
			if err := json.Unmarshal(ev.Data.Raw, &a); err != nil {
				return err
			}
			return applyAccount(tx, &a)
		}
		return nil
	})
	if errors.Is(err, errSeen) {
		return nil
	}
	return err
}

// findOrder finds the order an object names: its metadata, else lookup.
func findOrder(tx core.App, id, field, value string) (*core.Record, error) {
	if id != "" {
		if o, err := tx.FindRecordById("orders", id); err == nil {
			return o, nil
		}
	}
	if value == "" {
		return nil, nil
	}
	o, err := tx.FindFirstRecordByData("orders", field, value)
	if err != nil {
		return nil, nil // not one of Plaza's: nothing to do
	}
	return o, nil
}

// Lines for the buyer (orders.problem) about how an order ended.
const (
	noteFailed     = "The payment failed, so this order was canceled. Nothing was charged."
	noteLate       = "Stripe reports a payment after this order ended. An admin should refund it from the Stripe dashboard."
	noteLateRefund = "A payment arrived after this order ended; it has been refunded in full."
)

// applySession applies a Checkout session's event. What the buyer is told
// follows the order's state, whatever order events arrive in: a move
// replaces it (MoveNoting), "processing" is only ever set on a pending
// order, and a late event for an order that has moved on changes nothing
// but the late-payment warning.
func applySession(tx core.App, kind stripe.EventType, s *stripe.CheckoutSession) error {
	ref := s.Metadata["order"]
	if ref == "" {
		ref = s.ClientReferenceID
	}
	order, err := findOrder(tx, ref, "checkout_session", s.ID)
	if err != nil || order == nil {
		return err
	}
	if s.PaymentIntent != nil && s.PaymentIntent.ID != "" && order.GetString("payment_intent") == "" {
		order.Set("payment_intent", s.PaymentIntent.ID)
	}
	status := order.GetString("status")
	var to, note string
	switch kind {
	case "checkout.session.completed":
		if s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid {
			to = Paid
		} else if status == Pending {
			// Checkout is done; the bank confirms later (async_payment_*).
			order.Set("processing", true)
			order.Set("problem", "")
		}
	case "checkout.session.async_payment_succeeded":
		to = Paid
	case "checkout.session.async_payment_failed":
		to, note = Canceled, noteFailed
	case "checkout.session.expired":
		if s.ID != order.GetString("checkout_session") {
			return nil // an earlier attempt's page; the current one is still open
		}
		to = Expired
	}
	if to == Paid && (status == Canceled || status == Expired) && order.GetString("problem") != noteLateRefund {
		// (a refund of that payment can overtake it: then it is settled)
		order.Set("problem", noteLate)
		tx.Logger().Warn("payment for an ended order", "order", order.Id, "session", s.ID)
	}
	if to != "" {
		moved, err := MoveNoting(tx, order, to, note)
		if err != nil || moved {
			return err
		}
	}
	return tx.Save(order)
}

// resolveCharge names the order a charge paid for in ch.Metadata["order"].
// Plaza learns an order's payment intent from checkout.session.completed; a
// refund event can overtake it (a refund from Stripe's dashboard), so then
// the payment intent, which carries the order id, is asked of Stripe.
func resolveCharge(app core.App, ch *stripe.Charge) error {
	if ch.Metadata["order"] != "" || ch.PaymentIntent == nil || ch.PaymentIntent.ID == "" {
		return nil
	}
	if _, err := app.FindFirstRecordByData("orders", "payment_intent", ch.PaymentIntent.ID); err == nil {
		return nil
	}
	cfg := ConfigOf(app)
	if !cfg.Enabled() {
		return nil
	}
	pi, err := cfg.Client().PaymentIntents.Get(ch.PaymentIntent.ID, nil)
	if err != nil {
		return err
	}
	if pi.Metadata["order"] != "" {
		if ch.Metadata == nil {
			ch.Metadata = map[string]string{}
		}
		ch.Metadata["order"] = pi.Metadata["order"]
	}
	return nil
}

func applyRefund(tx core.App, ch *stripe.Charge) error {
	if !ch.Refunded {
		return nil // partly refunded: Plaza refunds whole orders only
	}
	pi := ""
	if ch.PaymentIntent != nil {
		pi = ch.PaymentIntent.ID
	}
	order, err := findOrder(tx, ch.Metadata["order"], "payment_intent", pi)
	if err != nil || order == nil {
		return err
	}
	if order.GetString("payment_intent") == "" && pi != "" {
		order.Set("payment_intent", pi)
	}
	order.Set("refund_requested", false)
	if moved, err := Move(tx, order, Refunded); err != nil || moved {
		return err
	}
	if st := order.GetString("status"); st == Canceled || st == Expired {
		// Only a payment that came after the order ended can be refunded
		// here: the warning asking an admin to refund it is answered.
		order.Set("problem", noteLateRefund)
	}
	return tx.Save(order)
}

func applyAccount(tx core.App, a *stripe.Account) error {
	acct, err := tx.FindFirstRecordByData("seller_accounts", "stripe_account", a.ID)
	if err != nil {
		return nil // not one of this Plaza's sellers
	}
	acct.Set("charges_enabled", a.ChargesEnabled)
	acct.Set("payouts_enabled", a.PayoutsEnabled)
	acct.Set("details_submitted", a.DetailsSubmitted)
	return tx.Save(acct)
}
