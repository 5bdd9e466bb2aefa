package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

func setFilter(t *testing.T, s *testkit.Server, words, mode string) {
	t.Helper()
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("blocked_words", words)
	org.Set("word_filter", mode)
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
}

func TestWordFilterRefuses(t *testing.T) {
	w := setup(t)
	s := w.s
	setFilter(t, s, "darn\nfree money", "reject")
	before := map[string]int{}
	for _, c := range []string{"messages", "posts", "post_comments", "listings"} {
		before[c] = s.Count(c, "", nil)
	}
	// A word, any case, as a whole word; a phrase across spaces.
	p := w.b.PostForm("/chats/"+w.room+"/messages", url.Values{"body": {"Well DARN it"}})
	p.Expect(http.StatusUnprocessableEntity, "“darn” isn&#39;t allowed here")
	if !strings.Contains(p.Body, "Well DARN it") {
		t.Error("the typed message was lost")
	}
	w.b.PostForm("/chats/"+w.room+"/messages", url.Values{"body": {"I darned my socks"}}).ExpectRedirect("/chats/" + w.room + "#m-" + lastMessage(t, s, w.room))
	w.a.PostMultipart("/moments", url.Values{"body": {"Get free   money now"}, "visibility": {"friends"}}).
		Expect(http.StatusUnprocessableEntity, "“free money” isn&#39;t allowed", "Get free   money now")
	w.b.PostForm("/moments/"+w.post+"/comments", url.Values{"body": {"darn!"}}).Expect(http.StatusUnprocessableEntity, "“darn”")
	w.a.PostMultipart("/market/new", url.Values{"title": {"Darn good lamp"}, "price": {"5"}, "stock": {"1"}, "category": {"home"}}).
		Expect(http.StatusUnprocessableEntity, "“darn”", "Darn good lamp")
	w.a.PostMultipart("/market/"+w.listing+"/edit", url.Values{"title": {"Miracle cure"}, "body": {"free money"}, "price": {"9.99"}, "stock": {"5"}, "stock_was": {"5"}, "category": {"other"}}).
		Expect(http.StatusUnprocessableEntity, "“free money”")
	for c, n := range before {
		want := n
		if c == "messages" {
			want++ // "darned" is fine
		}
		if got := s.Count(c, "", nil); got != want {
			t.Errorf("%s: %d rows, want %d", c, got, want)
		}
	}
}

func lastMessage(t *testing.T, s *testkit.Server, room string) string {
	t.Helper()
	var id string
	if err := s.App.DB().NewQuery("SELECT id FROM messages WHERE room = {:r} ORDER BY seq DESC LIMIT 1").Bind(dbx.Params{"r": room}).Row(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWordFilterHoldsForReview(t *testing.T) {
	w := setup(t)
	s := w.s
	setFilter(t, s, "darn", "review")
	w.b.PostForm("/chats/"+w.room+"/messages", url.Values{"body": {"darn this"}}).ExpectRedirect("/chats/" + w.room + "#m-" + lastMessage(t, s, w.room))
	w.b.Get("/chats/"+w.room).Expect(http.StatusOK, "held for review", "darn this")
	if strings.Contains(w.a.Get("/chats/"+w.room).Body, "darn this") {
		t.Error("a held message shows to the other member")
	}
	p := w.a.PostMultipart("/moments", url.Values{"body": {"darn moment"}, "visibility": {"public"}})
	id := strings.TrimPrefix(p.Location, "/moments#p-")
	w.b.Get("/moments/" + id).Expect(http.StatusNotFound)
	w.a.Get("/moments/"+id).Expect(http.StatusOK, "Hidden by moderators")
	if n := s.Count("reports", "reporter = '' AND state = 'open'", nil); n != 2 {
		t.Fatalf("%d word-filter reports", n)
	}
	w.m.Get("/admin/reports").Expect(http.StatusOK, "Word filter", "Held by the word filter: “darn”", "darn moment")
	// Approving it (restore) shows it.
	r, err := s.App.FindFirstRecordByFilter("reports", "target_id = {:i}", dbx.Params{"i": id})
	if err != nil {
		t.Fatal(err)
	}
	w.m.PostForm("/admin/reports/"+r.Id+"/restore", url.Values{"why": {"fine in context"}}).ExpectRedirect("/admin/reports")
	w.b.Get("/moments/"+id).Expect(http.StatusOK, "darn moment")
}
