package market_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/pay"
	"plaza/hooks/testkit"
)

// listing stores an active listing directly (the selling form has its own tests).
func listing(t *testing.T, s *testkit.Server, seller *core.Record, title string, price, stock int) *core.Record {
	t.Helper()
	c, err := s.App.FindCollectionByNameOrId("listings")
	if err != nil {
		t.Fatal(err)
	}
	l := core.NewRecord(c)
	l.Set("seller", seller.Id)
	l.Set("title", title)
	l.Set("body", "Good as new.")
	l.Set("price", price)
	l.Set("currency", "usd")
	l.Set("stock", stock)
	l.Set("category", "books")
	l.Set("status", "active")
	if err := s.App.Save(l); err != nil {
		t.Fatal(err)
	}
	return l
}

// buyOK buys through the form and returns the order (and checks the
// redirect goes to Stripe's hosted page).
func buyOK(t *testing.T, s *testkit.Server, c *testkit.Client, l *core.Record, q int) *core.Record {
	t.Helper()
	p := c.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {strconv.Itoa(q)}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "https://") {
		t.Fatalf("buy: %d → %q\n%s", p.Status, p.Location, p.Text("[data-testid=form-errors]"))
	}
	o, err := s.App.FindFirstRecordByFilter("orders", "listing = {:l} && checkout_url = {:u}", dbx.Params{"l": l.Id, "u": p.Location})
	if err != nil {
		t.Fatalf("no order holds the Checkout page the buyer was sent to: %v", err)
	}
	if !strings.HasPrefix(o.GetString("checkout_session"), "cs_") {
		t.Fatalf("order not tied to its checkout session: %q", o.GetString("checkout_session"))
	}
	return o
}

func session(o *core.Record, paymentStatus string) map[string]any {
	return map[string]any{
		"id": o.GetString("checkout_session"), "object": "checkout.session", "status": "complete",
		"payment_status": paymentStatus, "client_reference_id": o.Id, "metadata": map[string]string{"order": o.Id},
		"payment_intent": "pi_" + o.Id,
	}
}

func status(t *testing.T, s *testkit.Server, o *core.Record) string {
	t.Helper()
	return s.Reload(o).GetString("status")
}

func stock(t *testing.T, s *testkit.Server, l *core.Record) (int, string) {
	t.Helper()
	r := s.Reload(l)
	return r.GetInt("stock"), r.GetString("status")
}

