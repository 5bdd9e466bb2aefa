package hooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/testkit"
)

// api calls the REST API with token ("" for a guest) and returns status and body.
func api(t *testing.T, s *testkit.Server, token, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// items decodes a list response's records.
func items(t *testing.T, body string) []map[string]any {
	t.Helper()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("not a list: %s", body)
	}
	return out.Items
}

// TestAPIRules signs in as an outsider and tries to read and write other
// members' private data through PocketBase's REST API.
func TestAPIRules(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	eve := s.Member("Eve Outsider", "eve@example.org")
	hidden := s.Member("Hidden Hal", "hal@example.org")
	hidden.Set("privacy", map[string]any{"discoverable": false})
	if err := s.App.Save(hidden); err != nil {
		t.Fatal(err)
	}
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	b.PostForm("/friends/"+ana.Id+"/accept", nil)
	a.PostForm("/friends/"+hidden.Id+"/block", nil)
	a.PostForm("/friends/tags", map[string][]string{"name": {"Family"}})
	evil := s.Token(eve)
	anaTok := s.Token(ana)
	halTok := s.Token(hidden)

	t.Run("users: no emails or privacy, hidden members unlisted", func(t *testing.T) {
		code, body := api(t, s, evil, "GET", "/api/collections/users/records?perPage=100", "")
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		list := items(t, body)
		for _, u := range list {
			if u["id"] == hidden.Id {
				t.Error("a non-discoverable member is listed")
			}
		}
		if len(list) != 3 {
			t.Errorf("listed %d members, want 3 (Ana, Ben, Eve)", len(list))
		}
		for _, leak := range []string{"ana@example.org", "ben@example.org", "privacy", "who_can_add", "tokenKey", "password", `"role"`} {
			if strings.Contains(body, leak) {
				t.Errorf("list leaks %q", leak)
			}
		}
		code, body = api(t, s, evil, "GET", "/api/collections/users/records/"+hidden.Id, "")
		if code != 200 || strings.Contains(body, "hal@example.org") || strings.Contains(body, "privacy") {
			t.Errorf("view: %d %s", code, body)
		}
		if code, body := api(t, s, "", "GET", "/api/collections/users/records", ""); code == 200 && len(items(t, body)) > 0 {
			t.Errorf("guests list members: %s", body)
		}
		if code, body := api(t, s, "", "GET", "/api/collections/users/records/"+ana.Id, ""); code == 200 {
			t.Errorf("guests view a member: %s", body)
		}
		// Filtering on the hidden privacy field is refused, so values can't be probed.
		code, body = api(t, s, evil, "GET", `/api/collections/users/records?filter=`+urlq(`privacy.who_can_add="anyone"`), "")
		if code == 200 && len(items(t, body)) > 0 {
			t.Errorf("filter on a hidden field matched: %s", body)
		}
	})

	t.Run("users: roles are not shown, nor probed by filter", func(t *testing.T) {
		ben.Set("role", "admin")
		if err := s.App.Save(ben); err != nil {
			t.Fatal(err)
		}
		defer func() {
			ben.Set("role", "member")
			if err := s.App.Save(ben); err != nil {
				t.Fatal(err)
			}
		}()
		for _, tok := range []string{evil, anaTok} {
			for _, path := range []string{"/api/collections/users/records?perPage=100", "/api/collections/users/records/" + ben.Id,
				"/api/collections/users/records/" + ana.Id} {
				code, body := api(t, s, tok, "GET", path, "")
				if code != 200 || strings.Contains(body, `"role"`) || strings.Contains(body, "admin") {
					t.Errorf("%s shows roles: %d %s", path, code, body)
				}
			}
			code, body := api(t, s, tok, "GET", "/api/collections/users/records?filter="+urlq(`role="admin"`), "")
			if code == 200 && len(items(t, body)) > 0 {
				t.Errorf("filtering by role finds the admin: %s", body)
			}
		}
	})

	t.Run("users: no sign-up, role or status changes through the API", func(t *testing.T) {
		if code, _ := api(t, s, "", "POST", "/api/collections/users/records",
			`{"email":"x@example.org","password":"long-enough-pw","passwordConfirm":"long-enough-pw","name":"X","status":"active","role":"admin"}`); code < 400 {
			t.Errorf("API sign-up allowed: %d", code)
		}
		if code, _ := api(t, s, anaTok, "PATCH", "/api/collections/users/records/"+ana.Id, `{"role":"admin"}`); code < 400 {
			t.Errorf("self promotion allowed: %d", code)
		}
		if code, _ := api(t, s, evil, "PATCH", "/api/collections/users/records/"+ana.Id, `{"name":"pwned"}`); code < 400 {
			t.Errorf("editing another member allowed: %d", code)
		}
		if code, _ := api(t, s, evil, "DELETE", "/api/collections/users/records/"+ana.Id, ""); code < 400 {
			t.Errorf("deleting another member allowed: %d", code)
		}
		if s.Reload(ana).GetString("role") != "member" || s.Reload(ana).GetString("name") != "Ana" {
			t.Fatal("Ana's record changed")
		}
	})

	t.Run("users: pending and suspended accounts get no API token", func(t *testing.T) {
		ana.Set("status", "suspended")
		if err := s.App.Save(ana); err != nil {
			t.Fatal(err)
		}
		defer func() {
			ana.Set("status", "active")
			if err := s.App.Save(ana); err != nil {
				t.Fatal(err)
			}
			anaTok = s.Token(ana) // suspending signed her out everywhere
		}()
		code, body := api(t, s, "", "POST", "/api/collections/users/auth-with-password",
			`{"identity":"ana@example.org","password":"`+testkit.Password+`"}`)
		if code < 400 || strings.Contains(body, "token") {
			t.Errorf("suspended member authenticated: %d %s", code, body)
		}
	})

	t.Run("friendships: only the two members, and never a block to the blocked", func(t *testing.T) {
		_, body := api(t, s, evil, "GET", "/api/collections/friendships/records", "")
		if n := len(items(t, body)); n != 0 {
			t.Errorf("outsider sees %d friendships", n)
		}
		_, body = api(t, s, anaTok, "GET", "/api/collections/friendships/records", "")
		if n := len(items(t, body)); n != 2 {
			t.Errorf("Ana sees %d rows, want her friendship and her block", n)
		}
		_, body = api(t, s, halTok, "GET", "/api/collections/friendships/records", "")
		if n := len(items(t, body)); n != 0 {
			t.Errorf("the blocked member sees the block: %s", body)
		}
		if code, _ := api(t, s, evil, "POST", "/api/collections/friendships/records",
			`{"requester":"`+eve.Id+`","addressee":"`+ana.Id+`","state":"accepted"}`); code < 400 {
			t.Errorf("forged friendship allowed: %d", code)
		}
		row, err := s.App.FindFirstRecordByFilter("friendships", "state = 'accepted'")
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := api(t, s, anaTok, "PATCH", "/api/collections/friendships/records/"+row.Id, `{"state":"pending"}`); code < 400 {
			t.Errorf("direct friendship edit allowed: %d", code)
		}
		if code, _ := api(t, s, evil, "GET", "/api/collections/friendships/records/"+row.Id, ""); code != 404 {
			t.Errorf("outsider viewed a friendship: %d", code)
		}
	})

	t.Run("friend_tags: owner only", func(t *testing.T) {
		_, body := api(t, s, evil, "GET", "/api/collections/friend_tags/records", "")
		if n := len(items(t, body)); n != 0 {
			t.Errorf("outsider sees %d tags", n)
		}
		_, body = api(t, s, anaTok, "GET", "/api/collections/friend_tags/records", "")
		if n := len(items(t, body)); n != 1 {
			t.Errorf("Ana sees %d tags", n)
		}
		if code, _ := api(t, s, evil, "POST", "/api/collections/friend_tags/records", `{"owner":"`+ana.Id+`","name":"x"}`); code < 400 {
			t.Errorf("tag write allowed: %d", code)
		}
	})

	t.Run("invites and org settings", func(t *testing.T) {
		c, err := s.App.FindCollectionByNameOrId("invites")
		if err != nil {
			t.Fatal(err)
		}
		inv := core.NewRecord(c)
		inv.Set("code", "SECRET-CODE")
		inv.Set("uses_left", 3)
		if err := s.App.Save(inv); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{"", evil} {
			code, body := api(t, s, tok, "GET", "/api/collections/invites/records", "")
			if code == 200 || strings.Contains(body, "SECRET-CODE") {
				t.Errorf("invites listed: %d %s", code, body)
			}
			if code, _ := api(t, s, tok, "POST", "/api/collections/invites/records", `{"code":"MINE-123","uses_left":99}`); code < 400 {
				t.Errorf("invite created: %d", code)
			}
		}
		org, err := s.App.FindFirstRecordByFilter("org_settings", "")
		if err != nil {
			t.Fatal(err)
		}
		org.Set("blocked_words", "sekritword\nother phrase")
		org.Set("word_filter", "review")
		if err := s.App.Save(org); err != nil {
			t.Fatal(err)
		}
		// The name and logo are public (the sign-in page shows them); the
		// word filter is the moderators' business.
		for _, tok := range []string{"", evil} {
			code, body := api(t, s, tok, "GET", "/api/collections/org_settings/records", "")
			if code != 200 || !strings.Contains(body, "Plaza") {
				t.Errorf("org settings are public: %d %s", code, body)
			}
			for _, leak := range []string{"sekritword", "blocked_words", "word_filter", "review"} {
				if strings.Contains(body, leak) {
					t.Errorf("org settings show %q: %s", leak, body)
				}
			}
			code, body = api(t, s, tok, "GET", "/api/collections/org_settings/records/"+org.Id, "")
			if code != 200 || strings.Contains(body, "sekritword") {
				t.Errorf("org settings record shows the word filter: %d %s", code, body)
			}
		}
		if code, _ := api(t, s, evil, "PATCH", "/api/collections/org_settings/records/"+org.Id, `{"registration":"open","name":"Pwned"}`); code < 400 {
			t.Errorf("org settings edited: %d", code)
		}
	})
}

