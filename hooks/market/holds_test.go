package market_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/pay"
	"plaza/hooks/testkit"
)

// expiries records the Checkout sessions Plaza asks Stripe to expire, on
// the way to the real stripe-mock.
type expiries struct {
	mu   sync.Mutex
	seen []string
}

func (x *expiries) proxy(t *testing.T, mock string) string {
	target, err := url.Parse(mock)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/checkout/sessions/"), "/expire"); ok && r.Method == http.MethodPost {
			x.mu.Lock()
			x.seen = append(x.seen, id)
			x.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (x *expiries) has(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, s := range x.seen {
		if s == id {
			return true
		}
	}
	return false
}

// openOrders counts a buyer's pending orders of a listing.
func openOrders(s *testkit.Server, buyer, l *core.Record) int {
	return s.Count("orders", "buyer = {:b} AND listing = {:l} AND status = 'pending'", dbx.Params{"b": buyer.Id, "l": l.Id})
}

func setHoldLimits(t *testing.T, s *testkit.Server, quantity, orders int) {
	t.Helper()
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("market_hold_quantity", quantity)
	org.Set("market_hold_orders", orders)
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
}

// One member can't keep a listing's stock (or many listings) off the market
// without paying: at most 10 of one listing and 3 unpaid orders at once by
// default; buying again replaces their earlier unpaid order (its Checkout
// page closed, its stock back); sellers see what is reserved.
func TestHoldLimits(t *testing.T) {
	s := testkit.Start(t)
	var x expiries
	mock := s.Stripe()
	up := pay.Config{SecretKey: "sk_test_plaza", WebhookSecret: testkit.WebhookSecret, APIBase: x.proxy(t, mock)}
	pay.Configure(s.App, up)
	sam, bea, cy := s.Member("Sam Seller", "sam@example.org"), s.Member("Bea Buyer", "bea@example.org"), s.Member("Cy", "cy@example.org")
	jam := listing(t, s, sam, "Jam jars", 400, 30)
	buyer, seller, other := s.SignedIn(bea), s.SignedIn(sam), s.SignedIn(cy)

	// Over the quantity cap: refused with the form kept, nothing reserved.
	p := buyer.PostForm("/market/"+jam.Id+"/buy", url.Values{"quantity": {"11"}}).
		Expect(http.StatusUnprocessableEntity, "You can reserve at most 10 of this at a time")
	if p.Value("input[name=quantity]") != "11" || p.Text("[data-testid=error-quantity]") == "" {
		t.Errorf("the refused quantity isn't kept with its error: %q", p.Value("input[name=quantity]"))
	}
	if n, _ := stock(t, s, jam); n != 30 || s.Count("orders", "", nil) != 0 {
		t.Fatalf("a refused purchase reserved stock: %d left, %d orders", n, s.Count("orders", "", nil))
	}

	// 4 held: the seller sees them reserved on the listing, their page,
	// their sales and the order; the stock field says so when editing.
	o1 := buyOK(t, s, buyer, jam, 4)
	if n, _ := stock(t, s, jam); n != 26 {
		t.Fatalf("stock %d after reserving 4 of 30", n)
	}
	if got := seller.Get("/market/" + jam.Id).Expect(http.StatusOK).Text("[data-testid=reserved]"); got != "4 reserved, awaiting payment" {
		t.Errorf("seller's listing page shows %q", got)
	}
	if other.Get("/market/" + jam.Id).Expect(http.StatusOK).Has("[data-testid=reserved]") {
		t.Error("another member sees what is reserved")
	}
	if got := seller.Get("/market/sellers/" + sam.Id).Expect(http.StatusOK).Text("[data-testid=card-reserved]"); got != "4 reserved, awaiting payment" {
		t.Errorf("seller's page shows %q", got)
	}
	sales := seller.Get("/orders?view=sales").Expect(http.StatusOK, "Reserved, awaiting payment")
	if got := sales.Text("[data-testid=sales-reserved]"); got != "4 reserved in 1 unpaid order, awaiting payment." {
		t.Errorf("sales summary %q", got)
	}
	seller.Get("/orders/"+o1.Id).Expect(http.StatusOK, "4 reserved, awaiting the buyer")
	seller.Get("/market/"+jam.Id+"/edit").Expect(http.StatusOK, "Not counted here: 4 reserved by unpaid orders")
	// The buyer sees their hold on the listing and can replace it.
	mine := buyer.Get("/market/" + jam.Id).Expect(http.StatusOK)
	if href, _ := mine.Doc.Find("[data-testid=my-hold-order]").Attr("href"); href != "/orders/"+o1.Id || !strings.Contains(mine.Text("[data-testid=my-hold]"), "4 reserved") {
		t.Errorf("buyer's hold on the listing page: %q → %q", mine.Text("[data-testid=my-hold]"), href)
	}

	// Buying again replaces the earlier unpaid order: canceled, its
	// Checkout page expired, its stock back, one order left holding.
	o2 := buyOK(t, s, buyer, jam, 6)
	if got := status(t, s, o1); got != "canceled" || !x.has(o1.GetString("checkout_session")) {
		t.Fatalf("earlier order %s, its session expired: %v", got, x.has(o1.GetString("checkout_session")))
	}
	if n, _ := stock(t, s, jam); n != 24 || openOrders(s, bea, jam) != 1 || s.Reload(o2).GetInt("quantity") != 6 {
		t.Fatalf("after replacing 4 by 6: stock %d, %d open orders", n, openOrders(s, bea, jam))
	}
	seller.Get("/market/"+jam.Id).Expect(http.StatusOK, "6 reserved, awaiting payment")

	// Replacing counts the buyer's own hold as stock they can take: the
	// last item, held by Bea, shows sold out to Cy but not to her.
	vase := listing(t, s, sam, "Vase", 2000, 1)
	o3 := buyOK(t, s, buyer, vase, 1)
	other.PostForm("/market/"+vase.Id+"/buy", url.Values{"quantity": {"1"}}).Expect(http.StatusConflict, "sold out")
	page := buyer.Get("/market/" + vase.Id).Expect(http.StatusOK)
	if !page.Has("[data-testid=buy-form]") || page.Has("[data-testid=not-for-sale]") {
		t.Error("the buyer holding the last item can't replace their order")
	}
	o4 := buyOK(t, s, buyer, vase, 1)
	if n, st := stock(t, s, vase); status(t, s, o3) != "canceled" || n != 0 || st != "sold" || openOrders(s, bea, vase) != 1 {
		t.Fatalf("replacing the last item: earlier %s, stock %d %s", status(t, s, o3), n, st)
	}

	// At 3 unpaid orders, a fourth listing is refused (its form kept).
	lamp := listing(t, s, sam, "Lamp", 1500, 2)
	buyOK(t, s, buyer, lamp, 1)
	rug := listing(t, s, sam, "Rug", 5000, 1)
	p = buyer.PostForm("/market/"+rug.Id+"/buy", url.Values{"quantity": {"1"}}).
		Expect(http.StatusUnprocessableEntity, "You have 3 unpaid orders waiting")
	if p.Value("input[name=quantity]") != "1" || !p.Has("[data-testid=buy-form]") {
		t.Error("the buy form isn't kept after the unpaid-orders refusal")
	}
	if n, _ := stock(t, s, rug); n != 1 || s.Count("orders", "listing = {:l}", dbx.Params{"l": rug.Id}) != 0 {
		t.Fatal("the refused purchase reserved the rug")
	}
	// ...but one of those three can still be replaced.
	buyOK(t, s, buyer, jam, 2)
	if n, _ := stock(t, s, jam); n != 28 || openOrders(s, bea, jam) != 1 {
		t.Fatalf("replacing at the limit: stock %d, %d open", n, openOrders(s, bea, jam))
	}
	// Canceling one makes room.
	buyer.PostForm("/orders/"+o4.Id+"/cancel", nil).ExpectRedirect("/orders/" + o4.Id)
	buyOK(t, s, buyer, rug, 1)

	// If Stripe can't close the earlier page, nothing changes.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"type":"api_error","message":"boom"}}`))
	}))
	defer down.Close()
	pay.Configure(s.App, pay.Config{SecretKey: "sk_test_x", WebhookSecret: testkit.WebhookSecret, APIBase: down.URL})
	before, err := s.App.FindRecordsByFilter("orders", "buyer = {:b} && listing = {:l} && status = 'pending'", "", 0, 0, dbx.Params{"b": bea.Id, "l": jam.Id})
	if err != nil || len(before) != 1 {
		t.Fatalf("open jam orders: %d %v", len(before), err)
	}
	buyer.PostForm("/market/"+jam.Id+"/buy", url.Values{"quantity": {"3"}}).Expect(http.StatusBadGateway, "nothing changed")
	if n, _ := stock(t, s, jam); n != 28 || status(t, s, before[0]) != "pending" {
		t.Fatalf("a failed replacement changed things: stock %d, earlier order %s", n, status(t, s, before[0]))
	}
	pay.Configure(s.App, up)

	// The limits are the organisation's to set.
	setHoldLimits(t, s, 2, 1)
	buyer.PostForm("/market/"+jam.Id+"/buy", url.Values{"quantity": {"3"}}).Expect(http.StatusUnprocessableEntity, "at most 2 of this")
	buyer.PostForm("/market/"+jam.Id+"/buy", url.Values{"quantity": {"2"}}).Expect(http.StatusUnprocessableEntity, "You have 2 unpaid orders waiting")
	if n, _ := stock(t, s, jam); n != 28 {
		t.Fatalf("stock %d after refusals", n)
	}
}

