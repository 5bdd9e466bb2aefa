package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
)

type world struct {
	s             *testkit.Server
	ana, ben, mod *core.Record
	a, b, m       *testkit.Client
	room, msg     string
	post, comment string
	listing       string
}

// setup: Ana and Ben are friends with a direct chat, a moment with a
// comment and a listing by Ana; Mo is a moderator.
func setup(t *testing.T) *world {
	t.Helper()
	s := testkit.Start(t)
	w := &world{s: s, ana: s.Member("Ana", "ana@example.org"), ben: s.Member("Ben", "ben@example.org"), mod: s.Member("Mo", "mo@example.org")}
	w.mod.Set("role", "moderator")
	if err := s.App.Save(w.mod); err != nil {
		t.Fatal(err)
	}
	w.a, w.b, w.m = s.SignedIn(w.ana), s.SignedIn(w.ben), s.SignedIn(w.mod)
	w.a.PostForm("/friends/"+w.ben.Id+"/request", nil)
	w.b.PostForm("/friends/"+w.ana.Id+"/accept", nil)
	room, err := chat.OpenDirect(s.App, w.ana.Id, w.ben.Id)
	if err != nil {
		t.Fatal(err)
	}
	w.room = room.Id
	msg, _, err := chat.Send(s.App, w.room, chat.Draft{Author: w.ana.Id, Kind: "text", Body: "buy cheap pills here"})
	if err != nil {
		t.Fatal(err)
	}
	w.msg = msg.Id
	p := w.a.PostMultipart("/moments", url.Values{"body": {"spammy moment"}, "visibility": {"public"}})
	w.post = strings.TrimPrefix(p.Location, "/moments#p-")
	w.a.PostForm("/moments/"+w.post+"/comments", url.Values{"body": {"spammy comment"}})
	c, err := s.App.FindFirstRecordByFilter("post_comments", "body = 'spammy comment'")
	if err != nil {
		t.Fatal(err)
	}
	w.comment = c.Id
	coll, _ := s.App.FindCollectionByNameOrId("listings")
	l := core.NewRecord(coll)
	l.Set("seller", w.ana.Id)
	l.Set("title", "Miracle cure")
	l.Set("price", 999)
	l.Set("currency", "usd")
	l.Set("stock", 5)
	l.Set("category", "other")
	l.Set("status", "active")
	if err := s.App.Save(l); err != nil {
		t.Fatal(err)
	}
	w.listing = l.Id
	return w
}

func report(c *testkit.Client, target, reason string) *testkit.Page {
	return c.PostForm("/reports", url.Values{"target": {target}, "reason": {reason}, "note": {"please look"}})
}

func TestReportsCountOnceAndOnlyForWhatYouSee(t *testing.T) {
	w := setup(t)
	s := w.s
	w.b.Get("/reports/new?target=messages:"+w.msg).Expect(http.StatusOK, "this message", "Spam or advertising")
	for range 3 {
		report(w.b, "messages:"+w.msg, "spam").ExpectRedirect("/chats")
	}
	if n := s.Count("reports", "", nil); n != 1 {
		t.Fatalf("%d reports after reporting the same message 3 times", n)
	}
	w.b.Get("/chats").Expect(http.StatusOK, "Thanks. Moderators will look at your report.")
	// Bad input: a clear message, nothing stored.
	p := report(w.b, "posts:"+w.post, "").Expect(http.StatusUnprocessableEntity, "Choose what&#39;s wrong")
	if p.Value("input[name=target]") != "posts:"+w.post {
		t.Error("the target was lost")
	}
	report(w.b, "posts:"+w.post, "spam").ExpectRedirect("/chats")
	// Not in the room: as if it didn't exist. One's own: refused.
	eve := s.SignedIn(s.Member("Eve", "eve@example.org"))
	report(eve, "messages:"+w.msg, "spam").Expect(http.StatusNotFound)
	eve.Get("/reports/new?target=messages:" + w.msg).Expect(http.StatusNotFound)
	report(w.a, "messages:"+w.msg, "spam").Expect(http.StatusUnprocessableEntity, "can&#39;t report")
	report(w.b, "nonsense:"+w.msg, "spam").Expect(http.StatusNotFound)
	if n := s.Count("reports", "", nil); n != 2 {
		t.Fatalf("%d reports stored", n)
	}
	// Reports and the log are nobody's business through the API.
	for _, c := range []string{"reports", "moderation_log"} {
		if p := s.API(http.MethodGet, "/api/collections/"+c+"/records", s.Token(w.mod), "", nil); p.Status == http.StatusOK {
			t.Errorf("%s listed through the API: %s", c, p.Body)
		}
	}
}