func TestBuyPayFulfilRefund(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam Seller", "sam@example.org"), s.Member("Bea Buyer", "bea@example.org")
	l := listing(t, s, sam, "Bike lights", 1250, 3)
	buyer, seller := s.SignedIn(bea), s.SignedIn(sam)

	o := buyOK(t, s, buyer, l, 2)
	if o.GetString("status") != "pending" || o.GetInt("amount") != 2500 || o.GetString("buyer") != bea.Id || o.GetString("seller") != sam.Id {
		t.Fatalf("order: %v", o.FieldsData())
	}
	if n, st := stock(t, s, l); n != 1 || st != "active" {
		t.Fatalf("stock after reserving 2 of 3: %d %s", n, st)
	}
	// Back from Stripe, the order page waits for the webhook and updates live.
	buyer.Get("/orders/"+o.Id+"?checkout=done").Expect(http.StatusOK, "Waiting for Stripe", "$25.00", "Awaiting payment")
	live := testkit.ReadSSE(t, buyer.Open("/events", nil).Body)
	defer live.Close()
	sellerLive := testkit.ReadSSE(t, seller.Open("/events", nil).Body)
	defer sellerLive.Close()

	// Stripe delivers the event three times: applied once.
	for range 3 {
		s.Webhook("evt_paid_1", "checkout.session.completed", session(o, "paid"), time.Time{}).Expect(http.StatusOK)
	}
	if got := status(t, s, o); got != "paid" {
		t.Fatalf("status %s after checkout.session.completed", got)
	}
	if n := s.Count("stripe_events", "event_id = 'evt_paid_1'", nil); n != 1 {
		t.Fatalf("%d stripe_events rows for one event", n)
	}
	if ev := live.Next("order"); !strings.Contains(ev.Data, o.Id) || !strings.Contains(ev.Data, `"paid"`) {
		t.Errorf("buyer's live event: %s", ev.Data)
	}
	if ev := sellerLive.Next("order"); !strings.Contains(ev.Data, "Sold: “Bike lights” is paid") {
		t.Errorf("seller's live event: %s", ev.Data)
	}
	if s.Reload(o).GetString("payment_intent") != "pi_"+o.Id {
		t.Error("payment intent not kept")
	}
	card := buyer.Do(fragment(t, s, "/orders/"+o.Id)).Expect(http.StatusOK)
	if card.Text("[data-testid=order-status]") != "Paid" {
		t.Errorf("live card shows %q", card.Text("[data-testid=order-status]"))
	}

	// Only the seller marks it sent; the buyer can't.
	buyer.PostForm("/orders/"+o.Id+"/fulfil", nil).Expect(http.StatusConflict)
	seller.Get("/orders?view=sales").Expect(http.StatusOK, "Bike lights", "Paid: send it")
	seller.PostForm("/orders/"+o.Id+"/fulfil", nil).ExpectRedirect("/orders/" + o.Id)
	if got := status(t, s, o); got != "fulfilled" {
		t.Fatalf("status %s after fulfil", got)
	}
	buyer.Get("/orders").Expect(http.StatusOK, "Bike lights", "Sent")

	// A refund is asked of Stripe; charge.refunded settles it.
	seller.PostForm("/orders/"+o.Id+"/refund", nil).ExpectRedirect("/orders/" + o.Id)
	if !s.Reload(o).GetBool("refund_requested") || status(t, s, o) != "fulfilled" {
		t.Fatal("refund request not recorded")
	}
	seller.Get("/orders/"+o.Id).Expect(http.StatusOK, "Refund requested")
	s.Webhook("evt_refund_1", "charge.refunded", map[string]any{
		"id": "ch_1", "object": "charge", "refunded": true, "payment_intent": "pi_" + o.Id,
	}, time.Time{}).Expect(http.StatusOK)
	if got := status(t, s, o); got != "refunded" {
		t.Fatalf("status %s after charge.refunded", got)
	}
	// A paid order's stock isn't given back by a refund.
	if n, _ := stock(t, s, l); n != 1 {
		t.Errorf("stock %d after refund", n)
	}
}

// fragment is the request live.js makes to refresh an order card.
func fragment(t *testing.T, s *testkit.Server, path string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Plaza-Fragment", "order")
	return req
}

