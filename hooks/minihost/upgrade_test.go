package minihost_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/minihost"
	"plaza/hooks/testkit"
	"plaza/pb_migrations"
)

// oldData writes mini_storage rows as the 1.0 minis did, as migration 18
// left them (shared rows: read-only values with no owner).
type oldData struct {
	t    *testing.T
	s    *testkit.Server
	mini *minihost.Mini
}

func olds(t *testing.T, s *testkit.Server, slug string) oldData {
	t.Helper()
	m := minihost.Find(s.App, slug)
	if m == nil {
		t.Fatalf("no built-in %s", slug)
	}
	return oldData{t, s, m}
}

// id is a member's id in the mini.
func (o oldData) id(member *core.Record) string { return minihost.PseudonymousID(o.mini, member.Id) }

func (o oldData) row(scope, user, key string, value any) {
	o.t.Helper()
	raw, err := json.Marshal(value)
	if err != nil {
		o.t.Fatal(err)
	}
	coll, err := o.s.App.FindCollectionByNameOrId("mini_storage")
	if err != nil {
		o.t.Fatal(err)
	}
	rec := core.NewRecord(coll)
	rec.Set("mini", o.mini.ID)
	rec.Set("scope", scope)
	rec.Set("user", user)
	rec.Set("key", key)
	rec.Set("value", json.RawMessage(raw))
	rec.Set("size", len(key)+len(raw))
	if scope == "shared" {
		rec.Set("mode", "value")
	}
	if err := o.s.App.Save(rec); err != nil {
		o.t.Fatal(err)
	}
}

func (o oldData) shared(key string, value any) { o.t.Helper(); o.row("shared", "", key, value) }

func (o oldData) own(member *core.Record, key string, value any) {
	o.t.Helper()
	o.row("user", member.Id, key, value)
}

// order makes an Events order as the 1.0 requestPayment did.
func (o oldData) order(buyer *core.Record, title string, amount int, status string) *core.Record {
	o.t.Helper()
	coll, err := o.s.App.FindCollectionByNameOrId("orders")
	if err != nil {
		o.t.Fatal(err)
	}
	rec := core.NewRecord(coll)
	rec.Set("buyer", buyer.Id)
	rec.Set("mini", o.mini.ID)
	rec.Set("title", title+" ("+o.mini.Name+")")
	rec.Set("quantity", 1)
	rec.Set("unit_price", amount)
	rec.Set("amount", amount)
	rec.Set("currency", "eur")
	rec.Set("status", status)
	if err := o.s.App.Save(rec); err != nil {
		o.t.Fatal(err)
	}
	return rec
}

// upgrade runs the migration's conversion, then again: the second run must
// change nothing.
func upgrade(t *testing.T, s *testkit.Server) pb_migrations.MiniUpgradeReport {
	t.Helper()
	r, err := pb_migrations.UpgradeMiniSharedData(s.App)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	before := storageRows(t, s)
	if _, err := pb_migrations.UpgradeMiniSharedData(s.App); err != nil {
		t.Fatalf("upgrade again: %v", err)
	}
	if after := storageRows(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("a second run changed the data:\n%v\n%v", before, after)
	}
	return r
}

func storageRows(t *testing.T, s *testkit.Server) []string {
	t.Helper()
	var rows []string
	err := s.App.DB().NewQuery("SELECT mini||' '||scope||' '||user||' '||key||' '||value||' '||owner||' '||mode FROM mini_storage ORDER BY mini, scope, user, key").Column(&rows)
	if err != nil {
		t.Fatal(err)
	}
	var pays []string
	if err := s.App.DB().NewQuery("SELECT user||' '||ref||' '||`order` FROM mini_payments ORDER BY id").Column(&pays); err != nil {
		t.Fatal(err)
	}
	return append(rows, pays...)
}

func mine(t *testing.T, c *testkit.Client, slug, key string) string {
	t.Helper()
	var v json.RawMessage
	result(t, c.Bridge(slug, "shared.mine", key), &v)
	return string(v)
}

