package hooks_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"plaza/hooks/testkit"
)

// TestMarkdownImagesInPages: an image a member writes in a chat message or a
// moment that points at one of Plaza's routes (here the data export) makes
// no other member's browser call it; Plaza's own photos still show, other
// sites' images are links. And the export itself can't be started by a GET.
func TestMarkdownImagesInPages(t *testing.T) {
	s := testkit.Start(t)
	eve, ana := s.Member("Eve", "eve@example.org"), s.Member("Ana", "ana@example.org")
	e, a := s.SignedIn(eve), s.SignedIn(ana)
	e.PostForm("/friends/"+ana.Id+"/request", nil)
	a.PostForm("/friends/"+eve.Id+"/accept", nil)

	body := "Look ![](/me/export) and ![signout](/signout) and ![pic](/moments/p1/photos/sea.jpg) " +
		"and ![cat](https://images.example.org/cat.png)"
	p := e.PostMultipart("/moments", url.Values{"body": {body}, "visibility": {"friends"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("post: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	room := strings.TrimPrefix(e.PostForm("/chats/direct/"+ana.Id, nil).Location, "/chats/")
	e.PostForm("/chats/"+room+"/messages", url.Values{"body": {body}}).Expect(http.StatusSeeOther)

	for path, card := range map[string]string{"/moments": "article.moment", "/chats/" + room: "li.msg"} {
		page := a.Get(path).Expect(http.StatusOK, "Image: cat")
		for _, bad := range []string{`src="/me/export"`, `src="/signout"`, `src="https://images.example.org`} {
			if strings.Contains(page.Body, bad) {
				t.Errorf("%s loads %s", path, bad)
			}
		}
		if !page.Has(card + ` img[src="/moments/p1/photos/sea.jpg"]`) {
			t.Errorf("%s doesn't show Plaza's own photo", path)
		}
		if href, _ := page.Doc.Find(card + ` a[data-testid=md-image-link]`).Attr("href"); href != "https://images.example.org/cat.png" {
			t.Errorf("%s: the other site's image links to %q", path, href)
		}
	}

	// Even if a browser did load it, GET /me/export is the page, not the zip.
	if g := a.Get("/me/export"); g.Status != http.StatusOK || g.Header.Get("Content-Type") == "application/zip" {
		t.Errorf("GET /me/export: %d %s", g.Status, g.Header.Get("Content-Type"))
	}
	if z := a.PostForm("/me/export", nil); z.Status != http.StatusOK || z.Header.Get("Content-Type") != "application/zip" {
		t.Errorf("POST /me/export: %d %s", z.Status, z.Header.Get("Content-Type"))
	}
}
