package chat_test

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

func TestManageGroup(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai, dee := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org"), s.Member("Dee", "dee@example.org")
	befriend(t, s, ana, ben)
	befriend(t, s, ana, cai)
	befriend(t, s, ana, dee)
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	p := a.PostForm("/chats", url.Values{"title": {"Garden"}, "members": {ben.Id}})
	room := strings.TrimPrefix(p.Location, "/chats/")
	info := "/chats/" + room + "/info"

	a.Get(info).Expect(http.StatusOK, `data-testid="rename-form"`, `data-testid="add-form"`, "Owner")
	bi := b.Get(info).Expect(http.StatusOK, `data-testid="leave"`)
	if bi.Has(`[data-testid=rename-form]`) || bi.Has(`[data-testid=remove-member]`) {
		t.Error("a plain member sees management controls")
	}

	// Only managers manage.
	b.PostForm("/chats/"+room+"/rename", url.Values{"title": {"Mine now"}}).Expect(http.StatusForbidden)
	b.PostForm("/chats/"+room+"/members", url.Values{"members": {cai.Id}}).Expect(http.StatusForbidden)
	b.PostForm("/chats/"+room+"/members/"+ana.Id+"/remove", nil).Expect(http.StatusForbidden)

	a.PostForm("/chats/"+room+"/rename", url.Values{"title": {""}}).Expect(http.StatusUnprocessableEntity, "Give the group a name")
	a.PostForm("/chats/"+room+"/rename", url.Values{"title": {"Garden plot 4"}}).ExpectRedirect(info)
	a.PostForm("/chats/"+room+"/members", url.Values{"members": {cai.Id, dee.Id}}).ExpectRedirect(info)
	a.PostForm("/chats/"+room+"/members", url.Values{}).Expect(http.StatusUnprocessableEntity, "Choose at least one friend")
	stranger := s.Member("Eve", "eve@example.org")
	a.PostForm("/chats/"+room+"/members", url.Values{"members": {stranger.Id}}).Expect(http.StatusUnprocessableEntity, "Only your friends")

	s.SignedIn(cai).Get("/chats/"+room).Expect(http.StatusOK, "Garden plot 4",
		"Ana renamed the group to “Garden plot 4”", "Ana added Cai and Dee")
	a.PostForm("/chats/"+room+"/members/"+dee.Id+"/remove", nil).ExpectRedirect(info)
	s.SignedIn(dee).Get("/chats/" + room).Expect(http.StatusNotFound)
	b.PostForm("/chats/"+room+"/leave", nil).ExpectRedirect("/chats")
	b.Get("/chats/" + room).Expect(http.StatusNotFound)
	if strings.Contains(b.Get("/chats").Body, "Garden plot 4") {
		t.Error("a left group stays in the list")
	}

	// The owner leaving hands the group on.
	a.PostForm("/chats/"+room+"/leave", nil).ExpectRedirect("/chats")
	m, err := s.App.FindFirstRecordByFilter("room_members", "room = {:r}", dbx.Params{"r": room})
	if err != nil || m.GetString("role") != "owner" || m.GetString("user") != cai.Id {
		t.Fatalf("new owner: %v %v", m, err)
	}
	s.SignedIn(cai).Get("/chats/"+room).Expect(http.StatusOK, "Dee", "Ben left the group", "Ana left the group")
}

func TestMuteKeepsBadgeQuiet(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	room := openDM(t, a, ben.Id)
	b.PostForm("/chats/"+room+"/mute", url.Values{"muted": {"1"}}).Expect(http.StatusSeeOther)
	send(a, room, "psst").Expect(http.StatusSeeOther)
	list := b.Get("/chats").Expect(http.StatusOK, `data-testid="muted"`)
	if list.Has("nav.tabbar [data-badge=chats] .badge") {
		t.Error("a muted chat raised the Chats badge")
	}
	if !list.Has("[data-testid=unread].badge--dot") {
		t.Error("the muted chat shows no unread dot")
	}
	b.PostForm("/chats/"+room+"/mute", url.Values{"muted": {"0"}})
	if !b.Get("/chats").Has("nav.tabbar [data-badge=chats] .badge") {
		t.Error("unmuting did not bring the badge back")
	}
	// A direct chat can't be left.
	b.PostForm("/chats/"+room+"/leave", nil).Expect(http.StatusBadRequest)
}

