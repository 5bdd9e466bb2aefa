package web

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"plaza/static"
	"plaza/templates"
)

// Plaza as an installable app: the web app manifest, the service worker and
// the offline page it falls back to. All three are public (no member data),
// so they sit outside the session-loading page group but keep the headers.
func bindPWA(r *router.Router[*core.RequestEvent]) {
	g := r.Group("")
	g.Bind(htmlErrors(), securityHeaders())
	g.GET("/manifest.webmanifest", showManifest)
	g.GET("/sw.js", serveServiceWorker)
	g.GET("/offline", showOffline)
}

// Colours of the splash screen and window frame: the light page background
// of app.css (pages set theme-color per colour scheme themselves).
const appBackground = "#f2f2f2"

// shellAssets are the static files the service worker keeps on install: what
// the offline page and every signed-in page load, and the app's icons.
var shellAssets = []string{
	"css/app.css", "js/app.js", "js/live.js",
	"img/icon.svg", "img/icon-192.png", "img/icon-512.png", "img/icon-maskable-512.png", "img/apple-touch-icon.png",
}

type webManifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	BackgroundColor string         `json:"background_color"`
	ThemeColor      string         `json:"theme_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

func showManifest(e *core.RequestEvent) error {
	name := appName(e.App)
	m := webManifest{
		ID:              "/",
		Name:            name,
		ShortName:       shortName(name),
		Description:     "Chats, moments, market and mini-programs of " + name + ".",
		Lang:            "en",
		StartURL:        "/",
		Scope:           "/",
		Display:         "standalone",
		BackgroundColor: appBackground,
		ThemeColor:      appBackground,
		Icons: []manifestIcon{
			{Src: static.Path("img/icon.svg"), Sizes: "any", Type: "image/svg+xml", Purpose: "any"},
			{Src: static.Path("img/icon-192.png"), Sizes: "192x192", Type: "image/png", Purpose: "any"},
			{Src: static.Path("img/icon-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "any"},
			{Src: static.Path("img/icon-maskable-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
		},
	}
	b, err := json.Marshal(m)
	if err != nil {
		return e.InternalServerError("", err)
	}
	e.Response.Header().Set("Cache-Control", "no-cache")
	return e.Blob(http.StatusOK, "application/manifest+json", b)
}

//go:embed sw.js.tmpl
var swSource string

var swTemplate = template.Must(template.New("sw.js").Parse(swSource))

// serveServiceWorker renders the service worker with the current hashed asset
// URLs. Its cache version changes with any asset, the organisation's name (on
// the offline page) or the worker itself, so browsers install the new worker,
// which fetches the new shell and drops the old caches.
func serveServiceWorker(e *core.RequestEvent) error {
	name := appName(e.App)
	shell := []string{"/offline"}
	sum := sha256.New()
	sum.Write([]byte(swSource + "\x00" + name))
	for _, a := range shellAssets {
		shell = append(shell, static.Path(a))
		sum.Write([]byte("\x00" + a + "=" + static.Hash(a)))
	}
	shellJSON, err := json.Marshal(shell)
	if err != nil {
		return e.InternalServerError("", err)
	}
	version, err := json.Marshal(hex.EncodeToString(sum.Sum(nil))[:16])
	if err != nil {
		return e.InternalServerError("", err)
	}
	var buf bytes.Buffer
	if err := swTemplate.Execute(&buf, struct{ Version, Shell string }{string(version), string(shellJSON)}); err != nil {
		return e.InternalServerError("", err)
	}
	h := e.Response.Header()
	// A worker takes its CSP from its own script's response: same-origin
	// fetches only, and nothing inline, so no nonce.
	h.Set("Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'none'")
	// Browsers check for a new worker at most daily without this.
	h.Set("Cache-Control", "no-cache")
	return e.Blob(http.StatusOK, "text/javascript; charset=utf-8", buf.Bytes())
}

func showOffline(e *core.RequestEvent) error {
	org := OrgInfo(e.App)
	org.Name = appName(e.App)
	return Render(e, http.StatusOK, templates.OfflinePage(org))
}

// appName is the organisation's name, or Plaza's while it has none.
func appName(app core.App) string {
	if n := strings.TrimSpace(OrgInfo(app).Name); n != "" {
		return n
	}
	return "Plaza"
}

// shortName fits name under a home-screen icon (about 12 characters): the
// whole name, else its first word, else the name cut short.
func shortName(name string) string {
	const max = 12
	if utf8.RuneCountInString(name) <= max {
		return name
	}
	if first, _, ok := strings.Cut(name, " "); ok && utf8.RuneCountInString(first) <= max {
		return first
	}
	return Clip(name, max)
}