func TestQueueIsForModerators(t *testing.T) {
	w := setup(t)
	report(w.b, "messages:"+w.msg, "spam")
	w.b.Get("/admin/reports").Expect(http.StatusForbidden)
	q := w.m.Get("/admin/reports").Expect(http.StatusOK, "buy cheap pills here", "Spam or advertising", "please look", "Ana")
	if q.Doc.Find("[data-testid=queue-item]").Length() != 1 {
		t.Fatal("queue items")
	}
	r, err := w.s.App.FindFirstRecordByFilter("reports", "")
	if err != nil {
		t.Fatal(err)
	}
	w.b.PostForm("/admin/reports/"+r.Id+"/hide", url.Values{"why": {"spam"}}).Expect(http.StatusForbidden)
	// No reason, no action.
	w.m.PostForm("/admin/reports/"+r.Id+"/hide", nil).ExpectRedirect("/admin/reports")
	if w.s.Reload(r).GetString("state") != "open" {
		t.Fatal("acted without a reason")
	}
	w.m.PostForm("/admin/reports/"+r.Id+"/dismiss", url.Values{"why": {"just an offer between friends"}}).ExpectRedirect("/admin/reports")
	if w.s.Reload(r).GetString("state") != "dismissed" {
		t.Fatal("not dismissed")
	}
	w.m.Get("/admin/reports?state=dismissed").Expect(http.StatusOK, "just an offer between friends", "Mo")
}

// hideVia reports target as Ben and has the moderator hide it.
func hideVia(t *testing.T, w *world, target string) {
	t.Helper()
	report(w.b, target, "spam").ExpectRedirect("/chats")
	coll, id, _ := strings.Cut(target, ":")
	r, err := w.s.App.FindFirstRecordByFilter("reports", "target_collection = {:c} && target_id = {:i}", dbx.Params{"c": coll, "i": id})
	if err != nil {
		t.Fatal(err)
	}
	w.m.PostForm("/admin/reports/"+r.Id+"/hide", url.Values{"why": {"spam, reported"}}).ExpectRedirect("/admin/reports")
	if n := w.s.Count("moderation_log", "action = 'hide' AND target_id = {:i} AND actor = {:a} AND reason = 'spam, reported'",
		dbx.Params{"i": r.GetString("target_id"), "a": w.mod.Id}); n != 1 {
		t.Fatalf("hide of %s not logged", target)
	}
}

func TestHiddenEverywhereButForItsAuthor(t *testing.T) {
	w := setup(t)
	s := w.s
	hideVia(t, w, "messages:"+w.msg)
	hideVia(t, w, "posts:"+w.post)
	hideVia(t, w, "listings:"+w.listing)

	// Ben: gone from pages.
	chatPage := w.b.Get("/chats/"+w.room).Expect(http.StatusOK, "hidden by moderators")
	if strings.Contains(chatPage.Body, "cheap pills") {
		t.Error("a hidden message shows to the other member")
	}
	if strings.Contains(w.b.Get("/chats").Body, "cheap pills") {
		t.Error("a hidden message previews in the chat list")
	}
	w.b.Get("/moments/" + w.post).Expect(http.StatusNotFound)
	if strings.Contains(w.b.Get("/moments").Body, "spammy moment") {
		t.Error("a hidden moment in the feed")
	}
	w.b.Get("/market/" + w.listing).Expect(http.StatusNotFound)
	if strings.Contains(w.b.Get("/market").Body, "Miracle cure") {
		t.Error("a hidden listing in the market")
	}
	// … and from the API.
	tok := s.Token(w.ben)
	if p := s.API(http.MethodGet, "/api/collections/messages/records?filter=(room='"+w.room+"')", tok, "", nil); strings.Contains(p.Body, "cheap pills") {
		t.Errorf("hidden message through the API: %s", p.Body)
	}
	if p := s.API(http.MethodGet, "/api/collections/listings/records", tok, "", nil); strings.Contains(p.Body, "Miracle cure") {
		t.Errorf("hidden listing through the API: %s", p.Body)
	}
	// Ana still sees her own, told it's hidden.
	w.a.Get("/chats/"+w.room).Expect(http.StatusOK, "buy cheap pills here", "Hidden by moderators")
	w.a.Get("/moments/"+w.post).Expect(http.StatusOK, "spammy moment", "Hidden by moderators")
	w.a.Get("/market/"+w.listing).Expect(http.StatusOK, "Miracle cure", "Hidden by moderators")
	if p := s.API(http.MethodGet, "/api/collections/messages/records?filter=(room='"+w.room+"')", s.Token(w.ana), "", nil); !strings.Contains(p.Body, "cheap pills") {
		t.Error("the author can't read her own hidden message through the API")
	}
	// Nobody can buy a hidden listing.
	w.b.PostForm("/market/"+w.listing+"/buy", url.Values{"quantity": {"1"}}).Expect(http.StatusNotFound)

	// Restore brings it back.
	r, _ := s.App.FindFirstRecordByFilter("reports", "target_id = {:i}", dbx.Params{"i": w.post})
	w.m.Get("/admin/reports?state=actioned").Expect(http.StatusOK, "spammy moment", "Restore")
	w.m.PostForm("/admin/reports/"+r.Id+"/restore", url.Values{"why": {"appeal accepted"}}).ExpectRedirect("/admin/reports")
	w.b.Get("/moments/"+w.post).Expect(http.StatusOK, "spammy moment")
}

