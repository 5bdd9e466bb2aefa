package web_test

import (
	"bytes"
	"encoding/json"
	"image"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/testkit"
	"plaza/hooks/web"
)

// refusal is the sentence a member sees for a bomb they upload, after its
// name; shown is the one for a stored bomb.
const (
	refusal = "is 20,000 × 20,000 pixels. Pictures can be at most 40 megapixels"
	shown   = "This picture is 20,000 × 20,000 pixels, more than Plaza shows"
)

// friends makes a and b friends through the pages.
func friends(t *testing.T, s *testkit.Server, a, b *core.Record) {
	t.Helper()
	s.SignedIn(a).PostForm("/friends/"+b.Id+"/request", nil)
	s.SignedIn(b).PostForm("/friends/"+a.Id+"/accept", nil).ExpectRedirect("/u/" + a.Id)
}

// directRoom opens the direct chat of c's member with other.
func directRoom(t *testing.T, c *testkit.Client, other string) string {
	t.Helper()
	p := c.PostForm("/chats/direct/"+other, nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/chats/") {
		t.Fatalf("open DM: %d %q", p.Status, p.Location)
	}
	return strings.TrimPrefix(p.Location, "/chats/")
}

// storedFiles counts the files in the server's storage.
func storedFiles(t *testing.T, s *testkit.Server) int {
	t.Helper()
	n := 0
	root := filepath.Join(s.App.DataDir(), "storage")
	err := filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasSuffix(d.Name(), ".attrs") {
			n++
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n
}

// multipartBody is a multipart form with one file, for the REST API.
func multipartBody(t *testing.T, field, name string, data []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, err := w.CreateFormFile(field, name)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), b.Bytes()
}

// fieldError is the REST API's validation message for field.
func fieldError(t *testing.T, p *testkit.Page, field string) string {
	t.Helper()
	var res struct {
		Data map[string]struct{ Message string } `json:"data"`
	}
	if err := json.Unmarshal([]byte(p.Body), &res); err != nil {
		t.Fatalf("%d %s: %v", p.Status, p.Body, err)
	}
	return res.Data[field].Message
}