// Events arrive in any order and more than once: orders only move forward,
// so every shuffle of what Stripe sends for one payment ends the same way.
func TestWebhookOrderNeverMovesBack(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	// stripe-mock keeps nothing, so the payment intent a refund names (which
	// Plaza looks up when the refund overtakes the payment) comes from a
	// stand-in that knows each test order's intent.
	intents := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/v1/payment_intents/")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "payment_intent", "metadata": map[string]string{"order": strings.TrimPrefix(id, "pi_")}})
	}))
	defer intents.Close()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Lamp", 900, 100)
	buyer := s.SignedIn(bea)

	type event struct {
		kind string
		obj  map[string]any
	}
	refunded := func(o *core.Record) map[string]any {
		return map[string]any{"id": "ch_" + o.Id, "object": "charge", "refunded": true, "payment_intent": "pi_" + o.Id}
	}
	cases := []struct {
		name   string
		events func(o *core.Record) []event
		want   string
	}{
		{"paid then refunded", func(o *core.Record) []event {
			return []event{{"checkout.session.completed", session(o, "paid")}, {"charge.refunded", refunded(o)}}
		}, "refunded"},
		{"bank transfer that clears", func(o *core.Record) []event {
			return []event{{"checkout.session.completed", session(o, "unpaid")}, {"checkout.session.async_payment_succeeded", session(o, "paid")}}
		}, "paid"},
		{"bank transfer that clears, then refunded", func(o *core.Record) []event {
			return []event{{"checkout.session.completed", session(o, "unpaid")},
				{"checkout.session.async_payment_succeeded", session(o, "paid")}, {"charge.refunded", refunded(o)}}
		}, "refunded"},
		{"bank transfer that fails", func(o *core.Record) []event {
			return []event{{"checkout.session.completed", session(o, "unpaid")}, {"checkout.session.async_payment_failed", session(o, "unpaid")}}
		}, "canceled"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	mock := pay.ConfigOf(s.App)
	for _, c := range cases {
		for round := range 4 {
			pay.Configure(s.App, mock)
			o := buyOK(t, s, buyer, l, 1)
			pay.Configure(s.App, pay.Config{SecretKey: mock.SecretKey, WebhookSecret: mock.WebhookSecret, APIBase: intents.URL})
			evs := c.events(o)
			for i := range evs { // each delivered twice
				evs[i].obj["_n"] = i
			}
			evs = append(evs, evs...)
			rng.Shuffle(len(evs), func(a, b int) { evs[a], evs[b] = evs[b], evs[a] })
			var kinds []string
			for _, ev := range evs {
				id := "evt_" + o.Id + "_" + strconv.Itoa(ev.obj["_n"].(int))
				s.Webhook(id, ev.kind, ev.obj, time.Time{}).Expect(http.StatusOK)
				kinds = append(kinds, ev.kind)
			}
			if got := status(t, s, o); got != c.want {
				t.Errorf("%s, round %d, events %v: status %s, want %s", c.name, round, kinds, got, c.want)
			}
		}
	}
}

func TestExpiredAndCanceledReleaseStock(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Only one", 500, 1)
	buyer := s.SignedIn(bea)

	o := buyOK(t, s, buyer, l, 1)
	if n, st := stock(t, s, l); n != 0 || st != "sold" {
		t.Fatalf("last item reserved: stock %d %s", n, st)
	}
	// Sold out for everyone else meanwhile.
	other := s.SignedIn(s.Member("Cy", "cy@example.org"))
	other.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"1"}}).Expect(http.StatusConflict, "sold out")

	s.Webhook("evt_exp_1", "checkout.session.expired", map[string]any{
		"id": o.GetString("checkout_session"), "object": "checkout.session", "status": "expired", "payment_status": "unpaid",
		"metadata": map[string]string{"order": o.Id},
	}, time.Time{}).Expect(http.StatusOK)
	if got := status(t, s, o); got != "expired" {
		t.Fatalf("status %s after expiry", got)
	}
	if n, st := stock(t, s, l); n != 1 || st != "active" {
		t.Fatalf("stock not released on expiry: %d %s", n, st)
	}
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Expired", "Nothing was charged")

	// The buyer cancels a pending order: the Checkout page is closed, stock returns.
	o2 := buyOK(t, s, other, l, 1)
	other.PostForm("/orders/"+o2.Id+"/cancel", nil).ExpectRedirect("/orders/" + o2.Id)
	if got := status(t, s, o2); got != "canceled" {
		t.Fatalf("status %s after cancel", got)
	}
	if n, st := stock(t, s, l); n != 1 || st != "active" {
		t.Fatalf("stock not released on cancel: %d %s", n, st)
	}
	other.PostForm("/orders/"+o2.Id+"/cancel", nil).Expect(http.StatusConflict)
	// A late payment for the canceled order doesn't resurrect it, and is flagged.
	s.Webhook("evt_late", "checkout.session.completed", session(o2, "paid"), time.Time{}).Expect(http.StatusOK)
	if got := status(t, s, o2); got != "canceled" || !strings.Contains(s.Reload(o2).GetString("problem"), "refund") {
		t.Fatalf("late payment: %s %q", got, s.Reload(o2).GetString("problem"))
	}
}

