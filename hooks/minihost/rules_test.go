package minihost_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// get reads a shared key's value through the bridge.
func get(t *testing.T, c *testkit.Client, slug, key string) string {
	t.Helper()
	var v json.RawMessage
	result(t, c.Bridge(slug, "shared.get", key), &v)
	return string(v)
}

// TestHostileMemberCantBendSharedData drives the built-in minis' keys
// through the bridge as a hostile member would, then the legitimate flows.
func TestHostileMemberCantBendSharedData(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	ana, eve := s.Member("Ana", "ana@example.org"), s.Member("Eve", "eve@example.org")
	a, e := s.SignedIn(ana), s.SignedIn(eve)
	for _, c := range []*testkit.Client{a, e} {
		allow(t, c, "poll", "profile", "storage", "shared_storage")
		allow(t, c, "events", "profile", "storage", "shared_storage", "payments")
		allow(t, c, "splitbill", "storage", "shared_storage")
	}
	var anaID, eveID struct{ ID string }
	result(t, a.Bridge("events", "getProfile"), &anaID)
	result(t, e.Bridge("events", "getProfile"), &eveID)

	// Poll: Ana's poll is hers; votes are one per member.
	poll := map[string]any{"v": 1, "q": "Lunch?", "options": []string{"Noodles", "Tacos"}, "owner": "x", "closed": false}
	result(t, a.Bridge("poll", "shared.set", "poll:abcd1234", poll), nil)
	refused(t, e.Bridge("poll", "shared.set", "poll:abcd1234", map[string]any{"q": "Eve's now", "options": []string{"a", "b"}, "closed": true}), http.StatusForbidden, "forbidden")
	refused(t, e.Bridge("poll", "shared.remove", "poll:abcd1234"), http.StatusForbidden, "forbidden")
	if v := get(t, a, "poll", "poll:abcd1234"); !strings.Contains(v, "Lunch?") || strings.Contains(v, `"closed":true`) {
		t.Fatalf("Ana's poll after Eve's attempts: %s", v)
	}
	refused(t, e.Bridge("poll", "shared.incr", "poll:abcd1234:votes", 1_000_000_000), http.StatusBadRequest, "bad_request")
	result(t, e.Bridge("poll", "shared.vote", "poll:abcd1234:votes", "1"), nil)
	result(t, e.Bridge("poll", "shared.vote", "poll:abcd1234:votes", "1"), nil) // again: still one vote
	refused(t, e.Bridge("poll", "shared.incr", "poll:abcd1234:votes"), http.StatusConflict, "conflict")
	refused(t, e.Bridge("poll", "shared.set", "poll:abcd1234:votes", map[string]int{"1": 1_000_000_000}), http.StatusConflict, "conflict")
	refused(t, e.Bridge("poll", "shared.remove", "poll:abcd1234:votes"), http.StatusConflict, "conflict")
	if v := get(t, a, "poll", "poll:abcd1234:votes"); v != `{"1":1}` {
		t.Fatalf("votes after Eve's attempts: %s", v)
	}
	// Legitimate: Ana votes, changes her vote, edits (closes) her own poll.
	result(t, a.Bridge("poll", "shared.vote", "poll:abcd1234:votes", "1"), nil)
	result(t, a.Bridge("poll", "shared.vote", "poll:abcd1234:votes", "0"), nil)
	if v := get(t, e, "poll", "poll:abcd1234:votes"); v != `{"0":1,"1":1}` {
		t.Fatalf("votes after Ana changed hers: %s", v)
	}
	var mine string
	result(t, a.Bridge("poll", "shared.mine", "poll:abcd1234:votes"), &mine)
	if mine != "0" {
		t.Fatalf("Ana's own vote reads %q", mine)
	}
	poll["closed"] = true
	result(t, a.Bridge("poll", "shared.set", "poll:abcd1234", poll), nil)
	if v := get(t, e, "poll", "poll:abcd1234"); !strings.Contains(v, `"closed":true`) {
		t.Fatalf("Ana couldn't close her poll: %s", v)
	}

	// Events: Ana's event, Eve's one spot, nobody's ticket without paying.
	event := map[string]any{"v": 1, "title": "Gala", "price": 1500, "currency": "eur", "capacity": 10, "canceled": false}
	result(t, a.Bridge("events", "shared.set", "event:gala1234", event), nil)
	refused(t, e.Bridge("events", "shared.set", "event:gala1234", map[string]any{"title": "Gala", "canceled": true}), http.StatusForbidden, "forbidden")
	refused(t, e.Bridge("events", "shared.remove", "event:gala1234"), http.StatusForbidden, "forbidden")
	result(t, e.Bridge("events", "shared.incr", "event:gala1234:taken"), nil)
	refused(t, e.Bridge("events", "shared.incr", "event:gala1234:taken"), http.StatusConflict, "conflict")
	refused(t, e.Bridge("events", "shared.incr", "event:gala1234:taken", 1_000_000_000), http.StatusBadRequest, "bad_request")
	if v := get(t, a, "events", "event:gala1234:taken"); v != "1" {
		t.Fatalf("spots taken after Eve's attempts: %s", v)
	}
	// Eve can't write Ana's RSVP (nor squat it before Ana), nor any ticket receipt.
	refused(t, e.Bridge("events", "shared.set", "rsvp:gala1234:@"+anaID.ID, map[string]any{"canceled": true}), http.StatusForbidden, "forbidden")
	refused(t, e.Bridge("events", "shared.set", "paid:ticket:gala1234:@me", map[string]any{"status": "paid", "amount": 1500, "currency": "eur"}), http.StatusForbidden, "forbidden")
	refused(t, e.Bridge("events", "shared.set", "paid:ticket:gala1234:@"+eveID.ID, "paid"), http.StatusForbidden, "forbidden")
	refused(t, e.Bridge("events", "shared.incr", "paid:ticket:gala1234:@me"), http.StatusForbidden, "forbidden")
	result(t, e.Bridge("events", "shared.set", "rsvp:gala1234:@me", map[string]any{"name": "Eve", "paid": true}), nil) // her own record: the mini doesn't trust its "paid"
	var receipts map[string]any
	result(t, a.Bridge("events", "shared.list", "paid:ticket:gala1234:"), &receipts)
	if len(receipts) != 0 {
		t.Fatalf("receipts without a payment: %v", receipts)
	}
	// Legitimate: Ana RSVPs, takes a spot, pays; the webhook makes her ticket.
	result(t, a.Bridge("events", "shared.set", "rsvp:gala1234:@me", map[string]any{"name": "Ana", "pending": true}), nil)
	var taken int
	result(t, a.Bridge("events", "shared.incr", "event:gala1234:taken"), &taken)
	var held int
	result(t, a.Bridge("events", "shared.mine", "event:gala1234:taken"), &held)
	if taken != 2 || held != 1 {
		t.Fatalf("taken %d, Ana holds %d", taken, held)
	}
	var p prepared
	result(t, a.Bridge("events", "preparePayment", map[string]any{"amount": 1500, "currency": "eur", "description": "Ticket: Gala", "ref": "ticket:gala1234"}), &p)
	var res struct{ Order string }
	result(t, a.Bridge("events", "confirmPayment", p.ID), &res)
	o, err := s.App.FindRecordById("orders", res.Order)
	if err != nil {
		t.Fatal(err)
	}
	s.Webhook("evt_gala", "checkout.session.completed", map[string]any{
		"id": o.GetString("checkout_session"), "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"metadata": map[string]string{"order": o.Id}, "payment_intent": "pi_gala",
	}, time.Time{}).Expect(http.StatusOK)
	result(t, e.Bridge("events", "shared.list", "paid:ticket:gala1234:"), &receipts)
	if r, ok := receipts["paid:ticket:gala1234:@"+anaID.ID].(map[string]any); len(receipts) != 1 || !ok || r["status"] != "paid" || r["amount"] != float64(1500) {
		t.Fatalf("receipts after Ana paid: %v", receipts)
	}
	// Eve, canceling, gives her spot back once.
	result(t, e.Bridge("events", "shared.incr", "event:gala1234:taken", -1), &taken)
	refused(t, e.Bridge("events", "shared.incr", "event:gala1234:taken", -1), http.StatusConflict, "conflict")
	if taken != 1 {
		t.Fatalf("taken after Eve left: %d", taken)
	}

	// Split the bill: a shared result is its sharer's.
	result(t, a.Bridge("splitbill", "shared.set", "result:bill1234", map[string]any{"v": 1, "title": "Dinner", "total": 9000}), nil)
	refused(t, e.Bridge("splitbill", "shared.set", "result:bill1234", map[string]any{"v": 1, "title": "Dinner", "total": 1}), http.StatusForbidden, "forbidden")
	refused(t, e.Bridge("splitbill", "shared.remove", "result:bill1234"), http.StatusForbidden, "forbidden")
	result(t, a.Bridge("splitbill", "shared.set", "result:bill1234", map[string]any{"v": 1, "deleted": true}), nil)

	// Stored: only what the rules allowed.
	if n := s.Count("mini_storage", "scope = 'mark' AND key = 'poll:abcd1234:votes'", nil); n != 2 {
		t.Errorf("%d vote marks stored, want 2", n)
	}
	if n := s.Count("mini_storage", "key LIKE 'paid:%'", nil); n != 1 {
		t.Errorf("%d receipts stored, want Ana's", n)
	}
}