// TestUpgradeKeepsPollVotes: polls made with Poll 1.0 keep their question,
// author and votes, now each voter's own vote that they can change.
func TestUpgradeKeepsPollVotes(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	cy, dee := s.Member("Cy", "cy@example.org"), s.Member("Dee", "dee@example.org")
	eve := s.Member("Eve", "eve@example.org")
	a, b, c, d, e := s.SignedIn(ana), s.SignedIn(ben), s.SignedIn(cy), s.SignedIn(dee), s.SignedIn(eve)
	for _, cl := range []*testkit.Client{a, b, c, d, e} {
		allow(t, cl, "poll", "profile", "storage", "shared_storage")
	}
	o := olds(t, s, "poll")
	var profile struct{ ID string }
	result(t, a.Bridge("poll", "getProfile"), &profile)
	if profile.ID != o.id(ana) {
		t.Fatalf("the bridge's id %q isn't the upgrade's %q", profile.ID, o.id(ana))
	}

	// Ana's poll: she voted Noodles, Ben Tacos (each kept their choice);
	// Cy voted too but his choice wasn't kept: the counters say Tacos.
	lunch := map[string]any{"v": 1, "q": "Lunch?", "options": []string{"Noodles", "Tacos", "Soup"}, "by": "Ana", "owner": o.id(ana), "at": 1, "closed": false}
	o.shared("poll:lunch123", lunch)
	o.own(ana, "mypolls", []map[string]any{{"id": "lunch123", "q": "Lunch?", "at": 1, "role": "created"}})
	for _, m := range []*core.Record{ana, ben, cy} {
		o.shared("poll:lunch123:voter:"+o.id(m), 1)
	}
	o.own(ana, "vote:lunch123", 0)
	o.own(ben, "vote:lunch123", 1)
	o.shared("poll:lunch123:opt:0", 1)
	o.shared("poll:lunch123:opt:1", 2)
	// A poll made without a name (Ben's list says he made it): a member
	// since deleted and Dee voted, one for each option; Eve took hers back.
	o.shared("poll:fri12345", map[string]any{"v": 1, "q": "Friday?", "options": []string{"Bowling", "Cinema"}, "by": "", "owner": "", "at": 2, "closed": false})
	o.own(ben, "mypolls", []map[string]any{{"id": "fri12345", "q": "Friday?", "at": 2, "role": "created"}, {"id": "lunch123", "role": "voted"}})
	o.shared("poll:fri12345:voter:0123456789abcdef0123456789abcdef", 1)
	o.shared("poll:fri12345:voter:"+o.id(dee), 1)
	o.shared("poll:fri12345:voter:"+o.id(eve), 0)
	o.shared("poll:fri12345:opt:0", 1)
	o.shared("poll:fri12345:opt:1", 1)

	// Before the upgrade the old poll is read-only and its votes uncounted.
	refused(t, a.Bridge("poll", "shared.set", "poll:lunch123", lunch), http.StatusForbidden, "forbidden")
	if v := mine(t, b, "poll", "poll:lunch123:votes"); v != "null" {
		t.Fatalf("Ben's vote before the upgrade: %s", v)
	}

	r := upgrade(t, s)
	want := pb_migrations.MiniUpgradeReport{Owned: 2, Votes: 3, Deduced: 1, Unattributed: 2, Kept: 2}
	if r != want {
		t.Errorf("report %+v, want %+v", r, want)
	}

	// The question and author are as they were; the votes count, each the voter's.
	if v := get(t, e, "poll", "poll:lunch123"); !strings.Contains(v, `"q":"Lunch?"`) || !strings.Contains(v, `"by":"Ana"`) {
		t.Fatalf("poll after the upgrade: %s", v)
	}
	if v := get(t, e, "poll", "poll:lunch123:votes"); v != `{"0":1,"1":2}` {
		t.Fatalf("votes after the upgrade: %s", v)
	}
	for cl, choice := range map[*testkit.Client]string{a: `"0"`, b: `"1"`, c: `"1"`, d: "null"} {
		if v := mine(t, cl, "poll", "poll:lunch123:votes"); v != choice {
			t.Errorf("a member's vote reads %s, want %s", v, choice)
		}
	}
	// Ben changes his vote, Cy votes again (still one vote), Dee votes.
	result(t, b.Bridge("poll", "shared.vote", "poll:lunch123:votes", "0"), nil)
	result(t, c.Bridge("poll", "shared.vote", "poll:lunch123:votes", "1"), nil)
	result(t, d.Bridge("poll", "shared.vote", "poll:lunch123:votes", "2"), nil)
	if v := get(t, a, "poll", "poll:lunch123:votes"); v != `{"0":2,"1":1,"2":1}` {
		t.Fatalf("votes after Ben changed his and Dee voted: %s", v)
	}
	// Ana ends her poll; nobody else can.
	refused(t, e.Bridge("poll", "shared.set", "poll:lunch123", map[string]any{"q": "Eve's", "options": []string{"a", "b"}}), http.StatusForbidden, "forbidden")
	lunch["closed"] = true
	result(t, a.Bridge("poll", "shared.set", "poll:lunch123", lunch), nil)

	// Friday: Ben's; the two votes whose voter or choice can't be told are
	// kept apart, and Dee, whose choice is unknown, can vote.
	refused(t, a.Bridge("poll", "shared.set", "poll:fri12345", lunch), http.StatusForbidden, "forbidden")
	result(t, b.Bridge("poll", "shared.set", "poll:fri12345", map[string]any{"v": 1, "q": "Friday?", "options": []string{"Bowling", "Cinema"}, "closed": true}), nil)
	var earlier struct{ Votes map[string]int }
	result(t, e.Bridge("poll", "shared.get", "poll:fri12345:earlier"), &earlier)
	if !reflect.DeepEqual(earlier.Votes, map[string]int{"0": 1, "1": 1}) {
		t.Fatalf("earlier votes: %v", earlier.Votes)
	}
	refused(t, b.Bridge("poll", "shared.set", "poll:fri12345:earlier", map[string]any{}), http.StatusForbidden, "forbidden")
	if v := mine(t, d, "poll", "poll:fri12345:votes"); v != "null" {
		t.Fatalf("Dee's Friday vote: %s", v)
	}
	result(t, d.Bridge("poll", "shared.vote", "poll:fri12345:votes", "1"), nil)

	// Stored: the counters are gone but for the voters who can't be told;
	// members' own storage is untouched.
	if n := s.Count("mini_storage", "key LIKE 'poll:%:opt:%'", nil); n != 0 {
		t.Errorf("%d option counters left", n)
	}
	if n := s.Count("mini_storage", "key LIKE 'poll:%:voter:%'", nil); n != 2 {
		t.Errorf("%d voter counters left, want the deleted member's and Dee's Friday one", n)
	}
	if n := s.Count("mini_storage", "scope = 'user' AND key = 'vote:lunch123'", nil); n != 2 {
		t.Errorf("%d members' own vote records, want 2", n)
	}
}