func TestAsyncPayments(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Tent", 9900, 2)
	buyer := s.SignedIn(bea)

	o := buyOK(t, s, buyer, l, 1)
	s.Webhook("evt_a1", "checkout.session.completed", session(o, "unpaid"), time.Time{}).Expect(http.StatusOK)
	if got := status(t, s, o); got != "pending" {
		t.Fatalf("unpaid completion moved the order to %s", got)
	}
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "processing")
	s.Webhook("evt_a2", "checkout.session.async_payment_succeeded", session(o, "paid"), time.Time{}).Expect(http.StatusOK)
	if got := status(t, s, o); got != "paid" {
		t.Fatalf("status %s after async success", got)
	}

	o2 := buyOK(t, s, buyer, l, 1)
	s.Webhook("evt_a3", "checkout.session.async_payment_failed", session(o2, "unpaid"), time.Time{}).Expect(http.StatusOK)
	if got := status(t, s, o2); got != "canceled" {
		t.Fatalf("status %s after async failure", got)
	}
	if n, st := stock(t, s, l); n != 1 || st != "active" {
		t.Fatalf("failed payment kept the stock: %d %s", n, st)
	}
	buyer.Get("/orders/"+o2.Id).Expect(http.StatusOK, "The payment failed")
}

func TestWebhookRefusesForgeries(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Chair", 3000, 1)
	o := buyOK(t, s, s.SignedIn(bea), l, 1)
	payload, _ := json.Marshal(map[string]any{"id": "evt_forged", "object": "event", "type": "checkout.session.completed",
		"data": map[string]any{"object": session(o, "paid")}})

	s.PostWebhook(payload, "").Expect(http.StatusBadRequest)
	s.PostWebhook(payload, "t=123,v1=deadbeef").Expect(http.StatusBadRequest)
	// Signed with the right secret but five minutes and more ago: a replay.
	s.Webhook("evt_stale", "checkout.session.completed", session(o, "paid"), time.Now().Add(-301*time.Second)).Expect(http.StatusBadRequest)
	if got := status(t, s, o); got != "pending" || s.Count("stripe_events", "", nil) != 0 {
		t.Fatalf("a forged event had an effect: %s, %d events", got, s.Count("stripe_events", "", nil))
	}
	// Types Plaza ignores are acknowledged and change nothing.
	s.Webhook("evt_other", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}, time.Time{}).Expect(http.StatusOK)
	if s.Count("stripe_events", "", nil) != 0 || status(t, s, o) != "pending" {
		t.Fatal("an ignored event was recorded")
	}
	// A refund of a charge that isn't one of Plaza's changes nothing.
	s.Webhook("evt_foreign", "charge.refunded", map[string]any{"id": "ch_foreign", "object": "charge", "refunded": true,
		"payment_intent": "pi_foreign"}, time.Time{}).Expect(http.StatusOK)
	if status(t, s, o) != "pending" {
		t.Fatal("a foreign refund touched an order")
	}
	// Without a webhook secret the endpoint says so.
	pay.Configure(s.App, pay.Config{SecretKey: "sk_test_x"})
	s.PostWebhook(payload, "t=1,v1=00").Expect(http.StatusServiceUnavailable)
}

// A signature dated ahead of time is refused like a stale one: Stripe's
// tolerance (5 minutes) holds both ways, so an event signed for later can't
// be replayed until then. Within the tolerance (clocks drift) it is applied.
func TestWebhookRefusesFutureTimestamps(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Stool", 2500, 1)
	buyer := s.SignedIn(bea)
	o := buyOK(t, s, buyer, l, 1)

	s.Webhook("evt_future", "checkout.session.completed", session(o, "paid"), time.Now().Add(10*time.Minute)).
		Expect(http.StatusBadRequest, "Invalid signature")
	if got := status(t, s, o); got != "pending" || s.Count("stripe_events", "", nil) != 0 {
		t.Fatalf("an event signed 10 minutes ahead had an effect: %s, %d events", got, s.Count("stripe_events", "", nil))
	}
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Awaiting payment")
	// Just past the tolerance is refused too; within it, applied.
	s.Webhook("evt_future", "checkout.session.completed", session(o, "paid"), time.Now().Add(310*time.Second)).Expect(http.StatusBadRequest)
	s.Webhook("evt_future", "checkout.session.completed", session(o, "paid"), time.Now().Add(2*time.Minute)).Expect(http.StatusOK)
	if got := status(t, s, o); got != "paid" || s.Count("stripe_events", "event_id = 'evt_future'", nil) != 1 {
		t.Fatalf("an event signed 2 minutes ahead wasn't applied: %s", got)
	}
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Paid")
}