// Every form that takes a picture refuses a small file declaring 20,000 ×
// 20,000 pixels in each accepted format, keeps what was typed and stores
// nothing; so do the REST API and the dashboard for every file field.
func TestPictureBombsRefusedEverywhere(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	ben := s.Member("Ben", "ben@example.org")
	friends(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := directRoom(t, a, ben.Id)
	boss := s.Member("Boss", "boss@example.org")
	boss.Set("role", "admin")
	if err := s.App.Save(boss); err != nil {
		t.Fatal(err)
	}
	// A listing with a real photo, for the REST API's photos+.
	p := a.PostMultipart("/market/new", url.Values{"title": {"Lamp"}, "body": {"Warm light."}, "price": {"5"}, "stock": {"1"}, "category": {"home"}},
		testkit.Upload{Field: "photos", Name: "lamp.png", Data: testkit.PNG(t, 40, 30)})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("listing: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	lamp, err := s.App.FindFirstRecordByFilter("listings", "title = 'Lamp'")
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	su := s.Token(s.Superuser())
	files := storedFiles(t, s)
	minis := s.Count("minis", "", nil) // the built-in ones

	for _, f := range testkit.BombFormats {
		bomb := testkit.Bomb(t, f.Format, 20000)
		up := func(field string) testkit.Upload { return testkit.Upload{Field: field, Name: f.Name, Data: bomb} }
		t.Run(f.Format, func(t *testing.T) {
			a.PostMultipart("/moments", url.Values{"body": {"Sunset " + f.Format}, "visibility": {"friends"}}, up("photos")).
				Expect(http.StatusUnprocessableEntity, "“"+f.Name+"” "+refusal, "Sunset "+f.Format)

			a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"Look " + f.Format}}, up("attachments")).
				Expect(http.StatusUnprocessableEntity, "“"+f.Name+"” "+refusal, "Look "+f.Format)

			p := a.PostMultipart("/market/new", url.Values{"title": {"Bike " + f.Format}, "body": {"Fast."}, "price": {"12.50"}, "stock": {"1"}, "category": {"sports"}}, up("photos")).
				Expect(http.StatusUnprocessableEntity, "“"+f.Name+"” "+refusal)
			if got := p.Value("[name=title]"); got != "Bike "+f.Format {
				t.Errorf("listing title kept as %q", got)
			}

			s.SignedIn(boss).PostMultipart("/admin/announcements", url.Values{"body": {"Fair on Sunday " + f.Format}}, up("image")).
				Expect(http.StatusUnprocessableEntity, "“"+f.Name+"” "+refusal, "Fair on Sunday "+f.Format)

			a.PostMultipart("/me/edit", url.Values{"name": {"Ana"}, "bio": {"Gardener " + f.Format}}, up("avatar")).
				Expect(http.StatusUnprocessableEntity, "“"+f.Name+"” "+refusal, "Gardener "+f.Format)

			// REST API / dashboard, as the superuser: the error is under the field.
			for _, c := range []struct{ path, field string }{
				{"/api/collections/org_settings/records/" + org.Id, "logo"},
				{"/api/collections/users/records/" + ana.Id, "avatar"},
				{"/api/collections/listings/records/" + lamp.Id, "photos+"},
			} {
				ct, body := multipartBody(t, c.field, f.Name, bomb)
				p := s.API(http.MethodPatch, c.path, su, ct, body).Expect(http.StatusBadRequest)
				if msg := fieldError(t, p, strings.TrimSuffix(c.field, "+")); !strings.Contains(msg, refusal) {
					t.Errorf("PATCH %s %s: %q", c.path, c.field, msg)
				}
			}

			if f.Format == "png" || f.Format == "webp" { // the icon formats minis may use
				bundle := testkit.MiniZip(map[string]any{"slug": "bomb" + f.Format, "name": "Bomb", "version": "1.0.0", "icon": "icon." + f.Format},
					map[string]string{"index.html": "<p>hi</p>", "icon." + f.Format: string(bomb)})
				p := s.UploadMini("", bundle).Expect(http.StatusBadRequest)
				if msg := fieldError(t, p, "bundle"); !strings.Contains(msg, "“icon."+f.Format+"” "+refusal) {
					t.Errorf("mini icon: %q", msg)
				}
			}
		})
	}

	for coll, want := range map[string]int{"posts": 0, "messages": 0, "announcements": 0, "minis": minis} {
		if n := s.Count(coll, "", nil); n != want {
			t.Errorf("%d %s stored", n, coll)
		}
	}
	if n := s.Count("listings", "", nil); n != 1 {
		t.Errorf("%d listings stored", n)
	}
	if got := s.Reload(lamp).GetStringSlice("photos"); len(got) != 1 {
		t.Errorf("lamp photos %v", got)
	}
	if s.Reload(ana).GetString("avatar") != "" || s.Reload(org).GetString("logo") != "" {
		t.Error("an avatar or logo was stored")
	}
	if n := storedFiles(t, s); n != files {
		t.Errorf("storage holds %d files, had %d", n, files)
	}
}

// A picture at the limits is taken, and a big real photo (6000 × 4000)
// still gets its thumbnails.
func TestLargePhotoThumbnails(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	a := s.SignedIn(ana)
	photo := testkit.JPEG(t, 6000, 4000)
	p := a.PostMultipart("/moments", url.Values{"body": {"Harbour"}, "visibility": {"public"}},
		testkit.Upload{Field: "photos", Name: "harbour.jpg", Data: photo})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("post: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	post, err := s.App.FindFirstRecordByFilter("posts", "author = {:a}", map[string]any{"a": ana.Id})
	if err != nil {
		t.Fatal(err)
	}
	name := post.GetStringSlice("photos")[0]

	w := testkit.WatchHeap()
	p = a.Get("/moments/" + post.Id + "/photos/" + name + "?thumb=240x240").Expect(http.StatusOK)
	use := w.Stop()
	t.Logf("6000×4000 thumb: peak +%d MB, allocated %d MB, kept +%d MB", use.Peak>>20, use.Allocated>>20, use.Kept>>20)
	if ct := p.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("thumb Content-Type %q", ct)
	}
	cfg, _, err := image.DecodeConfig(strings.NewReader(p.Body))
	if err != nil || cfg.Width != 240 || cfg.Height != 240 {
		t.Errorf("thumb %dx%d, %v", cfg.Width, cfg.Height, err)
	}
	if use.Kept > 50<<20 {
		t.Errorf("the heap kept +%d MB after the thumb", use.Kept>>20)
	}
}

