package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"plaza/hooks/testkit"
)

// gadget is a file that is both a GIF header and a script. (With printable
// bytes after "GIF89a", as in "GIF89a=1;", the header declares over 8,000
// pixels a side and the pixel limits refuse it; newlines declare 2,570.)
const gadget = "GIF89a\n\n\n\n=1;alert(document.domain)//"

// served checks how an upload came back: never as a script, a page or an
// SVG; a picture as its sniffed type, inline; anything else as a download.
func served(t *testing.T, what string, p *testkit.Page, wantType string) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Errorf("%s: status %d", what, p.Status)
		return
	}
	ct, cd := p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition")
	for _, bad := range []string{"javascript", "html", "svg", "xml"} {
		if strings.Contains(ct, bad) {
			t.Errorf("%s: served as %q", what, ct)
		}
	}
	if ct != wantType {
		t.Errorf("%s: Content-Type %q, want %q", what, ct, wantType)
	}
	wantDisp := "inline"
	if !strings.HasPrefix(wantType, "image/") {
		wantDisp = "attachment"
	}
	if !strings.HasPrefix(cd, wantDisp+";") {
		t.Errorf("%s: Content-Disposition %q, want %s", what, cd, wantDisp)
	}
	if p.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no nosniff", what)
	}
}

// Uploads named like scripts, or that are scripts, SVGs or pages, are
// served from every file route as the picture their bytes say they are, or
// as a download of bytes; real pictures keep their type and their thumbs.
func TestUploadsNeverServedAsScripts(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	ben := s.Member("Ben", "ben@example.org")
	friends(t, s, ana, ben)
	a := s.SignedIn(ana)
	anon := s.Client()
	su := s.Token(s.Superuser())
	png := testkit.PNG(t, 40, 30)

	// Listing photo and avatar named gadget.js, through the REST API.
	if p := a.PostMultipart("/market/new", url.Values{"title": {"Lamp"}, "body": {"Warm."}, "price": {"5"}, "stock": {"1"}, "category": {"home"}},
		testkit.Upload{Field: "photos", Name: "lamp.png", Data: png}); p.Status != http.StatusSeeOther {
		t.Fatalf("listing: %d", p.Status)
	}
	lamp, err := s.App.FindFirstRecordByFilter("listings", "")
	if err != nil {
		t.Fatal(err)
	}
	ct, body := multipartBody(t, "photos+", "gadget.js", []byte(gadget))
	s.API(http.MethodPatch, "/api/collections/listings/records/"+lamp.Id, su, ct, body).Expect(http.StatusOK)
	ct, body = multipartBody(t, "avatar", "gadget.js", []byte(gadget))
	s.API(http.MethodPatch, "/api/collections/users/records/"+ana.Id, su, ct, body).Expect(http.StatusOK)
	lamp, ana = s.Reload(lamp), s.Reload(ana)
	photos := lamp.GetStringSlice("photos")
	if len(photos) != 2 || !strings.HasSuffix(photos[1], ".js") || !strings.HasSuffix(ana.GetString("avatar"), ".js") {
		t.Fatalf("stored %v %q", photos, ana.GetString("avatar"))
	}
	served(t, "listing gadget.js", anon.Get("/api/files/listings/"+lamp.Id+"/"+photos[1]), "image/gif")
	served(t, "avatar gadget.js", anon.Get("/api/files/_pb_users_auth_/"+ana.Id+"/"+ana.GetString("avatar")), "image/gif")
	served(t, "listing photo", anon.Get("/api/files/listings/"+lamp.Id+"/"+photos[0]), "image/png")
	served(t, "listing thumb", anon.Get("/api/files/listings/"+lamp.Id+"/"+photos[0]+"?thumb=480x480"), "image/png")
	if cd := anon.Get("/api/files/listings/" + lamp.Id + "/" + photos[0] + "?download=1").Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("?download=1: %q", cd)
	}

	// Chat attachments: a GIF-headed script, a plain script, an SVG.
	room := directRoom(t, a, ben.Id)
	p := a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"files"}},
		testkit.Upload{Field: "attachments", Name: "gadget.js", Data: []byte(gadget)},
		testkit.Upload{Field: "attachments", Name: "tool.js", Data: []byte("fetch('/me/export').then(r => r.blob())")},
		testkit.Upload{Field: "attachments", Name: "drawing.svg", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		testkit.Upload{Field: "attachments", Name: "view.png", Data: png})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("send: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	msg, err := s.App.FindFirstRecordByFilter("messages", "kind = 'file'")
	if err != nil {
		t.Fatal(err)
	}
	b := s.SignedIn(ben)
	kinds := map[string]string{"gadget": "image/gif", "tool": "application/octet-stream", "drawing": "application/octet-stream", "view": "image/png"}
	for _, name := range msg.GetStringSlice("attachments") {
		stem, _, _ := strings.Cut(name, "_")
		kind := kinds[stem]
		p := b.Get("/chats/" + room + "/files/" + msg.Id + "/" + name).Expect(http.StatusFound)
		served(t, "chat "+name, b.Get(strings.TrimPrefix(p.Location, s.URL)), kind)
		if kind == "image/png" {
			p := b.Get("/chats/" + room + "/files/" + msg.Id + "/" + name + "?thumb=160x160").Expect(http.StatusFound)
			served(t, "chat thumb", b.Get(strings.TrimPrefix(p.Location, s.URL)), "image/png")
		}
	}

	// Moment photo named gadget.js (GIF-headed, so the form takes it).
	if p := a.PostMultipart("/moments", url.Values{"body": {"Look"}, "visibility": {"friends"}},
		testkit.Upload{Field: "photos", Name: "gadget.js", Data: []byte(gadget)},
		testkit.Upload{Field: "photos", Name: "garden.png", Data: png}); p.Status != http.StatusSeeOther {
		t.Fatalf("post: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	post, err := s.App.FindFirstRecordByFilter("posts", "")
	if err != nil {
		t.Fatal(err)
	}
	ph := post.GetStringSlice("photos")
	served(t, "moment gadget.js", b.Get("/moments/"+post.Id+"/photos/"+ph[0]), "image/gif")
	served(t, "moment photo", b.Get("/moments/"+post.Id+"/photos/"+ph[1]), "image/png")
	served(t, "moment thumb", b.Get("/moments/"+post.Id+"/photos/"+ph[1]+"?thumb=240x240"), "image/png")

}