func TestBuyRefusals(t *testing.T) {
	s := testkit.Start(t)
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Kettle", 1500, 2)
	buyer, seller := s.SignedIn(bea), s.SignedIn(sam)

	// Without Stripe: a clear refusal, nothing stored.
	buyer.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"1"}}).Expect(http.StatusServiceUnavailable, "Payments are not set up")
	s.Stripe()
	for _, c := range []struct {
		who      *testkit.Client
		quantity string
		status   int
		text     string
	}{
		{seller, "1", http.StatusUnprocessableEntity, "your own listing"},
		{buyer, "3", http.StatusUnprocessableEntity, "Only 2 left"},
		{buyer, "0", http.StatusUnprocessableEntity, "at least 1"},
		{buyer, "two", http.StatusUnprocessableEntity, "at least 1"},
		{buyer, "", http.StatusUnprocessableEntity, "at least 1"},
	} {
		c.who.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {c.quantity}}).Expect(c.status, c.text)
	}
	l.Set("status", "hidden")
	if err := s.App.Save(l); err != nil {
		t.Fatal(err)
	}
	buyer.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"1"}}).Expect(http.StatusNotFound)
	buyer.PostForm("/market/nosuchlisting1/buy", url.Values{"quantity": {"1"}}).Expect(http.StatusNotFound)
	if n := s.Count("orders", "", nil); n != 0 {
		t.Fatalf("%d orders stored by refused purchases", n)
	}
	if n, _ := stock(t, s, l); n != 2 {
		t.Fatalf("stock %d after refusals", n)
	}
}