// An order whose buyer paid at Checkout by a method the bank confirms later
// (processing) is no hold to replace or count: buying the listing again
// leaves it be, and it can't be paid twice or canceled meanwhile.
func TestProcessingOrderIsNotAHold(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Tiles", 300, 20)
	buyer := s.SignedIn(bea)
	setHoldLimits(t, s, 10, 1)

	o := buyOK(t, s, buyer, l, 5)
	s.Webhook("evt_proc", "checkout.session.completed", session(o, "unpaid"), time.Time{}).Expect(http.StatusOK)
	r := s.Reload(o)
	if r.GetString("status") != "pending" || !r.GetBool("processing") || r.GetString("problem") != "" {
		t.Fatalf("processing order stored as %v", r.FieldsData())
	}
	page := buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Payment is processing", "Payment processing")
	if page.Has("[data-testid=pay]") || page.Has("[data-testid=cancel]") {
		t.Error("a processing order offers to pay again or cancel")
	}
	buyer.PostForm("/orders/"+o.Id+"/pay", nil).Expect(http.StatusConflict, "being confirmed by your bank")
	buyer.PostForm("/orders/"+o.Id+"/cancel", nil).Expect(http.StatusConflict, "confirming the payment")

	o2 := buyOK(t, s, buyer, l, 2)
	if status(t, s, o) != "pending" || status(t, s, o2) != "pending" {
		t.Fatal("buying again replaced an order the buyer already paid")
	}
	if n, _ := stock(t, s, l); n != 13 {
		t.Fatalf("stock %d, want 20 - 5 - 2", n)
	}
	s.SignedIn(sam).Get("/market/"+l.Id).Expect(http.StatusOK, "7 reserved, awaiting payment")
}