// TestUpgradeKeepsEventRSVPs: events made with Events 1.0 keep their host,
// spots and RSVPs; a ticket is paid only when an order settled.
func TestUpgradeKeepsEventRSVPs(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	cy, dee := s.Member("Cy", "cy@example.org"), s.Member("Dee", "dee@example.org")
	eve := s.Member("Eve", "eve@example.org")
	a, b, c, d, e := s.SignedIn(ana), s.SignedIn(ben), s.SignedIn(cy), s.SignedIn(dee), s.SignedIn(eve)
	for _, cl := range []*testkit.Client{a, b, c, d, e} {
		allow(t, cl, "events", "profile", "storage", "shared_storage", "payments")
	}
	o := olds(t, s, "events")
	at := time.Now().UnixMilli()
	gala := map[string]any{"v": 1, "title": "Gala", "about": "", "start": at + 86_400_000, "tz": "UTC", "place": "Hall",
		"capacity": 10, "price": 1500, "currency": "eur", "by": "Ana", "owner": o.id(ana), "at": at, "canceled": false}
	o.shared("event:gala1234", gala)
	o.shared("event:gala1234:taken", 4)
	ghost := "0123456789abcdef0123456789abcdef" // a member since deleted
	for _, p := range []string{o.id(ben), o.id(cy), o.id(dee), ghost} {
		o.shared("event:gala1234:m:"+p, 1)
	}
	o.shared("event:gala1234:m:"+o.id(eve), 0)
	// Ben paid; Cy's "paid" names no order; Dee's payment is still going.
	paid := o.order(ben, "Ticket: Gala", 1500, "paid")
	o.shared("rsvp:gala1234:"+o.id(ben), map[string]any{"name": "Ben", "at": at, "paid": true, "order": paid.Id})
	o.shared("rsvp:gala1234:"+o.id(cy), map[string]any{"name": "Cy", "at": at, "paid": true, "order": "nosuchorder0000"})
	pending := o.order(dee, "Ticket: Gala", 1500, "pending")
	o.shared("rsvp:gala1234:"+o.id(dee), map[string]any{"name": "Dee", "at": at, "pending": true})
	o.shared("rsvp:gala1234:"+ghost, map[string]any{"name": "Gone", "at": at, "paid": true})
	o.shared("rsvp:gala1234:"+o.id(eve), map[string]any{"canceled": true, "at": at})
	// A free picnic made without a name: Ben's list says he hosts it.
	o.shared("event:picnic12", map[string]any{"v": 1, "title": "Picnic", "start": at + 86_400_000, "place": "Park", "capacity": 2,
		"price": 0, "currency": "", "by": "", "owner": "", "at": at, "canceled": false})
	o.own(ben, "myevents", []map[string]any{{"id": "picnic12", "title": "Picnic", "role": "host"}})
	o.shared("event:picnic12:taken", 1)
	o.shared("event:picnic12:m:"+o.id(cy), 1)
	o.shared("rsvp:picnic12:"+o.id(cy), map[string]any{"name": "Cy", "at": at})

	// Before the upgrade nobody can RSVP to the old events.
	refused(t, a.Bridge("events", "shared.incr", "event:gala1234:taken"), http.StatusConflict, "conflict")

	r := upgrade(t, s)
	want := pb_migrations.MiniUpgradeReport{Owned: 2, Spots: 4, RSVPs: 5, Receipts: 1, Linked: 1, Unpaid: 1, Kept: 2}
	if r != want {
		t.Errorf("report %+v, want %+v", r, want)
	}

	// Spots: Ben's, Cy's and Dee's stand (the deleted member's is freed).
	if v := get(t, e, "events", "event:gala1234:taken"); v != "3" {
		t.Fatalf("spots taken after the upgrade: %s", v)
	}
	for cl, held := range map[*testkit.Client]string{b: "1", c: "1", d: "1", e: "0", a: "0"} {
		if v := mine(t, cl, "events", "event:gala1234:taken"); v != held {
			t.Errorf("a member holds %s spots, want %s", v, held)
		}
	}
	// RSVPs are under the members' own keys; only Ben's ticket has a receipt.
	var rsvps map[string]map[string]any
	result(t, e.Bridge("events", "shared.list", "rsvp:gala1234:@"), &rsvps)
	if len(rsvps) != 4 {
		t.Fatalf("RSVPs after the upgrade: %v", rsvps)
	}
	if r := rsvps["rsvp:gala1234:@"+o.id(ben)]; r["name"] != "Ben" || r["pending"] != nil || r["paid"] != nil {
		t.Errorf("Ben's RSVP: %v", r)
	}
	if r := rsvps["rsvp:gala1234:@"+o.id(cy)]; r["name"] != "Cy" || r["pending"] != true || r["paid"] != nil {
		t.Errorf("Cy's unpaid RSVP: %v", r)
	}
	if r := rsvps["rsvp:gala1234:@"+o.id(eve)]; r["canceled"] != true {
		t.Errorf("Eve's canceled RSVP: %v", r)
	}
	var receipts map[string]map[string]any
	result(t, e.Bridge("events", "shared.list", "paid:ticket:gala1234:@"), &receipts)
	if r := receipts["paid:ticket:gala1234:@"+o.id(ben)]; len(receipts) != 1 || r["status"] != "paid" || r["amount"] != float64(1500) || r["currency"] != "eur" || r["order"] != paid.Id {
		t.Fatalf("receipts after the upgrade: %v", receipts)
	}

	// The new rules hold: Ana RSVPs, Cy gives his spot back, members write
	// only their own RSVP, the host alone changes the event.
	var taken int
	result(t, a.Bridge("events", "shared.incr", "event:gala1234:taken"), &taken)
	result(t, a.Bridge("events", "shared.set", "rsvp:gala1234:@me", map[string]any{"name": "Ana", "at": at, "pending": true}), nil)
	refused(t, c.Bridge("events", "shared.incr", "event:gala1234:taken"), http.StatusConflict, "conflict")
	result(t, c.Bridge("events", "shared.incr", "event:gala1234:taken", -1), &taken)
	result(t, c.Bridge("events", "shared.set", "rsvp:gala1234:@me", map[string]any{"canceled": true, "at": at}), nil)
	if taken != 3 {
		t.Errorf("spots taken after Ana came and Cy left: %d", taken)
	}
	refused(t, e.Bridge("events", "shared.set", "rsvp:gala1234:@"+o.id(ben), map[string]any{"canceled": true}), http.StatusForbidden, "forbidden")
	refused(t, b.Bridge("events", "shared.set", "event:gala1234", map[string]any{"title": "Ben's", "canceled": true}), http.StatusForbidden, "forbidden")
	gala["place"] = "Great hall"
	result(t, a.Bridge("events", "shared.set", "event:gala1234", gala), nil)

	// Dee's payment settles after the upgrade: Plaza writes her receipt.
	pending.Set("status", "paid")
	if err := s.App.Save(pending); err != nil {
		t.Fatal(err)
	}
	result(t, e.Bridge("events", "shared.list", "paid:ticket:gala1234:@"), &receipts)
	if r := receipts["paid:ticket:gala1234:@"+o.id(dee)]; len(receipts) != 2 || r["status"] != "paid" || r["order"] != pending.Id {
		t.Fatalf("receipts after Dee's payment settled: %v", receipts)
	}

	// The picnic is Ben's; Cy's free RSVP stands and he can cancel it.
	result(t, b.Bridge("events", "shared.set", "event:picnic12", map[string]any{"v": 1, "title": "Picnic", "place": "Park", "capacity": 3}), nil)
	if v := get(t, c, "events", "rsvp:picnic12:@"+o.id(cy)); !strings.Contains(v, `"name":"Cy"`) {
		t.Fatalf("Cy's picnic RSVP: %s", v)
	}
	if v := mine(t, c, "events", "event:picnic12:taken"); v != "1" {
		t.Fatalf("Cy's picnic spot: %s", v)
	}
	result(t, c.Bridge("events", "shared.incr", "event:picnic12:taken", -1), &taken)
	if taken != 0 {
		t.Errorf("picnic spots after Cy canceled: %d", taken)
	}

	// Stored: the deleted member's rows are left as they were, nothing else old.
	if n := s.Count("mini_storage", "scope = 'shared' AND (key LIKE 'event:%:m:%' OR (key LIKE 'rsvp:%' AND key NOT LIKE 'rsvp:%:@%'))", nil); n != 2 {
		t.Errorf("%d old spot and RSVP rows left, want the deleted member's 2", n)
	}
	if n := s.Count("mini_payments", "ref = 'ticket:gala1234'", nil); n != 2 {
		t.Errorf("%d ticket payments linked, want Ben's and Dee's", n)
	}
}