func TestPixelLimits(t *testing.T) {
	for _, c := range []struct {
		w, h int
		over bool
	}{
		{6000, 4000, false}, {12000, 3333, false}, {6324, 6324, false}, {1, 12000, false},
		{6325, 6325, true}, {12001, 10, true}, {10, 12001, true}, {20000, 20000, true},
	} {
		if got := web.TooManyPixels(c.w, c.h); got != c.over {
			t.Errorf("TooManyPixels(%d, %d) = %v", c.w, c.h, got)
		}
	}
}

// A picture over the limits already in storage (saved before the limits,
// or put there by hand) is never decoded for a thumbnail, on any route that
// makes thumbs; with bombs posted too, the heap stays flat.
func TestStoredBombNeverThumbnailed(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	ben := s.Member("Ben", "ben@example.org")
	friends(t, s, ana, ben)
	a := s.SignedIn(ana)
	small := testkit.PNG(t, 40, 30)
	if p := a.PostMultipart("/moments", url.Values{"body": {"Garden"}, "visibility": {"friends"}},
		testkit.Upload{Field: "photos", Name: "garden.png", Data: small}); p.Status != http.StatusSeeOther {
		t.Fatalf("post: %d", p.Status)
	}
	if p := a.PostMultipart("/market/new", url.Values{"title": {"Lamp"}, "body": {"Warm."}, "price": {"5"}, "stock": {"1"}, "category": {"home"}},
		testkit.Upload{Field: "photos", Name: "lamp.png", Data: small}); p.Status != http.StatusSeeOther {
		t.Fatalf("listing: %d", p.Status)
	}
	room := directRoom(t, a, ben.Id)
	if p := a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"see"}},
		testkit.Upload{Field: "attachments", Name: "view.png", Data: small}); p.Status != http.StatusSeeOther {
		t.Fatalf("send: %d", p.Status)
	}
	post, err := s.App.FindFirstRecordByFilter("posts", "")
	if err != nil {
		t.Fatal(err)
	}
	lamp, err := s.App.FindFirstRecordByFilter("listings", "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.App.FindFirstRecordByFilter("messages", "kind = 'file'")
	if err != nil {
		t.Fatal(err)
	}
	// Swap each stored picture for a bomb, as one stored before the checks.
	bomb := testkit.Bomb(t, "png", 20000)
	for _, r := range []struct {
		rec   *core.Record
		field string
	}{{post, "photos"}, {lamp, "photos"}, {msg, "attachments"}} {
		path := filepath.Join(s.App.DataDir(), "storage", r.rec.BaseFilesPath(), r.rec.GetStringSlice(r.field)[0])
		if err := os.WriteFile(path, bomb, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	b := s.SignedIn(ben)
	w := testkit.WatchHeap()
	for _, f := range testkit.BombFormats { // posting bombs costs next to nothing too
		b.PostMultipart("/moments", url.Values{"body": {"x"}, "visibility": {"friends"}},
			testkit.Upload{Field: "photos", Name: f.Name, Data: testkit.Bomb(t, f.Format, 20000)}).Expect(http.StatusUnprocessableEntity)
	}
	b.Get("/moments/"+post.Id+"/photos/"+post.GetStringSlice("photos")[0]+"?thumb=240x240").
		Expect(http.StatusUnprocessableEntity, shown)
	p := s.Client().Get("/api/files/listings/" + lamp.Id + "/" + lamp.GetStringSlice("photos")[0] + "?thumb=480x480")
	p.Expect(http.StatusUnprocessableEntity, shown)
	p = b.Get("/chats/" + room + "/files/" + msg.Id + "/" + msg.GetStringSlice("attachments")[0] + "?thumb=480x0").Expect(http.StatusFound)
	b.Get(strings.TrimPrefix(p.Location, s.URL)).Expect(http.StatusUnprocessableEntity, shown)
	use := w.Stop()
	t.Logf("four bombs posted, three stored ones asked for thumbs: peak +%d MB, allocated %d MB", use.Peak>>20, use.Allocated>>20)
	if use.Allocated > 150<<20 || use.Peak > 150<<20 {
		t.Errorf("stored bombs cost the heap: peak +%d MB, allocated %d MB", use.Peak>>20, use.Allocated>>20)
	}
}
