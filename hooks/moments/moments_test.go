package moments_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/testkit"
)

func befriend(t *testing.T, s *testkit.Server, a, b *core.Record) {
	t.Helper()
	s.SignedIn(a).PostForm("/friends/"+b.Id+"/request", nil)
	s.SignedIn(b).PostForm("/friends/"+a.Id+"/accept", nil).ExpectRedirect("/u/" + a.Id)
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{7, 193, 96, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// post publishes through the form and returns the new post's id.
func post(t *testing.T, c *testkit.Client, form url.Values, files ...testkit.Upload) string {
	t.Helper()
	p := c.PostMultipart("/moments", form, files...)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/moments#p-") {
		t.Fatalf("post: %d %q\n%s", p.Status, p.Location, p.Text("[data-testid=form-errors]"))
	}
	return strings.TrimPrefix(p.Location, "/moments#p-")
}

func TestVisibilityMatrix(t *testing.T) {
	s := testkit.Start(t)
	author := s.Member("Ana Author", "ana@example.org")
	friend := s.Member("Fred Friend", "fred@example.org")
	tagged := s.Member("Tia Tagged", "tia@example.org")
	excepted := s.Member("Xavi Excepted", "xavi@example.org")
	stranger := s.Member("Sam Stranger", "sam@example.org")
	blocked := s.Member("Bo Blocked", "bo@example.org")
	for _, f := range []*core.Record{friend, tagged, excepted, blocked} {
		befriend(t, s, author, f)
	}
	a := s.SignedIn(author)
	a.PostForm("/friends/"+blocked.Id+"/block", nil)
	p := a.PostForm("/friends/tags", url.Values{"name": {"Family"}})
	a.PostForm(p.Location, url.Values{"name": {"Family"}, "members": {tagged.Id}}).ExpectRedirect("/friends/tags")
	tag, err := s.App.FindFirstRecordByFilter("friend_tags", "name = 'Family'")
	if err != nil {
		t.Fatal(err)
	}

	posts := map[string]string{
		"friends": post(t, a, url.Values{"body": {"for friends"}, "visibility": {"friends"}},
			testkit.Upload{Field: "photos", Name: "a.png", Data: pngBytes(t)}),
		"public": post(t, a, url.Values{"body": {"for everyone"}, "visibility": {"public"}}),
		"only":   post(t, a, url.Values{"body": {"for family"}, "visibility": {"only"}, "tags": {tag.Id}}),
		"except": post(t, a, url.Values{"body": {"not for xavi"}, "visibility": {"except"}, "audience": {excepted.Id}}),
	}
	want := map[string]map[*core.Record]bool{
		"friends": {author: true, friend: true, tagged: true, excepted: true, stranger: false, blocked: false},
		"public":  {author: true, friend: true, tagged: true, excepted: true, stranger: true, blocked: false},
		"only":    {author: true, friend: false, tagged: true, excepted: false, stranger: false, blocked: false},
		"except":  {author: true, friend: true, tagged: true, excepted: false, stranger: false, blocked: false},
	}
	photo, err := s.App.FindRecordById("posts", posts["friends"])
	if err != nil {
		t.Fatal(err)
	}
	photoURL := "/moments/" + photo.Id + "/photos/" + photo.GetStringSlice("photos")[0] + "?thumb=240x240"
	for mode, viewers := range want {
		for viewer, sees := range viewers {
			c := s.SignedIn(viewer)
			page := c.Get("/moments/" + posts[mode])
			feed := c.Get("/moments")
			inFeed := feed.Has(`[id="p-` + posts[mode] + `"]`)
			if got := page.Status == http.StatusOK; got != sees || inFeed != sees {
				t.Errorf("%s post, viewer %s: page %d, in feed %v; want visible=%v", mode, viewer.GetString("name"), page.Status, inFeed, sees)
			}
			if mode == "friends" {
				ph := c.Get(photoURL)
				if (ph.Status == http.StatusOK) != sees || (sees && !strings.HasPrefix(ph.Header.Get("Content-Type"), "image/")) {
					t.Errorf("photo for %s: %d %s", viewer.GetString("name"), ph.Status, ph.Header.Get("Content-Type"))
				}
			}
		}
	}
	// Blocking hides both ways: Bo's public post is not Ana's to see.
	boPost := post(t, s.SignedIn(blocked), url.Values{"body": {"bo here"}, "visibility": {"public"}})
	a.Get("/moments/" + boPost).Expect(http.StatusNotFound)
	s.SignedIn(stranger).Get("/moments/" + boPost).Expect(http.StatusOK)

	// The author sees who each post is for.
	feed := a.Get("/moments").Expect(http.StatusOK, "Only 1 friend", "Friends except 1", "Everyone")
	_ = feed
	// The album shows one member's visible moments.
	album := s.SignedIn(stranger).Get("/moments?author="+author.Id).Expect(http.StatusOK, "Ana Author&#39;s moments", "for everyone")
	if strings.Contains(album.Body, "for friends") {
		t.Error("album shows a friends-only post to a stranger")
	}
}

func TestCommentVisibility(t *testing.T) {
	s := testkit.Start(t)
	ana, fay, tom := s.Member("Ana", "ana@example.org"), s.Member("Fay", "fay@example.org"), s.Member("Tom", "tom@example.org")
	befriend(t, s, ana, fay)
	befriend(t, s, ana, tom)
	id := post(t, s.SignedIn(ana), url.Values{"body": {"picnic?"}, "visibility": {"friends"}})
	f, tc := s.SignedIn(fay), s.SignedIn(tom)
	f.PostForm("/moments/"+id+"/comments", url.Values{"body": {"Fay is in"}}).Expect(http.StatusSeeOther)
	tc.PostForm("/moments/"+id+"/comments", url.Values{"body": {"Tom too"}}).Expect(http.StatusSeeOther)
	f.PostForm("/moments/"+id+"/like", nil).Expect(http.StatusSeeOther)
	tc.PostForm("/moments/"+id+"/like", nil).Expect(http.StatusSeeOther)
	s.SignedIn(ana).PostForm("/moments/"+id+"/comments", url.Values{"body": {"Ana says noon"}}).Expect(http.StatusSeeOther)

	fp := f.Get("/moments/"+id).Expect(http.StatusOK, "Fay is in", "Ana says noon")
	if strings.Contains(fp.Body, "Tom too") || strings.Contains(fp.Text("[data-testid=likes]"), "Tom") {
		t.Error("Fay sees Tom's comment or like though they aren't friends")
	}
	if !strings.Contains(s.SignedIn(ana).Get("/moments/"+id).Body, "Tom too") {
		t.Error("the author doesn't see every comment")
	}
	befriend(t, s, fay, tom)
	f.Get("/moments/"+id).Expect(http.StatusOK, "Tom too")

	// Replies, unlike, deleting: the comment's author or the post's author.
	tomComment, err := s.App.FindFirstRecordByFilter("post_comments", "body = 'Tom too'")
	if err != nil {
		t.Fatal(err)
	}
	f.PostForm("/moments/"+id+"/comments", url.Values{"body": {"see you"}, "reply_to": {tomComment.Id}}).Expect(http.StatusSeeOther)
	f.Get("/moments/"+id).Expect(http.StatusOK, "replied to")
	f.PostForm("/moments/"+id+"/comments/"+tomComment.Id+"/delete", nil).Expect(http.StatusForbidden)
	s.SignedIn(ana).PostForm("/moments/"+id+"/comments/"+tomComment.Id+"/delete", nil).Expect(http.StatusSeeOther)
	f.PostForm("/moments/"+id+"/unlike", nil).Expect(http.StatusSeeOther)
	if s.Count("post_likes", "user = {:u}", dbx.Params{"u": fay.Id}) != 0 {
		t.Error("unlike kept the like")
	}
	f.PostForm("/moments/"+id+"/comments", url.Values{"body": {" "}}).Expect(http.StatusUnprocessableEntity, "Write a comment first")
	f.PostForm("/moments/"+id+"/delete", nil).Expect(http.StatusForbidden)
	s.SignedIn(ana).PostForm("/moments/"+id+"/delete", nil).ExpectRedirect("/moments")
	if s.Count("posts", "", nil)+s.Count("post_comments", "", nil)+s.Count("post_likes", "", nil) != 0 {
		t.Error("deleting a post left data behind")
	}
}

func TestHistoryWindow(t *testing.T) {
	s := testkit.Start(t)
	ana, fay := s.Member("Ana", "ana@example.org"), s.Member("Fay", "fay@example.org")
	befriend(t, s, ana, fay)
	a := s.SignedIn(ana)
	old := post(t, a, url.Values{"body": {"last month"}, "visibility": {"friends"}})
	recent := post(t, a, url.Values{"body": {"today"}, "visibility": {"friends"}})
	if _, err := s.App.DB().NewQuery("UPDATE posts SET created = strftime('%Y-%m-%d %H:%M:%fZ', 'now', '-10 days') WHERE id = {:id}").
		Bind(dbx.Params{"id": old}).Execute(); err != nil {
		t.Fatal(err)
	}
	f := s.SignedIn(fay)
	f.Get("/moments/" + old).Expect(http.StatusOK)
	a.PostForm("/me/privacy", url.Values{"who_can_add": {"anyone"}, "moments_window": {"3d"}}).ExpectRedirect("/me")
	f.Get("/moments/" + old).Expect(http.StatusNotFound)
	f.Get("/moments/" + recent).Expect(http.StatusOK)
	a.Get("/moments/" + old).Expect(http.StatusOK) // the author always sees their own
}

func TestPostBadInput(t *testing.T) {
	s := testkit.Start(t)
	ana, fay, sam := s.Member("Ana", "ana@example.org"), s.Member("Fay", "fay@example.org"), s.Member("Sam", "sam@example.org")
	befriend(t, s, ana, fay)
	a := s.SignedIn(ana)
	img := testkit.Upload{Field: "photos", Name: "p.png", Data: pngBytes(t)}
	var ten []testkit.Upload
	for i := 0; i < 10; i++ {
		ten = append(ten, img)
	}
	cases := []struct {
		name   string
		form   url.Values
		files  []testkit.Upload
		status int
		msg    string
	}{
		{"empty", url.Values{"body": {"  "}, "visibility": {"friends"}}, nil, 422, "Write something or add a photo"},
		{"too long", url.Values{"body": {strings.Repeat("x", 5001)}, "visibility": {"friends"}}, nil, 422, "under 5,000"},
		{"ten photos", url.Values{"body": {"album"}, "visibility": {"friends"}}, ten, 422, "at most 9"},
		{"not an image", url.Values{"body": {"doc"}, "visibility": {"friends"}}, []testkit.Upload{{Field: "photos", Name: "x.png", Data: []byte("%PDF-1.4 not a picture")}}, 422, "is not a picture"},
		{"oversized", url.Values{"body": {"big"}, "visibility": {"friends"}}, []testkit.Upload{{Field: "photos", Name: "big.png", Data: append(pngBytes(t), make([]byte, 11<<20)...)}}, 413, "larger than 10 MB"},
		{"bad visibility", url.Values{"body": {"hm"}, "visibility": {"secret"}}, nil, 422, "Choose who can see"},
		{"no audience", url.Values{"body": {"hm"}, "visibility": {"only"}}, nil, 422, "at least one friend or tag"},
		{"stranger in audience", url.Values{"body": {"hm"}, "visibility": {"only"}, "audience": {sam.Id}}, nil, 422, "only name your friends"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := a.PostMultipart("/moments", tc.form, tc.files...).Expect(tc.status)
			if got := p.Text("[data-testid=form-errors]"); !strings.Contains(got, tc.msg) {
				t.Errorf("errors %q, want %q", got, tc.msg)
			}
			if body := tc.form.Get("body"); strings.TrimSpace(body) != "" && p.Text("#f-body") != body {
				t.Error("typed text lost")
			}
			if n := s.Count("posts", "", nil); n != 0 {
				t.Fatalf("%d posts stored", n)
			}
			if v := tc.form.Get("visibility"); (v == "only" || v == "except") != p.Has(`input[name=audience]`) {
				t.Error("audience posts should come back on the full form (and others on the feed)")
			}
		})
	}
	a.Get("/moments/new").Expect(http.StatusOK, `name="audience"`, "Fay")
	if a.Get("/moments").Has(`input[name=audience]`) {
		t.Error("the feed lists every friend in its composer")
	}
}

