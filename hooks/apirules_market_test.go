package hooks_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/market"
	"plaza/hooks/testkit"
)

// TestListingAPIRules: through the REST API a member reads what the market
// pages show them (listings for sale or sold, and their own in any state);
// guests read nothing, and nobody writes listings there.
func TestListingAPIRules(t *testing.T) {
	s := testkit.Start(t)
	ana, eve := s.Member("Ana", "ana@example.org"), s.Member("Eve Outsider", "eve@example.org")
	put := func(title, status string) *core.Record {
		t.Helper()
		l, err := market.CreateListing(s.App, market.NewListing{Seller: ana.Id, Title: title, Price: 500,
			Currency: "usd", Stock: 1, Category: "books"})
		if err != nil {
			t.Fatal(err)
		}
		if status != "active" {
			l.Set("status", status)
			if err := s.App.Save(l); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	active, sold, hidden, draft := put("On sale", "active"), put("Gone", "sold"), put("Secret", "hidden"), put("Unfinished", "draft")
	evil, anaTok := s.Token(eve), s.Token(ana)

	listed := func(token string) map[string]bool {
		t.Helper()
		code, body := api(t, s, token, "GET", "/api/collections/listings/records?perPage=100", "")
		if code != http.StatusOK {
			return nil
		}
		out := map[string]bool{}
		for _, it := range items(t, body) {
			out[it["id"].(string)] = true
		}
		return out
	}

	if got := listed(""); len(got) != 0 {
		t.Errorf("a guest lists %d listings", len(got))
	}
	if code, _ := api(t, s, "", "GET", "/api/collections/listings/records/"+active.Id, ""); code == http.StatusOK {
		t.Error("a guest views a listing")
	}

	seen := listed(evil)
	if !seen[active.Id] || !seen[sold.Id] || seen[hidden.Id] || seen[draft.Id] || len(seen) != 2 {
		t.Errorf("another member lists %v; want only the active and sold listings", seen)
	}
	for _, l := range []*core.Record{hidden, draft} {
		if code, _ := api(t, s, evil, "GET", "/api/collections/listings/records/"+l.Id, ""); code != http.StatusNotFound {
			t.Errorf("another member views a %s listing: %d", l.GetString("status"), code)
		}
	}
	if mine := listed(anaTok); len(mine) != 4 || !mine[hidden.Id] || !mine[draft.Id] {
		t.Errorf("the seller lists %v; want all 4 of hers", mine)
	}
	if code, _ := api(t, s, anaTok, "GET", "/api/collections/listings/records/"+hidden.Id, ""); code != http.StatusOK {
		t.Errorf("the seller can't view her hidden listing: %d", code)
	}

	// A suspended member reads nothing.
	eve.Set("status", "suspended")
	if err := s.App.Save(eve); err != nil {
		t.Fatal(err)
	}
	if got := listed(evil); len(got) != 0 {
		t.Errorf("a suspended member lists %d listings", len(got))
	}

	// Writes go through the pages (which check prices and stock), never the API.
	for _, tok := range []string{evil, anaTok} {
		if code, _ := api(t, s, tok, "POST", "/api/collections/listings/records",
			`{"seller":"`+ana.Id+`","title":"Forged","price":1,"currency":"usd","stock":1,"category":"books","status":"active"}`); code < 400 {
			t.Errorf("listing created through the API: %d", code)
		}
		if code, _ := api(t, s, tok, "PATCH", "/api/collections/listings/records/"+active.Id, `{"price":1,"status":"hidden"}`); code < 400 {
			t.Errorf("listing updated through the API: %d", code)
		}
		if code, _ := api(t, s, tok, "DELETE", "/api/collections/listings/records/"+sold.Id, ""); code < 400 {
			t.Errorf("listing deleted through the API: %d", code)
		}
	}
	if n := s.Count("listings", "", nil); n != 4 {
		t.Errorf("%d listings after the attempts, want 4", n)
	}
	if r := s.Reload(active); r.GetInt("price") != 500 || r.GetString("status") != "active" {
		t.Errorf("the API changed a listing: %v", r.PublicExport())
	}
	if _, err := s.App.FindRecordById("listings", sold.Id); err != nil {
		t.Error("the API deleted a listing")
	}
}