func TestHiddenComment(t *testing.T) {
	w := setup(t)
	hideVia(t, w, "post_comments:"+w.comment)
	if strings.Contains(w.b.Get("/moments/"+w.post).Body, "spammy comment") {
		t.Error("a hidden comment shows")
	}
	w.a.Get("/moments/"+w.post).Expect(http.StatusOK, "spammy comment", "hidden by moderators")
}

func TestSuspendEndsSessions(t *testing.T) {
	w := setup(t)
	s := w.s
	report(w.b, "users:"+w.ana.Id, "harassment").ExpectRedirect("/chats")
	r, err := s.App.FindFirstRecordByFilter("reports", "target_collection = 'users'")
	if err != nil {
		t.Fatal(err)
	}
	w.m.PostForm("/admin/reports/"+r.Id+"/suspend", url.Values{"why": {"harassment"}}).ExpectRedirect("/admin/reports")
	if s.Reload(w.ana).GetString("status") != "suspended" {
		t.Fatal("not suspended")
	}
	w.a.Get("/chats").ExpectRedirect("/signin?next=%2Fchats") // the old session is over
	s.Client().PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {testkit.Password}}).Expect(http.StatusForbidden, "suspended")
	w.b.Get("/u/"+w.ana.Id).Expect(http.StatusOK, "uspended")
	// Restore: she may sign in again.
	w.m.PostForm("/admin/reports/"+r.Id+"/restore", url.Values{"why": {"cleared"}}).ExpectRedirect("/admin/reports")
	if s.Reload(w.ana).GetString("status") != "active" {
		t.Fatal("not restored")
	}
	if p := s.Client().PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {testkit.Password}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign-in after restore: %d", p.Status)
	}
	if n := s.Count("moderation_log", "", nil); n != 2 {
		t.Fatalf("%d log entries", n)
	}
}

// Write routes are rate limited (PocketBase rules, tunable in the dashboard),
// with a clear page when the limit is hit.
func TestWriteRoutesAreRateLimited(t *testing.T) {
	w := setup(t)
	s := w.s
	rules := s.App.Settings().RateLimits.Rules
	for _, label := range []string{"POST /chats/", "POST /moments", "POST /moments/", "POST /market/", "POST /orders/", "POST /friends/", "POST /me/", "POST /reports", "POST /minis/"} {
		found := false
		for _, r := range rules {
			found = found || r.Label == label
		}
		if !found {
			t.Errorf("no rate limit rule for %s", label)
		}
	}
	for i := range rules {
		if rules[i].Label == "POST /reports" {
			rules[i].MaxRequests = 2
		}
	}
	if err := s.App.Save(s.App.Settings()); err != nil {
		t.Fatal(err)
	}
	report(w.b, "messages:"+w.msg, "spam").ExpectRedirect("/chats")
	report(w.b, "posts:"+w.post, "spam").ExpectRedirect("/chats")
	report(w.b, "listings:"+w.listing, "spam").Expect(http.StatusTooManyRequests, "Too many attempts in a short time")
}
