package minihost_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// rawBridge posts a bridge call's body exactly as given (keys a JSON
// encoder would never write twice or in another case).
func rawBridge(t *testing.T, s *testkit.Server, c *testkit.Client, slug, method, body string) *testkit.Page {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/minis/"+slug+"/bridge/"+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.Do(req)
}

// TestPaymentArgumentsAreStrict: the object the sheet is drawn from and
// the one the charge is made from can't differ, because anything that could
// be read two ways is refused.
func TestPaymentArgumentsAreStrict(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	s.InstallMini(tester("tickets", "payments", "share"))
	a := s.SignedIn(s.Member("Ana", "ana@example.org"))
	allow(t, a, "tickets", "payments", "share")

	for name, body := range map[string]string{
		"upper-case twin":      `{"args":[{"amount":100,"description":"Coffee","currency":"usd","AMOUNT":9999999}]}`,
		"duplicate key":        `{"args":[{"amount":100,"description":"Coffee","currency":"usd","amount":9999999}]}`,
		"escaped duplicate":    `{"args":[{"amount":100,"description":"Coffee","currency":"usd","\u0061mount":9999999}]}`,
		"mixed-case key":       `{"args":[{"Amount":100,"description":"Coffee","currency":"usd"}]}`,
		"currency twin":        `{"args":[{"amount":100,"description":"Coffee","currency":"usd","Currency":"jpy"}]}`,
		"description twin":     `{"args":[{"amount":100,"description":"Coffee","currency":"usd","DESCRIPTION":"Gold bar"}]}`,
		"unknown key":          `{"args":[{"amount":100,"description":"Coffee","currency":"usd","to":"acct_1"}]}`,
		"missing amount":       `{"args":[{"description":"Coffee","currency":"usd"}]}`,
		"fractional amount":    `{"args":[{"amount":100.5,"description":"Coffee","currency":"usd"}]}`,
		"amount as text":       `{"args":[{"amount":"100","description":"Coffee","currency":"usd"}]}`,
		"envelope twin":        `{"args":[{"amount":100,"description":"Coffee","currency":"usd"}],"ARGS":[{"amount":9999999,"description":"Coffee","currency":"usd"}]}`,
		"envelope duplicate":   `{"args":[{"amount":100,"description":"Coffee","currency":"usd"}],"args":[{"amount":9999999,"description":"Coffee","currency":"usd"}]}`,
		"trailing data":        `{"args":[{"amount":100,"description":"Coffee","currency":"usd"}]}{"args":[]}`,
		"not an object":        `{"args":[[100,"usd","Coffee"]]}`,
		"ref with a member id": `{"args":[{"amount":100,"description":"Coffee","currency":"usd","ref":"x:@abc"}]}`,
	} {
		p := rawBridge(t, s, a, "tickets", "preparePayment", body)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `"bad_request"`) {
			t.Errorf("%s: %d %s", name, p.Status, p.Body)
		}
	}
	// share's object is read the same way.
	refused(t, rawBridge(t, s, a, "tickets", "share", `{"args":[{"Room":"x","title":"t","path":""}]}`), http.StatusBadRequest, "bad_request")
	// The old one-step call that charged without the sheet is gone.
	refused(t, a.Bridge("tickets", "requestPayment", map[string]any{"amount": 100, "currency": "usd", "description": "Coffee"}), http.StatusNotFound, "not_found")
	if n := s.Count("mini_payments", "", nil) + s.Count("orders", "", nil); n != 0 {
		t.Fatalf("%d payments/orders stored from refused calls", n)
	}
}

type prepared struct {
	ID, Currency, Description, Display, Mini, Ref string
	Amount                                        int64
}

