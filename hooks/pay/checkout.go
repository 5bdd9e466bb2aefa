package pay

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/stripe/stripe-go/v76"
)

// ErrDisabled is a payment asked of a Plaza without a Stripe key.
var ErrDisabled = errors.New("Payments are not set up on this Plaza yet.")

// checkoutTTL is how long a Checkout page stays payable: Stripe's shortest,
// so stock held by an abandoned checkout comes back soon.
const checkoutTTL = 30 * time.Minute

// StartCheckout asks Stripe for a hosted Checkout page for a pending order
// and stores it on the order (checkout_session, checkout_url). The first
// attempt's idempotency key is the order id, so a retried request never
// makes a second session; a buyer's later "try again" is a new attempt.
//
// A failure is kept on the order (problem) in words for the buyer, and
// returned; the order stays pending and can be tried again or canceled.
func StartCheckout(app core.App, order *core.Record) (string, error) {
	cfg := ConfigOf(app)
	if !cfg.Enabled() {
		return "", ErrDisabled
	}
	id := order.Id
	base := strings.TrimRight(app.Settings().Meta.AppURL, "/")
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(id),
		SuccessURL:        stripe.String(base + "/orders/" + id + "?checkout=done"),
		CancelURL:         stripe.String(base + "/orders/" + id + "?checkout=back"),
		ExpiresAt:         stripe.Int64(time.Now().Add(checkoutTTL).Unix()),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			Quantity: stripe.Int64(int64(order.GetInt("quantity"))),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripe.String(order.GetString("currency")),
				UnitAmount:  stripe.Int64(int64(order.GetInt("unit_price"))),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(order.GetString("title"))},
			},
		}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{"order": id},
		},
	}
	params.AddMetadata("order", id)
	if dest := order.GetString("destination"); dest != "" {
		// A Connect seller: a destination charge, the organisation keeps its fee.
		params.PaymentIntentData.TransferData = &stripe.CheckoutSessionPaymentIntentDataTransferDataParams{Destination: stripe.String(dest)}
		if fee := int64(order.GetInt("fee")); fee > 0 {
			params.PaymentIntentData.ApplicationFeeAmount = stripe.Int64(fee)
		}
	}
	attempt := order.GetInt("attempts") + 1
	key := id
	if attempt > 1 {
		key = id + "-" + strconv.Itoa(attempt)
	}
	params.SetIdempotencyKey(key)

	session, err := cfg.Client().CheckoutSessions.New(params)
	order.Set("attempts", attempt)
	if err != nil {
		order.Set("problem", Explain(err))
		if serr := app.Save(order); serr != nil {
			return "", errors.Join(err, serr)
		}
		return "", err
	}
	order.Set("checkout_session", session.ID)
	order.Set("checkout_url", session.URL)
	order.Set("problem", "")
	if err := app.Save(order); err != nil {
		return "", err
	}
	return session.URL, nil
}

// ExpireCheckout closes an order's Checkout page so it can no longer be paid
// (before the buyer cancels). An already-closed session is not an error.
func ExpireCheckout(app core.App, order *core.Record) error {
	sid := order.GetString("checkout_session")
	cfg := ConfigOf(app)
	if sid == "" || !cfg.Enabled() {
		return nil
	}
	params := &stripe.CheckoutSessionExpireParams{}
	params.SetIdempotencyKey("expire-" + order.Id)
	_, err := cfg.Client().CheckoutSessions.Expire(sid, params)
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode == 400 && strings.Contains(se.Msg, "status") {
		return nil // already complete or expired; the webhook settles it
	}
	return err
}

// Refund asks Stripe to refund a paid order in full. The order shows
// "refund requested" until Stripe's charge.refunded event marks it refunded.
func Refund(app core.App, order *core.Record) error {
	cfg := ConfigOf(app)
	if !cfg.Enabled() {
		return ErrDisabled
	}
	pi := order.GetString("payment_intent")
	if pi == "" {
		return errors.New("Stripe has not told Plaza about this payment yet, so it can't be refunded. Try again in a minute.")
	}
	params := &stripe.RefundParams{PaymentIntent: stripe.String(pi)}
	if order.GetString("destination") != "" {
		params.RefundApplicationFee = stripe.Bool(true) // the seller's share and the fee both go back
		params.ReverseTransfer = stripe.Bool(true)
	}
	params.AddMetadata("order", order.Id)
	params.SetIdempotencyKey("refund-" + order.Id)
	if _, err := cfg.Client().Refunds.New(params); err != nil {
		return err
	}
	order.Set("refund_requested", true)
	return app.Save(order)
}

// Explain puts a Stripe failure in words for a member.
func Explain(err error) string {
	var se *stripe.Error
	if !errors.As(err, &se) {
		if errors.Is(err, ErrDisabled) {
			return err.Error()
		}
		return "We couldn't reach the payment service. Nothing was charged; try again in a moment."
	}
	switch {
	case se.Type == stripe.ErrorTypeCard:
		return "The payment was declined: " + se.Msg
	case se.HTTPStatusCode == 429 || se.HTTPStatusCode >= 500:
		return "The payment service is busy or down. Nothing was charged; try again in a moment."
	case se.HTTPStatusCode == 401:
		return "The payment service refused Plaza's key. Nothing was charged; please tell an admin."
	}
	return "The payment service refused this payment (" + se.Msg + "). Nothing was charged."
}
