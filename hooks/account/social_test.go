package account_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for x := 0; x < 32; x++ {
		img.Set(x, x, color.RGBA{7, 193, 96, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEditProfile(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	c := s.SignedIn(ana)
	c.Get("/me/edit").Expect(http.StatusOK, `data-testid="profile-form"`)

	cases := []struct {
		name   string
		form   url.Values
		file   *testkit.Upload
		status int
		field  string
		msg    string
	}{
		{"not an image", url.Values{"name": {"Ana L"}, "bio": {"Hi"}},
			&testkit.Upload{Field: "avatar", Name: "evil.png", Data: []byte("<svg onload=alert(1)></svg>")}, 422, "avatar", "not a picture"},
		{"too large", url.Values{"name": {"Ana L"}, "bio": {"Hi"}},
			&testkit.Upload{Field: "avatar", Name: "big.png", Data: append(pngBytes(t), make([]byte, 5<<20)...)}, 413, "avatar", "limit is 5.0 MB"},
		{"empty name", url.Values{"name": {"  "}, "bio": {"Kept bio"}}, nil, 422, "name", "Enter your name"},
		{"long bio", url.Values{"name": {"Ana"}, "bio": {strings.Repeat("b", 281)}}, nil, 422, "bio", "under 280"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var files []testkit.Upload
			if tc.file != nil {
				files = append(files, *tc.file)
			}
			p := c.PostMultipart("/me/edit", tc.form, files...).Expect(tc.status)
			if got := p.Text("[data-testid=error-" + tc.field + "]"); !strings.Contains(got, tc.msg) {
				t.Errorf("error = %q, want %q", got, tc.msg)
			}
			if p.Text("#f-bio") != strings.TrimSpace(tc.form.Get("bio")) {
				t.Errorf("bio not kept: %q", p.Text("#f-bio"))
			}
			got := s.Reload(ana)
			if got.GetString("name") != "Ana" || got.GetString("avatar") != "" {
				t.Errorf("stored despite the error: %q %q", got.GetString("name"), got.GetString("avatar"))
			}
		})
	}

	// Beyond the server's body limit: a clear 413 page, nothing stored.
	c.PostMultipart("/me/edit", url.Values{"name": {"Ana L"}},
		testkit.Upload{Field: "avatar", Name: "huge.png", Data: make([]byte, 33<<20)}).
		Expect(http.StatusRequestEntityTooLarge, "larger than this server accepts")
	if s.Reload(ana).GetString("name") != "Ana" {
		t.Fatal("an oversized post changed the profile")
	}

	c.PostMultipart("/me/edit", url.Values{"name": {"Ana Lima"}, "bio": {"Bread and bikes"}},
		testkit.Upload{Field: "avatar", Name: "me.png", Data: pngBytes(t)}).ExpectRedirect("/me")
	got := s.Reload(ana)
	if got.GetString("name") != "Ana Lima" || got.GetString("bio") != "Bread and bikes" || got.GetString("avatar") == "" {
		t.Fatalf("stored %q %q %q", got.GetString("name"), got.GetString("bio"), got.GetString("avatar"))
	}
	me := c.Get("/me").Expect(http.StatusOK, "Ana Lima", "Bread and bikes", "Profile saved")
	src, _ := me.Doc.Find("[data-testid=me] img.avatar").Attr("src")
	if thumb := c.Get(src); thumb.Status != http.StatusOK || !strings.HasPrefix(thumb.Header.Get("Content-Type"), "image/") {
		t.Errorf("avatar thumb %s: %d %s", src, thumb.Status, thumb.Header.Get("Content-Type"))
	}

	c.PostMultipart("/me/edit", url.Values{"name": {"Ana Lima"}, "remove_avatar": {"1"}}).ExpectRedirect("/me")
	if s.Reload(ana).GetString("avatar") != "" {
		t.Error("avatar not removed")
	}
}

func TestPrivacySettings(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	c := s.SignedIn(ana)
	c.Get("/me/privacy").Expect(http.StatusOK, `data-testid="privacy-form"`)

	c.PostForm("/me/privacy", url.Values{"who_can_add": {"everybody!"}, "moments_window": {"3d"}}).
		Expect(http.StatusUnprocessableEntity, "Choose who can send you friend requests")
	c.PostForm("/me/privacy", url.Values{"who_can_add": {"fof"}, "moments_window": {"6m"}}).ExpectRedirect("/me")
	p := s.Reload(ana).GetString("privacy")
	for _, want := range []string{`"discoverable":false`, `"who_can_add":"fof"`, `"moments_window":"6m"`} {
		if !strings.Contains(p, want) {
			t.Errorf("privacy %s lacks %s", p, want)
		}
	}
	page := c.Get("/me/privacy")
	if !page.Has(`input[value=fof][checked]`) || !page.Has(`input[value="6m"][checked]`) || page.Has(`input[name=discoverable][checked]`) {
		t.Error("the form does not show the saved settings")
	}
}

func TestPeopleDirectory(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	ben := s.Member("Ben Okafor", "ben@example.org")
	cai := s.Member("Cai Wen", "cai@example.org")
	dee := s.Member("Dee Hidden", "dee@example.org")
	dee.Set("privacy", map[string]any{"discoverable": false})
	eve := s.Member("Eve Pending", "eve@example.org")
	eve.Set("status", "pending")
	if err := s.App.Save(dee); err != nil {
		t.Fatal(err)
	}
	if err := s.App.Save(eve); err != nil {
		t.Fatal(err)
	}
	c := s.SignedIn(ana)
	p := c.Get("/people").Expect(http.StatusOK, "Ben Okafor", "Cai Wen")
	for _, hidden := range []string{"Dee Hidden", "Eve Pending", `data-person="` + ana.Id + `"`} {
		if strings.Contains(p.Text("[data-testid=people]"), hidden) || strings.Contains(p.Body, hidden) && strings.HasPrefix(hidden, "data-") {
			t.Errorf("directory shows %s", hidden)
		}
	}
	c.Get("/people?q=okaf").Expect(http.StatusOK, "Ben Okafor")
	if strings.Contains(c.Get("/people?q=okaf").Body, "Cai Wen") {
		t.Error("search did not filter")
	}
	c.Get("/people?q=zzz").Expect(http.StatusOK, "No members match")

	// Blocking hides both sides from each other's directory.
	s.SignedIn(cai).PostForm("/friends/"+ana.Id+"/block", nil).ExpectRedirect("/u/" + ana.Id)
	if strings.Contains(c.Get("/people").Body, "Cai Wen") {
		t.Error("a member who blocked me is listed")
	}
	// Profiles: pending accounts are not shown, hidden members are reachable by link.
	c.Get("/u/" + eve.Id).Expect(http.StatusNotFound)
	c.Get("/u/"+dee.Id).Expect(http.StatusOK, "Dee Hidden")
	c.Get("/u/"+ben.Id).Expect(http.StatusOK, `data-relation="strangers"`)
	c.Get("/u/"+ana.Id).Expect(http.StatusOK, `data-relation="self"`, "Edit profile")
}

func relation(t *testing.T, c *testkit.Client, id string) string {
	t.Helper()
	p := c.Get("/u/" + id).Expect(http.StatusOK)
	v, _ := p.Doc.Find("[data-testid=relation]").Attr("data-relation")
	return v
}

func TestFriendLifecycle(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	pair := dbx.Params{"a": ana.Id, "b": ben.Id}

	a.PostForm("/friends/"+ben.Id+"/request", nil).ExpectRedirect("/u/" + ben.Id)
	a.PostForm("/friends/"+ben.Id+"/request", nil).ExpectRedirect("/u/" + ben.Id) // twice is harmless
	if n := s.Count("friendships", "requester = {:a} AND addressee = {:b} AND state = 'pending'", pair); n != 1 {
		t.Fatalf("%d pending rows", n)
	}
	if relation(t, a, ben.Id) != "sent" || relation(t, b, ana.Id) != "received" {
		t.Fatal("relations after request")
	}
	bMe := b.Get("/me").Expect(http.StatusOK, "1 request")
	if got := bMe.Text("nav.tabbar [data-testid=badge] .visually-hidden"); got != "1 thing waiting for you" {
		t.Errorf("Me tab badge = %q", got)
	}
	if a.Get("/me").Has("nav.tabbar [data-testid=badge]") {
		t.Error("the requester has a badge")
	}
	b.Get("/friends").Expect(http.StatusOK, `data-testid="incoming"`, "Ana")

	a.PostForm("/friends/"+ben.Id+"/cancel", url.Values{"next": {"/friends"}}).ExpectRedirect("/friends")
	if relation(t, b, ana.Id) != "strangers" {
		t.Fatal("cancel did not withdraw")
	}
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	b.PostForm("/friends/"+ana.Id+"/decline", nil).ExpectRedirect("/u/" + ana.Id)
	if relation(t, a, ben.Id) != "strangers" {
		t.Fatal("decline did not drop the request")
	}
	b.PostForm("/friends/"+ana.Id+"/accept", nil).Expect(http.StatusConflict, "no pending friend request")

	a.PostForm("/friends/"+ben.Id+"/request", nil)
	// Accepting from the Friends page comes back to it; a foreign next does not leave the site.
	b.PostForm("/friends/"+ana.Id+"/accept", url.Values{"next": {"https://evil.example/"}}).ExpectRedirect("/u/" + ana.Id)
	b.PostForm("/friends/"+ana.Id+"/accept", url.Values{"next": {"/friends"}}).Expect(http.StatusConflict)
	if relation(t, a, ben.Id) != "friends" || relation(t, b, ana.Id) != "friends" {
		t.Fatal("not friends after accept")
	}
	if !strings.Contains(a.Get("/friends").Text("[data-testid=friends]"), "Ben") {
		t.Error("Ana's friends list lacks Ben")
	}
	a.PostForm("/friends/"+ben.Id+"/request", nil).Expect(http.StatusConflict, "already friends")

	a.PostForm("/friends/"+ben.Id+"/remove", nil).ExpectRedirect("/u/" + ben.Id)
	if n := s.Count("friendships", "", nil); n != 0 {
		t.Fatalf("%d rows after remove", n)
	}

	// Both asking each other makes friends.
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	b.PostForm("/friends/"+ana.Id+"/request", nil).ExpectRedirect("/u/" + ana.Id)
	if relation(t, a, ben.Id) != "friends" {
		t.Fatal("crossed requests did not make friends")
	}
}

func TestFriendRefusals(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)

	a.PostForm("/friends/"+ana.Id+"/request", nil).Expect(http.StatusBadRequest, "to yourself")
	a.PostForm("/friends/nosuchmember123/request", nil).Expect(http.StatusNotFound)
	a.PostForm("/friends/"+ben.Id+"/dance", nil).Expect(http.StatusNotFound)

	// Ben blocks Ana: she can't ask, and the block ends their request.
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	b.PostForm("/friends/"+ana.Id+"/block", nil).ExpectRedirect("/u/" + ana.Id)
	if n := s.Count("friendships", "state != 'blocked'", nil); n != 0 {
		t.Fatalf("block left %d other rows", n)
	}
	p := a.PostForm("/friends/"+ben.Id+"/request", nil).Expect(http.StatusForbidden)
	if got := p.Text("[data-testid=form-errors]"); got != "You can't send a friend request to this member." {
		t.Errorf("refusal = %q", got)
	}
	if strings.Contains(p.Body, "blocked") {
		t.Error("the refusal tells Ana she is blocked")
	}
	if relation(t, b, ana.Id) != "blocking" {
		t.Fatal("Ben's view of the block")
	}
	b.Get("/friends").Expect(http.StatusOK, `data-testid="blocked"`)
	b.PostForm("/friends/"+ana.Id+"/unblock", nil).ExpectRedirect("/u/" + ana.Id)
	a.PostForm("/friends/"+ben.Id+"/request", nil).ExpectRedirect("/u/" + ben.Id)

	// Privacy: nobody, then friends of friends.
	setWhoCanAdd := func(who string) {
		t.Helper()
		cai.Set("privacy", map[string]any{"who_can_add": who})
		if err := s.App.Save(cai); err != nil {
			t.Fatal(err)
		}
	}
	setWhoCanAdd("nobody")
	a.PostForm("/friends/"+cai.Id+"/request", nil).Expect(http.StatusForbidden)
	setWhoCanAdd("fof")
	a.PostForm("/friends/"+cai.Id+"/request", nil).Expect(http.StatusForbidden)  // no friend in common yet
	b.PostForm("/friends/"+ana.Id+"/accept", nil).ExpectRedirect("/u/" + ana.Id) // Ana–Ben friends
	s.SignedIn(cai).PostForm("/friends/"+ben.Id+"/request", nil)
	b.PostForm("/friends/"+cai.Id+"/accept", nil).ExpectRedirect("/u/" + cai.Id) // Ben–Cai friends
	a.PostForm("/friends/"+cai.Id+"/request", nil).ExpectRedirect("/u/" + cai.Id)
}

func TestFriendTags(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org")
	a := s.SignedIn(ana)
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	s.SignedIn(ben).PostForm("/friends/"+ana.Id+"/accept", nil)

	a.Get("/friends/tags").Expect(http.StatusOK, `data-testid="no-tags"`)
	a.PostForm("/friends/tags", url.Values{"name": {""}}).Expect(http.StatusUnprocessableEntity, "Give the tag a name")
	p := a.PostForm("/friends/tags", url.Values{"name": {"Family"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/friends/tags/") {
		t.Fatalf("create: %d %s", p.Status, p.Location)
	}
	tagURL := p.Location
	a.PostForm("/friends/tags", url.Values{"name": {"Family"}}).Expect(http.StatusUnprocessableEntity, "already have a tag")

	a.Get(tagURL).Expect(http.StatusOK, "Ben")
	a.PostForm(tagURL, url.Values{"name": {"Family"}, "members": {ben.Id, cai.Id}}).Expect(http.StatusUnprocessableEntity, "Only your friends")
	a.PostForm(tagURL, url.Values{"name": {"Close family"}, "members": {ben.Id}}).ExpectRedirect("/friends/tags")
	a.Get("/friends/tags").Expect(http.StatusOK, "Close family", "1 friend")
	tag, err := s.App.FindFirstRecordByFilter("friend_tags", "owner = {:o}", dbx.Params{"o": ana.Id})
	if err != nil || len(tag.GetStringSlice("members")) != 1 {
		t.Fatalf("stored tag %v %v", tag, err)
	}

	// Other members can't see or touch it.
	cc := s.SignedIn(cai)
	cc.Get(tagURL).Expect(http.StatusNotFound)
	cc.PostForm(tagURL+"/delete", nil).Expect(http.StatusNotFound)

	// Ending the friendship takes Ben out of the tag.
	a.PostForm("/friends/"+ben.Id+"/remove", nil)
	if n := len(s.Reload(tag).GetStringSlice("members")); n != 0 {
		t.Errorf("tag keeps %d members after unfriending", n)
	}
	a.PostForm(tagURL+"/delete", nil).ExpectRedirect("/friends/tags")
	if s.Count("friend_tags", "", nil) != 0 {
		t.Error("tag not deleted")
	}
}
