package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"plaza/hooks/testkit"
	"plaza/static"
)

type manifest struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	ShortName       string `json:"short_name"`
	StartURL        string `json:"start_url"`
	Scope           string `json:"scope"`
	Display         string `json:"display"`
	BackgroundColor string `json:"background_color"`
	ThemeColor      string `json:"theme_color"`
	Icons           []struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	} `json:"icons"`
}

func setOrgName(t *testing.T, s *testkit.Server, name string) {
	t.Helper()
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("name", name)
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
}

func getManifest(t *testing.T, c *testkit.Client) manifest {
	t.Helper()
	p := c.Get("/manifest.webmanifest").Expect(http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Fatalf("manifest served as %q", ct)
	}
	var m manifest
	if err := json.Unmarshal([]byte(p.Body), &m); err != nil {
		t.Fatalf("manifest is not JSON: %v\n%s", err, p.Body)
	}
	return m
}

func TestManifest(t *testing.T) {
	s := testkit.Start(t)
	setOrgName(t, s, "Plaza")
	c := s.Client()
	m := getManifest(t, c)
	for field, got := range map[string][2]string{
		"name":             {m.Name, "Plaza"},
		"short_name":       {m.ShortName, "Plaza"},
		"id":               {m.ID, "/"},
		"start_url":        {m.StartURL, "/"},
		"scope":            {m.Scope, "/"},
		"display":          {m.Display, "standalone"},
		"background_color": {m.BackgroundColor, "#f2f2f2"},
		"theme_color":      {m.ThemeColor, "#f2f2f2"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", field, got[0], got[1])
		}
	}

	// Every icon is served as what the manifest says, at its size.
	seen := map[string]bool{}
	for _, icon := range m.Icons {
		p := c.Get(icon.Src).Expect(http.StatusOK)
		if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, icon.Type) {
			t.Errorf("%s served as %q, manifest says %q", icon.Src, ct, icon.Type)
		}
		if !strings.Contains(p.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s is not a content-hashed URL (Cache-Control %q)", icon.Src, p.Header.Get("Cache-Control"))
		}
		seen[icon.Type+" "+icon.Sizes+" "+icon.Purpose] = true
		if icon.Type != "image/png" {
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader([]byte(p.Body)))
		if err != nil {
			t.Fatalf("%s is not a PNG: %v", icon.Src, err)
		}
		if got := fmt.Sprintf("%dx%d", cfg.Width, cfg.Height); got != icon.Sizes {
			t.Errorf("%s is %s, manifest says %s", icon.Src, got, icon.Sizes)
		}
	}
	for _, want := range []string{"image/png 192x192 any", "image/png 512x512 any", "image/png 512x512 maskable", "image/svg+xml any any"} {
		if !seen[want] {
			t.Errorf("no %s icon in %+v", want, m.Icons)
		}
	}
}

func TestManifestNamesTheOrganisation(t *testing.T) {
	s := testkit.Start(t)
	for _, tc := range []struct{ org, name, short string }{
		{"Riverside", "Riverside", "Riverside"},
		{"Riverside Makers Collective", "Riverside Makers Collective", "Riverside"},
		{"Supercalifragilistic Club", "Supercalifragilistic Club", "Supercalifr…"},
	} {
		setOrgName(t, s, tc.org)
		m := getManifest(t, s.Client())
		if m.Name != tc.name || m.ShortName != tc.short {
			t.Errorf("org %q: name %q, short_name %q; want %q, %q", tc.org, m.Name, m.ShortName, tc.name, tc.short)
		}
	}
}

func TestPagesLinkTheManifest(t *testing.T) {
	s := testkit.Start(t)
	p := s.Client().Get("/signin").Expect(http.StatusOK)
	if href, _ := p.Doc.Find(`link[rel=manifest]`).Attr("href"); href != "/manifest.webmanifest" {
		t.Errorf("manifest link is %q", href)
	}
	if href, _ := p.Doc.Find(`link[rel=apple-touch-icon]`).Attr("href"); href != static.Path("img/apple-touch-icon.png") {
		t.Errorf("apple-touch-icon link is %q", href)
	}
	csp := p.Header.Get("Content-Security-Policy")
	for _, d := range []string{"manifest-src 'self'", "worker-src 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("page CSP lacks %q: %s", d, csp)
		}
	}
}

func TestServiceWorker(t *testing.T) {
	s := testkit.Start(t)
	p := s.Client().Get("/sw.js").Expect(http.StatusOK)
	for h, want := range map[string]string{
		"Content-Type":  "text/javascript; charset=utf-8",
		"Cache-Control": "no-cache",
	} {
		if got := p.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if csp := p.Header.Get("Content-Security-Policy"); csp == "" || strings.Contains(csp, "nonce") {
		t.Errorf("worker CSP %q: want one, without a page nonce", csp)
	}
	// The shell is the offline page and the current hashed assets.
	for _, a := range []string{"css/app.css", "js/app.js", "js/live.js", "img/icon.svg", "img/icon-192.png", "img/icon-512.png", "img/icon-maskable-512.png", "img/apple-touch-icon.png"} {
		if !strings.Contains(p.Body, `"`+static.Path(a)+`"`) {
			t.Errorf("sw.js does not keep %s", static.Path(a))
		}
	}
	for _, want := range []string{`"/offline"`, `"/events"`, `"/api/"`, `"/_/"`, `"/m/"`, `"/stripe/"`, `req.method !== "GET"`, "url.origin !== self.location.origin"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("sw.js lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "{{") {
		t.Errorf("sw.js has an unrendered template action:\n%s", p.Body)
	}

	// A new organisation name changes the offline page, so the cache version.
	setOrgName(t, s, "Riverside Makers")
	again := s.Client().Get("/sw.js").Expect(http.StatusOK)
	if version(t, again.Body) == version(t, p.Body) {
		t.Errorf("cache version %s did not change with the organisation's name", version(t, p.Body))
	}
	if third := s.Client().Get("/sw.js"); version(t, third.Body) != version(t, again.Body) {
		t.Errorf("cache version changes between requests: the browser would reinstall the worker every time")
	}
}

func version(t *testing.T, sw string) string {
	t.Helper()
	_, rest, ok := strings.Cut(sw, "const VERSION = ")
	if !ok {
		t.Fatalf("no VERSION in sw.js")
	}
	v, _, _ := strings.Cut(rest, ";")
	return v
}

func TestOfflinePage(t *testing.T) {
	s := testkit.Start(t)
	setOrgName(t, s, "Riverside Makers")
	ana := s.Member("Ana Lima", "ana@example.org")
	// Even for a signed-in member it shows nobody: it is kept for anyone.
	p := s.SignedIn(ana).Get("/offline").Expect(http.StatusOK, "You&#39;re offline", "Riverside Makers")
	if !p.Has("[data-testid=offline-page] [data-testid=retry]") {
		t.Error("offline page has no retry link")
	}
	if p.Has(".tabbar") || p.Has("body[data-me]") || strings.Contains(p.Body, "Ana Lima") {
		t.Error("offline page shows member data")
	}
	if !strings.Contains(p.Header.Get("Content-Security-Policy"), "nonce-") {
		t.Error("offline page lacks the page CSP")
	}
}