// What the buyer is told follows the order's state, whatever order Stripe's
// events arrive in: a refunded order never says its payment is processing.
func TestOrderAlertMatchesState(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	l := listing(t, s, sam, "Bowl", 1200, 100)
	buyer := s.SignedIn(bea)
	setHoldLimits(t, s, 10, 100)

	refund := func(o *core.Record) map[string]any {
		return map[string]any{"id": "ch_" + o.Id, "object": "charge", "refunded": true, "payment_intent": "pi_" + o.Id,
			"metadata": map[string]string{"order": o.Id}}
	}
	type event struct {
		kind string
		obj  func(o *core.Record) map[string]any
	}
	unpaid := event{"checkout.session.completed", func(o *core.Record) map[string]any { return session(o, "unpaid") }}
	cleared := event{"checkout.session.async_payment_succeeded", func(o *core.Record) map[string]any { return session(o, "paid") }}
	refunded := event{"charge.refunded", refund}
	for _, seq := range [][]event{
		{unpaid, refunded}, {refunded, unpaid},
		{unpaid, cleared, refunded}, {unpaid, refunded, cleared}, {cleared, unpaid, refunded},
		{cleared, refunded, unpaid}, {refunded, unpaid, cleared}, {refunded, cleared, unpaid},
		{unpaid, refunded, unpaid, refunded}, // delivered twice
	} {
		o := buyOK(t, s, buyer, l, 1)
		var kinds []string
		for i, ev := range seq {
			s.Webhook("evt_"+o.Id+"_"+strings.ReplaceAll(ev.kind, ".", "_")+"_"+string(rune('a'+i%2)), ev.kind, ev.obj(o), time.Time{}).Expect(http.StatusOK)
			kinds = append(kinds, ev.kind)
		}
		r := s.Reload(o)
		if r.GetString("status") != "refunded" || r.GetBool("processing") || r.GetString("problem") != "" {
			t.Errorf("%v: stored status %s, processing %v, problem %q", kinds, r.GetString("status"), r.GetBool("processing"), r.GetString("problem"))
		}
		page := buyer.Get("/orders/" + o.Id).Expect(http.StatusOK)
		if page.Text("[data-testid=order-status]") != "Refunded" || page.Has("[data-testid=order-processing]") ||
			page.Has("[data-testid=order-problem]") || strings.Contains(page.Body, "Payment is processing") {
			t.Errorf("%v: the buyer sees %q with %q %q", kinds, page.Text("[data-testid=order-status]"),
				page.Text("[data-testid=order-processing]"), page.Text("[data-testid=order-problem]"))
		}
	}

	// Only pending: processing shows; paid, it is gone.
	o := buyOK(t, s, buyer, l, 1)
	s.Webhook("evt_p1", "checkout.session.completed", session(o, "unpaid"), time.Time{}).Expect(http.StatusOK)
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Payment is processing")
	s.Webhook("evt_p2", "checkout.session.async_payment_succeeded", session(o, "paid"), time.Time{}).Expect(http.StatusOK)
	buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Paid").ExpectNot("Payment is processing")

	// A failure to start Checkout is no longer shown once the order is canceled.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":{"type":"api_error","message":"down"}}`))
	}))
	defer down.Close()
	mock := pay.ConfigOf(s.App)
	pay.Configure(s.App, pay.Config{SecretKey: "sk_test_x", WebhookSecret: testkit.WebhookSecret, APIBase: down.URL})
	p := buyer.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"1"}})
	failed, err := s.App.FindFirstRecordByFilter("orders", "problem != ''")
	if err != nil {
		t.Fatalf("no order with a problem after Stripe failed: %d", p.Status)
	}
	buyer.Get("/orders/"+failed.Id).Expect(http.StatusOK, "busy or down")
	pay.Configure(s.App, mock)
	buyer.PostForm("/orders/"+failed.Id+"/cancel", nil).ExpectRedirect("/orders/" + failed.Id)
	buyer.Get("/orders/"+failed.Id).Expect(http.StatusOK, "Canceled").ExpectNot("busy or down")

	// A payment after the order ended asks an admin to refund it, until
	// its refund arrives, in either order.
	for i, late := range [][]event{{cleared, refunded}, {refunded, cleared}} {
		o := buyOK(t, s, buyer, l, 1)
		buyer.PostForm("/orders/"+o.Id+"/cancel", nil).ExpectRedirect("/orders/" + o.Id)
		for j, ev := range late {
			s.Webhook("evt_late_"+o.Id+"_"+string(rune('a'+j)), ev.kind, ev.obj(o), time.Time{}).Expect(http.StatusOK)
		}
		if got := buyer.Get("/orders/"+o.Id).Expect(http.StatusOK, "Canceled").Text("[data-testid=order-problem]"); !strings.Contains(got, "has been refunded") {
			t.Errorf("late payment then refund, case %d: the buyer reads %q", i, got)
		}
	}
}