func urlq(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "=", "%3D").Replace(s)
}

// TestOrderAPIFields: buyer and seller read their order through the REST
// API as the order pages show it, without Stripe's references (payment,
// Checkout session, the seller's connected account) or the payment link.
func TestOrderAPIFields(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, eve := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Eve", "eve@example.org")
	c, err := s.App.FindCollectionByNameOrId("orders")
	if err != nil {
		t.Fatal(err)
	}
	o := core.NewRecord(c)
	for k, v := range map[string]any{"buyer": ben.Id, "seller": ana.Id, "title": "Old bike", "quantity": 1, "unit_price": 5000,
		"amount": 5000, "currency": "usd", "status": "paid", "checkout_session": "cs_test_secret1",
		"checkout_url": "https://checkout.stripe.com/c/pay/cs_test_secret1", "payment_intent": "pi_secret2",
		"destination": "acct_secret3", "attempts": 1} {
		o.Set(k, v)
	}
	if err := s.App.Save(o); err != nil {
		t.Fatal(err)
	}
	for who, m := range map[string]*core.Record{"buyer": ben, "seller": ana} {
		tok := s.Token(m)
		for _, path := range []string{"/api/collections/orders/records", "/api/collections/orders/records/" + o.Id} {
			code, body := api(t, s, tok, "GET", path, "")
			if code != 200 || !strings.Contains(body, "Old bike") {
				t.Errorf("%s reads %s: %d %s", who, path, code, body)
			}
			for _, leak := range []string{"cs_test_secret1", "pi_secret2", "acct_secret3", "checkout.stripe.com", "attempts"} {
				if strings.Contains(body, leak) {
					t.Errorf("%s sees %q at %s: %s", who, leak, path, body)
				}
			}
		}
		code, body := api(t, s, tok, "GET", "/api/collections/orders/records?filter="+urlq(`payment_intent="pi_secret2"`), "")
		if code == 200 && len(items(t, body)) > 0 {
			t.Errorf("%s probes the payment by filter: %s", who, body)
		}
	}
	if _, body := api(t, s, s.Token(eve), "GET", "/api/collections/orders/records", ""); len(items(t, body)) != 0 {
		t.Errorf("an outsider lists orders: %s", body)
	}
	// The order page still shows the buyer what Plaza's Go code reads.
	if r := s.Reload(o); r.GetString("payment_intent") != "pi_secret2" || r.GetString("destination") != "acct_secret3" {
		t.Errorf("stored order %v", r.FieldsData())
	}
}