func TestEditAndRecall(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	room := openDM(t, a, ben.Id)
	p := send(a, room, "helo")
	id := strings.TrimPrefix(p.Location, "/chats/"+room+"#m-")
	edit := "/chats/" + room + "/messages/" + id + "/edit"

	b.Get(edit).Expect(http.StatusForbidden)
	b.PostForm(edit, url.Values{"body": {"hacked"}}).Expect(http.StatusForbidden)
	b.PostForm("/chats/"+room+"/messages/"+id+"/recall", nil).Expect(http.StatusForbidden)
	a.Get(edit).Expect(http.StatusOK, "helo")
	a.PostForm(edit, url.Values{"body": {" "}}).Expect(http.StatusUnprocessableEntity, "can&#39;t be empty")
	a.PostForm(edit, url.Values{"body": {"hello"}}).ExpectRedirect("/chats/" + room + "#m-" + id)
	b.Get("/chats/"+room).Expect(http.StatusOK, "hello", "· edited")

	a.PostForm("/chats/"+room+"/messages/"+id+"/recall", nil).ExpectRedirect("/chats/" + room + "#m-" + id)
	page := b.Get("/chats/"+room).Expect(http.StatusOK, "Message recalled")
	if strings.Contains(page.Text("[data-testid=messages]"), "hello") {
		t.Error("recalled text still shown")
	}
	m, err := s.App.FindRecordById("messages", id)
	if err != nil || m.GetString("body") != "" || !m.GetBool("recalled") {
		t.Fatalf("stored after recall: %q %v", m.GetString("body"), err)
	}
	a.PostForm(edit, url.Values{"body": {"again"}}).Expect(http.StatusForbidden)

	// Past the recall window.
	old := send(a, room, "too late to take back")
	oldID := strings.TrimPrefix(old.Location, "/chats/"+room+"#m-")
	if _, err := s.App.DB().NewQuery("UPDATE messages SET created = datetime('now', '-3 minutes') WHERE id = {:id}").
		Bind(dbx.Params{"id": oldID}).Execute(); err != nil {
		t.Fatal(err)
	}
	a.PostForm("/chats/"+room+"/messages/"+oldID+"/recall", nil).Expect(http.StatusForbidden, "2 minutes")
}

func TestAttachments(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org")
	befriend(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := openDM(t, a, ben.Id)
	png := pngBytes(t)
	p := a.PostMultipart("/chats/"+room+"/messages", url.Values{},
		testkit.Upload{Field: "attachments", Name: "garden.png", Data: png},
		testkit.Upload{Field: "attachments", Name: "notes.txt", Data: []byte("seed list: beans, peas")})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", p.Status, p.Body)
	}
	page := s.SignedIn(ben).Get("/chats/"+room).Expect(http.StatusOK, "notes.txt")
	img, ok := page.Doc.Find(".attachment--image img").Attr("src")
	if !ok {
		t.Fatal("no image thumbnail")
	}
	file, _ := page.Doc.Find(".attachment--file").Attr("href")

	// Members get the files through a short redirect; the stored files are protected.
	bc := s.SignedIn(ben)
	for _, u := range []string{img, file} {
		r := bc.Get(u)
		if r.Status != http.StatusFound || !strings.Contains(r.Location, "token=") {
			t.Fatalf("%s: %d %q", u, r.Status, r.Location)
		}
		if got := bc.Get(r.Location); got.Status != http.StatusOK {
			t.Errorf("%s → %d", r.Location, got.Status)
		}
		tokenless := r.Location[:strings.Index(r.Location, "?")]
		if got := s.Client().Get(tokenless); got.Status == http.StatusOK {
			t.Errorf("protected file served without a token: %s", tokenless)
		}
	}
	s.SignedIn(cai).Get(file).Expect(http.StatusNotFound)

	// Too many files and oversized files are refused with the text kept.
	var many []testkit.Upload
	for i := 0; i < 10; i++ {
		many = append(many, testkit.Upload{Field: "attachments", Name: "p.png", Data: png})
	}
	a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"album"}}, many...).Expect(http.StatusUnprocessableEntity, "at most 9 files")
	a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"big"}},
		testkit.Upload{Field: "attachments", Name: "big.bin", Data: make([]byte, 21<<20)}).Expect(http.StatusUnprocessableEntity, "up to 20 MB")
	if n := s.Count("messages", "", nil); n != 1 {
		t.Fatalf("%d messages stored", n)
	}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 24))
	for x := 0; x < 24; x++ {
		img.Set(x, 23-x, color.RGBA{7, 193, 96, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