// The limits hold when one buyer's purchases race each other: they are
// checked again in the transaction that reserves the stock.
func TestHoldLimitsUnderRace(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	sam, bea := s.Member("Sam", "sam@example.org"), s.Member("Bea", "bea@example.org")
	setHoldLimits(t, s, 10, 2)
	var ls []*core.Record
	for i := range 12 {
		ls = append(ls, listing(t, s, sam, "Item "+strconv.Itoa(i), 100, 1))
	}
	buyer := s.SignedIn(bea)
	var wg sync.WaitGroup
	codes := make([]int, len(ls))
	for i, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = buyer.PostForm("/market/"+l.Id+"/buy", url.Values{"quantity": {"1"}}).Status
		}()
	}
	wg.Wait()
	placed := s.Count("orders", "buyer = {:b} AND status = 'pending'", dbx.Params{"b": bea.Id})
	if placed != 2 {
		t.Fatalf("%d unpaid orders after racing purchases (limit 2): %v", placed, codes)
	}
	for i, c := range codes {
		if c != http.StatusSeeOther && c != http.StatusConflict && c != http.StatusUnprocessableEntity {
			t.Errorf("purchase %d answered %d", i, c)
		}
	}
	sold := 0
	for _, l := range ls {
		if n, _ := stock(t, s, l); n == 0 {
			sold++
		}
	}
	if sold != 2 {
		t.Fatalf("%d listings reserved, want 2", sold)
	}
}