func TestMomentsAPIIsClosed(t *testing.T) {
	s := testkit.Start(t)
	ana, fay := s.Member("Ana", "ana@example.org"), s.Member("Fay", "fay@example.org")
	befriend(t, s, ana, fay)
	id := post(t, s.SignedIn(ana), url.Values{"body": {"friends only"}, "visibility": {"friends"}},
		testkit.Upload{Field: "photos", Name: "a.png", Data: pngBytes(t)})
	rec, err := s.App.FindRecordById("posts", id)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/api/collections/posts/records", "/api/collections/posts/records/" + id,
		"/api/collections/post_comments/records", "/api/collections/post_likes/records",
		"/api/files/posts/" + id + "/" + rec.GetStringSlice("photos")[0],
	} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Header.Set("Authorization", s.Token(fay)) // even a friend: the pages are the way in
		if p := s.Client().Do(req); p.Status == http.StatusOK && strings.Contains(p.Body, "friends only") || p.Status == http.StatusOK && strings.HasPrefix(path, "/api/files") {
			t.Errorf("%s served through the API: %d", path, p.Status)
		}
	}
}

func TestNotices(t *testing.T) {
	s := testkit.Start(t)
	ana, fay, tom := s.Member("Ana", "ana@example.org"), s.Member("Fay", "fay@example.org"), s.Member("Tom", "tom@example.org")
	befriend(t, s, ana, fay)
	befriend(t, s, ana, tom)
	a, f, tc := s.SignedIn(ana), s.SignedIn(fay), s.SignedIn(tom)
	id := post(t, a, url.Values{"body": {"picnic?"}, "visibility": {"friends"}})
	if a.Get("/moments").Has("[data-testid=moments-dot]") {
		t.Fatal("a dot before anyone reacted")
	}

	live := testkit.ReadSSE(t, a.Open("/events", nil).Body)
	defer live.Close()
	live.Next("unread")
	f.PostForm("/moments/"+id+"/like", nil).Expect(http.StatusSeeOther)
	live.Next("notice") // Ana's open tab lights up at once

	if !a.Get("/chats").Has("nav.tabbar [data-testid=moments-dot]") {
		t.Error("no Moments dot after a like")
	}
	f.PostForm("/moments/"+id+"/comments", url.Values{"body": {"yes!"}}).Expect(http.StatusSeeOther)
	n := a.Get("/moments/notices").Expect(http.StatusOK, "Fay liked your moment", "Fay commented on your moment", "yes!")
	if n.Doc.Find("[data-testid=notice]").Length() != 2 {
		t.Errorf("%d notices", n.Doc.Find("[data-testid=notice]").Length())
	}
	if a.Get("/moments").Has("nav.tabbar [data-testid=moments-dot]") {
		t.Error("the dot stays after reading the notices")
	}

	// Replies reach the comment's author only from people whose comments they see.
	fayComment, err := s.App.FindFirstRecordByFilter("post_comments", "body = 'yes!'")
	if err != nil {
		t.Fatal(err)
	}
	tc.PostForm("/moments/"+id+"/comments", url.Values{"body": {"me too"}, "reply_to": {fayComment.Id}}).Expect(http.StatusSeeOther)
	if strings.Contains(f.Get("/moments/notices").Body, "Tom") {
		t.Error("Fay hears of a reply from Tom, whose comments she can't see")
	}
	befriend(t, s, fay, tom)
	f.Get("/moments/notices").Expect(http.StatusOK, "Tom replied to your comment")
	// Your own reactions never notify you.
	a.PostForm("/moments/"+id+"/like", nil)
	if strings.Contains(a.Get("/moments/notices").Body, "Ana liked") {
		t.Error("notified of one's own like")
	}
}

func TestFeedPaging(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	a := s.SignedIn(ana)
	for i := 1; i <= 25; i++ {
		post(t, a, url.Values{"body": {"moment " + strings.Repeat("x", i)}, "visibility": {"friends"}})
	}
	seen := map[string]bool{}
	page := a.Get("/moments").Expect(http.StatusOK)
	for n := 0; n < 3; n++ {
		page.Doc.Find("[data-testid=post]").Each(func(_ int, el *goquery.Selection) {
			id, _ := el.Attr("id")
			if seen[id] {
				t.Errorf("%s shown twice", id)
			}
			seen[id] = true
		})
		older, ok := page.Doc.Find("[data-testid=older]").Attr("href")
		if !ok {
			break
		}
		page = a.Get(older).Expect(http.StatusOK)
	}
	if len(seen) != 25 {
		t.Fatalf("paged through %d of 25 moments", len(seen))
	}
	a.Get("/moments?before=garbage").Expect(http.StatusBadRequest)
}