// TestUpgradeKeepsBillResultsOwner: a shared bill result is its sharer's
// again; one whose sharer can't be told stays readable and read-only. With
// no old data, the upgrade does nothing.
func TestUpgradeKeepsBillResultsOwner(t *testing.T) {
	s := testkit.Start(t)
	if r := upgrade(t, s); r != (pb_migrations.MiniUpgradeReport{}) || s.Count("mini_storage", "", nil) != 0 {
		t.Fatalf("upgrade of an empty Plaza: %+v", r)
	}
	ana, eve := s.Member("Ana", "ana@example.org"), s.Member("Eve", "eve@example.org")
	a, e := s.SignedIn(ana), s.SignedIn(eve)
	for _, cl := range []*testkit.Client{a, e} {
		allow(t, cl, "splitbill", "storage", "shared_storage")
	}
	o := olds(t, s, "splitbill")
	o.own(ana, "bill:bill1234", map[string]any{"v": 1, "id": "bill1234", "title": "Dinner", "sharedAt": 1})
	o.shared("result:bill1234", map[string]any{"v": 1, "title": "Dinner", "total": 9000})
	o.shared("result:gone1234", map[string]any{"v": 1, "deleted": true})
	refused(t, a.Bridge("splitbill", "shared.set", "result:bill1234", map[string]any{"v": 1, "title": "Dinner", "total": 9500}), http.StatusForbidden, "forbidden")

	// As on a server upgraded from 1.0: the migration itself runs.
	if _, err := s.App.DB().NewQuery("DELETE FROM _migrations WHERE file = '1795300021_mini_data_upgrade.go'").Execute(); err != nil {
		t.Fatal(err)
	}
	if err := s.App.RunAppMigrations(); err != nil {
		t.Fatal(err)
	}
	if n := s.Count("mini_storage", "key = 'result:bill1234' AND owner = {:a}", dbx.Params{"a": ana.Id}); n != 1 {
		t.Fatal("the migration didn't give Ana's result back to her")
	}
	if r := upgrade(t, s); r != (pb_migrations.MiniUpgradeReport{Ownerless: 1}) {
		t.Errorf("report after the migration %+v, want only the result nobody owns", r)
	}
	result(t, a.Bridge("splitbill", "shared.set", "result:bill1234", map[string]any{"v": 1, "title": "Dinner", "total": 9500}), nil)
	refused(t, e.Bridge("splitbill", "shared.set", "result:bill1234", map[string]any{"v": 1, "title": "Dinner", "total": 1}), http.StatusForbidden, "forbidden")
	if v := get(t, e, "splitbill", "result:bill1234"); !strings.Contains(v, `"total":9500`) {
		t.Fatalf("Ana's result: %s", v)
	}
	refused(t, a.Bridge("splitbill", "shared.set", "result:gone1234", map[string]any{"v": 1}), http.StatusForbidden, "forbidden")
	if v := get(t, e, "splitbill", "result:gone1234"); !strings.Contains(v, `"deleted":true`) {
		t.Fatalf("the result nobody owns: %s", v)
	}
}