// Stripe failing (down, 5xx, declined) leaves a pending order with a clear
// problem and a way to try again or cancel, never a 500.
func TestStripeErrors(t *testing.T) {
	s := testkit.Start(t)
	base := s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Radio", 4000, 1)
	buyer := s.SignedIn(bea)

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"type":"api_error","message":"boom"}}`))
	}))
	defer failing.Close()
	pay.Configure(s.App, pay.Config{SecretKey: "sk_test_x", WebhookSecret: testkit.WebhookSecret, APIBase: failing.URL})

	p := buyer.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"1"}})
	o, err := s.App.FindFirstRecordByFilter("orders", "listing = {:l}", dbx.Params{"l": l.Id})
	if err != nil {
		t.Fatalf("no order kept after a Stripe failure: %d", p.Status)
	}
	p.ExpectRedirect("/orders/" + o.Id)
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "busy or down", "Nothing was charged", "Try paying again", "Cancel order")
	// A retry while still down, then with Stripe back.
	buyer.PostForm("/orders/"+o.Id+"/pay", nil).Expect(http.StatusBadGateway, "busy or down")
	up := pay.Config{SecretKey: "sk_test_x", WebhookSecret: testkit.WebhookSecret, APIBase: base}
	down := pay.Config{SecretKey: "sk_test_x", WebhookSecret: testkit.WebhookSecret, APIBase: failing.URL}
	pay.Configure(s.App, up)
	p = buyer.PostForm("/orders/"+o.Id+"/pay", nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "https://") {
		t.Fatalf("retry: %d %q", p.Status, p.Location)
	}
	if r := s.Reload(o); r.GetString("problem") != "" || r.GetInt("attempts") != 3 || r.GetString("status") != "pending" {
		t.Fatalf("after retry: %v", r.FieldsData())
	}
	// Canceling must close that Checkout page first: with Stripe down the
	// order stays open and says so; once Stripe answers, it is canceled.
	pay.Configure(s.App, down)
	buyer.PostForm("/orders/"+o.Id+"/cancel", nil).Expect(http.StatusBadGateway, "still open")
	if status(t, s, o) != "pending" {
		t.Fatal("canceled without closing the Checkout page")
	}
	pay.Configure(s.App, up)
	buyer.PostForm("/orders/"+o.Id+"/cancel", nil).ExpectRedirect("/orders/" + o.Id)
	if n, st := stock(t, s, l); status(t, s, o) != "canceled" || n != 1 || st != "active" {
		t.Fatalf("after cancel: %s, stock %d %s", status(t, s, o), n, st)
	}

	// A card error reads as a decline.
	declined := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusPaymentRequired)
		w.Write([]byte(`{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}`))
	}))
	defer declined.Close()
	if got := pay.Explain(stripeErr(t, declined.URL)); !strings.Contains(got, "declined") {
		t.Errorf("decline explained as %q", got)
	}
}

func stripeErr(t *testing.T, base string) error {
	cfg := pay.Config{SecretKey: "sk_test_x", APIBase: base}
	_, err := cfg.Client().Refunds.New(nil)
	if err == nil {
		t.Fatal("no error from a failing server")
	}
	return err
}

// Only the buyer, the seller and admins see an order, on pages and through /api/.
func TestOrdersArePrivate(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea, eve := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org"), s.Member("Eve", "eve@example.org")
	l := listing(t, s, sam, "Desk", 12000, 1)
	o := buyOK(t, s, s.SignedIn(bea), l, 1)

	s.SignedIn(eve).Get("/orders/" + o.Id).Expect(http.StatusNotFound)
	s.SignedIn(eve).PostForm("/orders/"+o.Id+"/cancel", nil).Expect(http.StatusNotFound)
	s.SignedIn(sam).Get("/orders/" + o.Id).Expect(http.StatusOK)
	s.SignedIn(bea).Get("/orders/" + o.Id).Expect(http.StatusOK)

	api := func(member *core.Record, path string) (int, int) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		if member != nil {
			req.Header.Set("Authorization", s.Token(member))
		}
		p := s.Client().Do(req)
		var list struct {
			TotalItems int `json:"totalItems"`
		}
		json.Unmarshal([]byte(p.Body), &list)
		return p.Status, list.TotalItems
	}
	for _, c := range []struct {
		who  *core.Record
		path string
		want int
	}{
		{bea, "/api/collections/orders/records", 1},
		{sam, "/api/collections/orders/records", 1},
		{eve, "/api/collections/orders/records", 0},
		{nil, "/api/collections/orders/records", 0},
	} {
		if _, n := api(c.who, c.path); n != c.want {
			t.Errorf("%s: %d orders, want %d", c.path, n, c.want)
		}
	}
	if st, _ := api(eve, "/api/collections/orders/records/"+o.Id); st != http.StatusNotFound {
		t.Errorf("a stranger's view of an order: %d", st)
	}
	if st, _ := api(bea, "/api/collections/stripe_events/records"); st != http.StatusForbidden {
		t.Errorf("stripe_events listed by a member: %d", st)
	}
	req, _ := http.NewRequest(http.MethodPatch, s.URL+"/api/collections/orders/records/"+o.Id, strings.NewReader(`{"status":"paid"}`))
	req.Header.Set("Authorization", s.Token(bea))
	req.Header.Set("Content-Type", "application/json")
	if p := s.Client().Do(req); p.Status < 400 || status(t, s, o) != "pending" {
		t.Errorf("a buyer set their own order paid through the API: %d", p.Status)
	}
}

// Contact from an order opens a chat even when buyer and seller aren't friends.
func TestOrderContact(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	o := buyOK(t, s, s.SignedIn(bea), listing(t, s, sam, "Vase", 2000, 1), 1)
	p := s.SignedIn(bea).PostForm("/orders/"+o.Id+"/contact", nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/chats/") {
		t.Fatalf("contact: %d %q", p.Status, p.Location)
	}
	s.SignedIn(sam).Get(p.Location).Expect(http.StatusOK)

	// From a listing too; a block stops it.
	l := listing(t, s, sam, "Mirror", 3000, 1)
	eve := s.Member("Eve", "eve@example.org")
	p = s.SignedIn(eve).PostForm("/market/"+l.Id+"/contact", nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/chats/") {
		t.Fatalf("contact seller: %d %q", p.Status, p.Location)
	}
	s.SignedIn(sam).PostForm("/friends/"+eve.Id+"/block", nil)
	s.SignedIn(eve).PostForm("/market/"+l.Id+"/contact", nil).Expect(http.StatusForbidden)
}

// Connect: a member seller onboards; once Stripe enables charges, their sales
// are destination charges carrying the organisation's fee.
func TestConnectSeller(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	seller := s.SignedIn(sam)
	seller.Get("/market/seller").Expect(http.StatusOK, "takes payments for members")
	seller.PostForm("/market/seller/connect", nil).Expect(http.StatusConflict)

	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("market_connect", true)
	org.Set("market_fee_percent", 5)
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
	seller.Get("/market/seller").Expect(http.StatusOK, "Connect with Stripe", "5%")
	p := seller.PostForm("/market/seller/connect", nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "https://") {
		t.Fatalf("connect: %d %q", p.Status, p.Location)
	}
	acct, err := s.App.FindFirstRecordByFilter("seller_accounts", "user = {:u}", dbx.Params{"u": sam.Id})
	if err != nil || acct.GetBool("charges_enabled") {
		t.Fatalf("seller account: %v", err)
	}
	seller.Get("/market/seller").Expect(http.StatusOK, "Continue with Stripe")
	// Through /api/, a member sees only their own seller account.
	for who, want := range map[*core.Record]int{sam: 1, bea: 0} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/collections/seller_accounts/records", nil)
		req.Header.Set("Authorization", s.Token(who))
		var list struct {
			TotalItems int `json:"totalItems"`
		}
		if err := json.Unmarshal([]byte(s.Client().Do(req).Body), &list); err != nil || list.TotalItems != want {
			t.Errorf("%s lists %d seller accounts (%v), want %d", who.GetString("name"), list.TotalItems, err, want)
		}
	}

	// Not yet enabled: the organisation sells on the seller's behalf.
	l := listing(t, s, sam, "Print", 10000, 5)
	o := buyOK(t, s, s.SignedIn(bea), l, 1)
	if o.GetString("destination") != "" {
		t.Fatal("destination charge before the account can take charges")
	}
	s.Webhook("evt_acct", "account.updated", map[string]any{"id": acct.GetString("stripe_account"), "object": "account",
		"charges_enabled": true, "payouts_enabled": true, "details_submitted": true}, time.Time{}).Expect(http.StatusOK)
	if !s.Reload(acct).GetBool("charges_enabled") {
		t.Fatal("account.updated not applied")
	}
	seller.Get("/market/seller").Expect(http.StatusOK, "Your Stripe account is connected")

	p = s.SignedIn(bea).PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"2"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("connect buy: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	o2, err := s.App.FindFirstRecordByFilter("orders", "listing = {:l} && quantity = 2", dbx.Params{"l": l.Id})
	if err != nil {
		t.Fatal(err)
	}
	if o2.GetString("destination") != acct.GetString("stripe_account") || o2.GetInt("fee") != 1000 {
		t.Fatalf("connect order: destination %q fee %d", o2.GetString("destination"), o2.GetInt("fee"))
	}
	seller.Get("/orders/"+o2.Id).Expect(http.StatusOK, "Organisation fee", "$10.00")
}
