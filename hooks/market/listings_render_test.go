package market

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"

	"plaza/templates"
)

// TestRenderListingShowsBuyErrors: the buy handler re-renders the listing
// with renderListing; what was typed and what went wrong show in the buy
// bar, and a listing the viewer may not see stays a 404.
func TestRenderListingShowsBuyErrors(t *testing.T) {
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Cleanup()
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	member := func(name string) *core.Record {
		u := core.NewRecord(users)
		u.Set("name", name)
		u.SetEmail(strings.ToLower(name) + "@example.org")
		u.SetPassword("correct-horse-battery")
		u.Set("status", "active")
		u.Set("role", "member")
		if err := app.Save(u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	ana, ben := member("Ana"), member("Ben")
	l, err := CreateListing(app, NewListing{Seller: ana.Id, Title: "Lamp", Price: 1500, Currency: "usd", Stock: 2, Category: "home"})
	if err != nil {
		t.Fatal(err)
	}
	render := func(viewer, listing *core.Record, status int, buy templates.BuyVM) (*httptest.ResponseRecorder, *goquery.Document, error) {
		t.Helper()
		rec := httptest.NewRecorder()
		e := &core.RequestEvent{App: app, Auth: viewer}
		e.Request = httptest.NewRequest(http.MethodPost, "/market/"+listing.Id+"/buy", nil)
		e.Response = rec
		err := renderListing(e, status, listing, buy)
		doc, derr := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
		if derr != nil {
			t.Fatal(derr)
		}
		return rec, doc, err
	}

	var buy templates.BuyVM
	buy.Quantity = "7"
	buy.Errors.Add("quantity", "Quantity", "Only 2 left: choose 2 or fewer.")
	buy.Errors.Add("", "", "Payments are unavailable right now.")
	rec, doc, err := render(ben, l, http.StatusUnprocessableEntity, buy)
	if err != nil || rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("render: %v, status %d", err, rec.Code)
	}
	summary := doc.Find("[data-testid=buybar] [data-testid=form-errors]").Text()
	if !strings.Contains(summary, "Only 2 left") || !strings.Contains(summary, "Payments are unavailable") {
		t.Errorf("buy errors not summarised: %q", summary)
	}
	if href, _ := doc.Find("[data-testid=form-errors] a").Attr("href"); href != "#f-quantity" {
		t.Errorf("the quantity error links to %q", href)
	}
	q := doc.Find("#f-quantity")
	if v, _ := q.Attr("value"); v != "7" {
		t.Errorf("quantity %q, want what was typed", v)
	}
	if inv, _ := q.Attr("aria-invalid"); inv != "true" || doc.Find("#e-quantity").Text() != "Only 2 left: choose 2 or fewer." {
		t.Error("the quantity field isn't marked with its error")
	}
	if max, _ := q.Attr("max"); max != "2" {
		t.Errorf("quantity max %q, want the stock", max)
	}

	// Sold out meanwhile: the message shows, without a buy form.
	l.Set("stock", 0)
	l.Set("status", listingSold)
	var gone templates.BuyVM
	gone.Errors.Add("", "", "Sorry, this has sold out.")
	rec, doc, _ = render(ben, l, http.StatusConflict, gone)
	if rec.Code != http.StatusConflict || !strings.Contains(doc.Find("[data-testid=form-errors]").Text(), "sold out") || doc.Find("[data-testid=buy-form]").Length() != 0 {
		t.Errorf("sold-out refusal: %d, buy form %d", rec.Code, doc.Find("[data-testid=buy-form]").Length())
	}

	// Hidden: still a page for the seller, a 404 for anyone else.
	l.Set("status", listingHidden)
	if _, _, err := render(ben, l, http.StatusOK, templates.BuyVM{}); err == nil || router.ToApiError(err).Status != http.StatusNotFound {
		t.Errorf("hidden listing rendered for another member: %v", err)
	}
	if rec, _, err := render(ana, l, http.StatusOK, templates.BuyVM{}); err != nil || rec.Code != http.StatusOK {
		t.Errorf("the seller's hidden listing: %v %d", err, rec.Code)
	}
}
