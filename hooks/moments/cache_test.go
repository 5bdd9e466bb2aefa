package moments_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// The feed's first page, cards, faces and notice counts are cached: every
// change must show on the next load of a page that was already cached.
func TestFeedStaysCurrent(t *testing.T) {
	s := testkit.Start(t)
	ana, fay, sam, gus := s.Member("Ana", "ana@example.org"), s.Member("Fay", "fay@example.org"),
		s.Member("Sam Stranger", "sam@example.org"), s.Member("Gus", "gus@example.org")
	befriend(t, s, ana, fay)
	a, f, st, g := s.SignedIn(ana), s.SignedIn(fay), s.SignedIn(sam), s.SignedIn(gus)
	in := func(c *testkit.Client, id string) bool { return c.Get("/moments").Has(`[id="p-` + id + `"]`) }

	first := post(t, a, url.Values{"body": {"first"}, "visibility": {"friends"}})
	if !in(f, first) || in(st, first) {
		t.Fatal("first post: wrong audience")
	}
	// A friend's new post, and a stranger's public one, reach cached feeds.
	second := post(t, a, url.Values{"body": {"second"}, "visibility": {"friends"}})
	if !in(f, second) {
		t.Error("a friend's new post missing from a cached feed")
	}
	open := post(t, a, url.Values{"body": {"open to all"}, "visibility": {"public"}})
	if !in(st, open) {
		t.Error("a public post missing from a stranger's cached feed")
	}
	// Deleting takes it out.
	a.PostForm("/moments/"+second+"/delete", nil).Expect(http.StatusSeeOther)
	if in(f, second) {
		t.Error("a deleted post still in a cached feed")
	}

	// Reactions and names show on the next load.
	f.PostForm("/moments/"+first+"/like", nil).Expect(http.StatusSeeOther)
	a.Get("/moments").Expect(http.StatusOK, "Fay")
	f.PostForm("/moments/"+first+"/comments", url.Values{"body": {"lovely"}}).Expect(http.StatusSeeOther)
	a.Get("/moments").Expect(http.StatusOK, "lovely")
	if !a.Get("/moments").Has("nav.tabbar [data-testid=moments-dot]") {
		t.Error("no notice dot after a cached count")
	}
	f.PostMultipart("/me/edit", url.Values{"name": {"Fay Renamed"}, "bio": {""}}).Expect(http.StatusSeeOther)
	a.Get("/moments").Expect(http.StatusOK, "Fay Renamed")

	// A new friend sees older posts; an ex-friend and a blocked member don't.
	if in(g, first) {
		t.Fatal("a stranger sees a friends post")
	}
	befriend(t, s, ana, gus)
	if !in(g, first) {
		t.Error("a new friend's cached feed misses older posts")
	}
	g.PostForm("/friends/"+ana.Id+"/remove", nil)
	if in(g, first) {
		t.Error("an ex-friend still sees a friends post")
	}
	a.PostForm("/friends/"+sam.Id+"/block", nil)
	if in(st, open) {
		t.Error("a blocked member still sees a public post")
	}

	// The history window: a setting change applies at once, and a post
	// leaves cached feeds when it grows older than the window.
	edge := post(t, a, url.Values{"body": {"edge"}, "visibility": {"friends"}})
	// The post leaves the 3-day window 5 s from now (room for a slow machine).
	if _, err := s.App.DB().NewQuery(`UPDATE posts SET created = strftime('%Y-%m-%d %H:%M:%fZ', 'now', '-3 days', '+5 seconds')
		WHERE id = {:id}`).Bind(dbx.Params{"id": edge}).Execute(); err != nil {
		t.Fatal(err)
	}
	leaves := time.Now().Add(5 * time.Second)
	a.PostForm("/me/privacy", url.Values{"who_can_add": {"anyone"}, "moments_window": {"3d"}}).ExpectRedirect("/me")
	if !in(f, edge) || !in(f, first) {
		t.Fatal("posts inside the window missing")
	}
	time.Sleep(time.Until(leaves) + 500*time.Millisecond)
	if in(f, edge) {
		t.Error("a post past the history window still in a cached feed")
	}
	if !in(f, first) {
		t.Error("a post inside the window went missing")
	}
}