// TestPaymentIsPreparedThenConfirmed: what the server prepared is what the
// sheet shows and what is charged, once, for that member and mini only;
// the paid receipt is Plaza's to write.
func TestPaymentIsPreparedThenConfirmed(t *testing.T) {
	s := testkit.Start(t)
	s.InstallMini(tester("tickets", "payments", "shared_storage"))
	s.InstallMini(tester("other", "payments"))
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	allow(t, a, "tickets", "payments", "shared_storage")
	allow(t, a, "other", "payments")
	allow(t, b, "tickets", "payments", "shared_storage")
	ticket := map[string]any{"amount": 1500, "currency": "EUR", "description": "  Gala ticket  ", "ref": "ticket:gala"}
	refused(t, a.Bridge("tickets", "preparePayment", ticket), http.StatusServiceUnavailable, "unavailable")
	s.Stripe()

	var p prepared
	result(t, a.Bridge("tickets", "preparePayment", ticket), &p)
	if p.ID == "" || p.Amount != 1500 || p.Currency != "eur" || p.Description != "Gala ticket" || p.Display != "€15.00" || p.Mini != "Tester tickets" {
		t.Fatalf("prepared %+v", p)
	}
	if n := s.Count("orders", "", nil); n != 0 {
		t.Fatalf("%d orders before the member confirmed", n)
	}
	// Only Ana, only from this mini.
	refused(t, b.Bridge("tickets", "confirmPayment", p.ID), http.StatusNotFound, "not_found")
	refused(t, a.Bridge("other", "confirmPayment", p.ID), http.StatusNotFound, "not_found")
	var res struct{ Order, Checkout_url, Status string }
	result(t, a.Bridge("tickets", "confirmPayment", p.ID), &res)
	if !strings.HasPrefix(res.Checkout_url, "https://") || res.Status != "pending" {
		t.Fatalf("confirmPayment: %+v", res)
	}
	o, err := s.App.FindRecordById("orders", res.Order)
	if err != nil || o.GetInt("amount") != 1500 || o.GetInt("unit_price") != 1500 || o.GetString("currency") != "eur" ||
		o.GetString("title") != "Gala ticket (Tester tickets)" || o.GetString("buyer") != ana.Id {
		t.Fatalf("order %v (%v)", o, err)
	}
	// Single use.
	refused(t, a.Bridge("tickets", "confirmPayment", p.ID), http.StatusConflict, "conflict")
	if n := s.Count("orders", "", nil); n != 1 {
		t.Fatalf("%d orders from one prepared payment", n)
	}
	// Expired.
	var late prepared
	result(t, a.Bridge("tickets", "preparePayment", ticket), &late)
	if _, err := s.App.DB().NewQuery("UPDATE mini_payments SET expires = {:t} WHERE id = {:id}").
		Bind(dbx.Params{"t": time.Now().Add(-time.Minute).UTC().Format("2006-01-02 15:04:05.000Z"), "id": late.ID}).Execute(); err != nil {
		t.Fatal(err)
	}
	refused(t, a.Bridge("tickets", "confirmPayment", late.ID), http.StatusConflict, "conflict")

	// No member can write the receipt, not even for themselves.
	refused(t, a.Bridge("tickets", "shared.set", "paid:ticket:gala:@me", map[string]any{"status": "paid"}), http.StatusForbidden, "forbidden")
	var receipt map[string]any
	result(t, a.Bridge("tickets", "shared.get", "paid:ticket:gala:@me"), &receipt)
	if receipt != nil {
		t.Fatalf("a receipt before the payment settled: %v", receipt)
	}
	// The webhook settles it: Plaza writes the receipt, which Ben can read but not change.
	s.Webhook("evt_ticket", "checkout.session.completed", map[string]any{
		"id": o.GetString("checkout_session"), "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"metadata": map[string]string{"order": o.Id}, "payment_intent": "pi_ticket",
	}, time.Time{}).Expect(http.StatusOK)
	var st struct{ Status string }
	result(t, a.Bridge("tickets", "paymentStatus", res.Order), &st)
	if st.Status != "paid" {
		t.Fatalf("status after the webhook: %s", st.Status)
	}
	result(t, a.Bridge("tickets", "shared.get", "paid:ticket:gala:@me"), &receipt)
	if receipt["status"] != "paid" || receipt["amount"] != float64(1500) || receipt["currency"] != "eur" || receipt["order"] != o.Id {
		t.Fatalf("receipt %v", receipt)
	}
	var all map[string]map[string]any
	result(t, b.Bridge("tickets", "shared.list", "paid:ticket:gala:"), &all)
	if len(all) != 1 {
		t.Fatalf("Ben sees receipts %v", all)
	}
	for key := range all {
		refused(t, b.Bridge("tickets", "shared.set", key, 1), http.StatusForbidden, "forbidden")
		refused(t, b.Bridge("tickets", "shared.remove", key), http.StatusForbidden, "forbidden")
		refused(t, a.Bridge("tickets", "shared.remove", key), http.StatusForbidden, "forbidden")
	}
	refused(t, b.Bridge("tickets", "paymentStatus", res.Order), http.StatusNotFound, "not_found")
	a.Get("/orders/"+o.Id).Expect(http.StatusOK, "Gala ticket", "€15.00", "Paid")
}
