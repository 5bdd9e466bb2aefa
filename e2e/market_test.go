//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// fakeCheckout answers the tab's requests to Stripe Checkout with a stand-in
// page (CI has no internet) and records the URLs the tab was sent to.
func (b *Browser) fakeCheckout() func() []string {
	b.t.Helper()
	var mu sync.Mutex
	var seen []string
	ctx := b.ctx
	if err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		mu.Lock()
		seen = append(seen, e.Request.URL)
		mu.Unlock()
		go chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID: e.RequestID, ResponseCode: 200,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
			Body:            []byte(`<!doctype html><title>Stripe Checkout</title><h1 id="stripe">Stripe Checkout (test stand-in)</h1>`),
		})
	}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "https://checkout.stripe.com/*"}},
	}); err != nil {
		b.t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// TestJourneyMarketBuy: Sam lists a lamp; Bea finds it and buys one, going
// to Stripe Checkout; Stripe's webhook lands and Bea's order page shows
// "Paid" without a reload; Sam marks it sent and Bea sees that live too.
func TestJourneyMarketBuy(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	s.Member("Sam Seller", "sam@example.org")
	s.Member("Bea Buyer", "bea@example.org")
	photo := writePNG(t, t.TempDir(), "lamp.png")

	root := startChromium(t)
	sam, bea := newBrowser(t, root, s.URL, "sam"), newBrowser(t, root, s.URL, "bea")
	sam.signIn("sam@example.org")
	bea.signIn("bea@example.org")

	sam.step("list",
		sam.open("/market/new"),
		typeInto("#f-title", "Brass desk lamp"),
		typeInto("#f-body", "Warm light, **works perfectly**."),
		typeInto("#f-price", "12.50"),
		chromedp.SetValue(css("#f-category"), "home"),
		chromedp.SetUploadFiles(css("#f-photos"), []string{photo}),
		clickAndLoad("form[data-testid=listing-form] button[type=submit]", http.StatusOK),
		expectText("main", "Brass desk lamp", "$12.50", "works perfectly"),
	)
	var listingID string
	sam.step("stored", check("the listing is stored", func() error {
		l, err := s.App.FindFirstRecordByFilter("listings", "title = 'Brass desk lamp'")
		if err != nil {
			return err
		}
		if l.GetInt("price") != 1250 || len(l.GetStringSlice("photos")) != 1 {
			return fmt.Errorf("price %d, %d photos", l.GetInt("price"), len(l.GetStringSlice("photos")))
		}
		listingID = l.Id
		return nil
	}))

	sent := bea.fakeCheckout()
	bea.step("find-and-buy",
		bea.open("/market"),
		expectText("main", "Brass desk lamp", "$12.50", "Sam Seller"),
		expectImageLoaded("main img"),
		bea.open("/market/"+listingID),
		expectText("main", "works perfectly"),
		clickAndLoad("form[action$='/buy'] button[type=submit]", http.StatusOK),
		expectText("#stripe", "Stripe Checkout"),
	)
	var orderID string
	bea.step("went-to-stripe", check("the buyer was sent to the order's Checkout page", func() error {
		o, err := s.App.FindFirstRecordByFilter("orders", "listing = {:l}", dbx.Params{"l": listingID})
		if err != nil {
			return err
		}
		orderID = o.Id
		urls := sent()
		if len(urls) == 0 || urls[0] != o.GetString("checkout_url") {
			return fmt.Errorf("sent to %v, the order's Checkout is %s", urls, o.GetString("checkout_url"))
		}
		return nil
	}))

	// Back from Stripe (its success URL), the page waits for the webhook.
	bea.step("back-from-stripe",
		bea.open("/orders/"+orderID+"?checkout=done"),
		expectText("[data-testid=order-status]", "Awaiting payment"),
		expectText("[data-testid=checkout-done]", "Waiting for Stripe"),
		run("window.__sameDocument = true"),
	)
	// While Bea pays, Sam sees the lamp reserved.
	sam.step("sees-reserved",
		sam.open("/market/"+listingID),
		expectText("[data-testid=reserved]", "1 reserved, awaiting payment"),
		sam.open("/orders?view=sales"),
		expectText("[data-testid=sales-reserved]", "1 reserved in 1 unpaid order"),
		expectText("[data-testid=orders]", "Reserved, awaiting payment"),
	)
	sam.step("elsewhere", sam.open("/market"))
	o, err := s.App.FindRecordById("orders", orderID)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the page's event stream is open
	s.Webhook("evt_e2e_paid", "checkout.session.completed", map[string]any{
		"id": o.GetString("checkout_session"), "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"metadata": map[string]string{"order": orderID}, "payment_intent": "pi_e2e",
	}, time.Time{}).Expect(http.StatusOK)
	bea.step("paid-live",
		waitText("[data-testid=order-status]", "Paid"),
		expectJS("no reload", "window.__sameDocument === true"),
		expectCount("[data-testid=checkout-done]", 0),
	)

	sam.step("told-of-the-sale",
		waitText("[data-testid=toast]", "Sold: “Brass desk lamp” is paid"),
		clickAndLoad("[data-testid=toast]", http.StatusOK),
		expectText("[data-testid=order-status]", "Paid: send it"),
	)
	sam.step("fulfil",
		sam.open("/orders?view=sales"),
		expectText("[data-testid=orders]", "Brass desk lamp", "Paid: send it"),
		clickAndLoad("[data-testid=order]", http.StatusOK),
		clickAndLoad("[data-testid=fulfil]", http.StatusOK),
		expectText("[data-testid=order-status]", "Sent"),
	)
	bea.step("sent-live",
		waitText("[data-testid=order-status]", "Sent"),
		expectJS("no reload", "window.__sameDocument === true"),
	)
	if got := s.Reload(o).GetString("status"); got != "fulfilled" {
		t.Fatalf("order %s after fulfil", got)
	}
}