// TestSharedQuotas: a mini's shared storage has a byte and key quota (an
// admin's, else Plaza's), refused with quota_exceeded; shared.list answers
// at most 1 MB and goes on with `after`.
func TestSharedQuotas(t *testing.T) {
	s := testkit.Start(t)
	rec := s.InstallMini(tester("tester", "shared_storage"))
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	allow(t, a, "tester", "shared_storage")
	allow(t, b, "tester", "shared_storage")

	// Plaza's defaults take 30 × 64 KB, and one list answer stays within 1 MB.
	chunk := strings.Repeat("x", 60<<10)
	for i := range 30 {
		result(t, a.Bridge("tester", "shared.set", "big:"+strconv.Itoa(100+i), chunk), nil)
	}
	seen, after, calls := map[string]bool{}, "", 0
	for {
		var page map[string]string
		p := a.Bridge("tester", "shared.list", "big:", after)
		if len(p.Body) > 1<<20+4096 {
			t.Fatalf("one list answer is %d bytes", len(p.Body))
		}
		result(t, p, &page)
		if calls++; len(page) == 0 || calls > 10 {
			break
		}
		for k := range page {
			seen[k] = true
			after = max(after, k)
		}
	}
	if len(seen) != 30 || calls < 3 {
		t.Fatalf("listed %d keys in %d calls", len(seen), calls)
	}

	// An admin sets this mini's quotas in the dashboard (REST as superuser).
	s.API(http.MethodPatch, "/api/collections/minis/records/"+rec.Id, s.Token(s.Superuser()), "application/json",
		[]byte(`{"shared_quota_mb": 1, "shared_quota_keys": 40}`)).Expect(http.StatusOK)
	refused(t, b.Bridge("tester", "shared.set", "big:more", chunk), http.StatusRequestEntityTooLarge, "quota_exceeded")
	refused(t, a.Bridge("tester", "shared.set", "big:100", chunk+chunk[:3000]), http.StatusRequestEntityTooLarge, "quota_exceeded")
	result(t, a.Bridge("tester", "shared.set", "big:100", "small"), nil) // shrinking is fine
	var bytes int
	if err := s.App.DB().NewQuery("SELECT SUM(size) FROM mini_storage WHERE mini = {:m}").Bind(dbx.Params{"m": rec.Id}).Row(&bytes); err != nil || bytes > 2<<20 {
		t.Fatalf("%d bytes stored (%v)", bytes, err)
	}
	// Keys: small values until 40 keys (values and marks alike).
	s.API(http.MethodPatch, "/api/collections/minis/records/"+rec.Id, s.Token(s.Superuser()), "application/json",
		[]byte(`{"shared_quota_mb": 0}`)).Expect(http.StatusOK)
	var full bool
	for i := range 20 {
		if p := b.Bridge("tester", "shared.set", "k:"+strconv.Itoa(i), i); p.Status != http.StatusOK {
			refused(t, p, http.StatusRequestEntityTooLarge, "quota_exceeded")
			full = true
			break
		}
	}
	if !full {
		t.Fatal("40 keys took more than 40")
	}
	refused(t, b.Bridge("tester", "shared.incr", "count:new"), http.StatusRequestEntityTooLarge, "quota_exceeded")
	refused(t, b.Bridge("tester", "shared.vote", "vote:new", "a"), http.StatusRequestEntityTooLarge, "quota_exceeded")
	if n := s.Count("mini_storage", "mini = {:m}", dbx.Params{"m": rec.Id}); n != 40 {
		t.Fatalf("%d keys stored under a 40-key quota", n)
	}
	// Removing makes room again.
	result(t, a.Bridge("tester", "shared.remove", "big:101"), nil)
	result(t, b.Bridge("tester", "shared.incr", "count:new"), nil)
}
