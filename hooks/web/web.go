// Package web is the HTTP glue every Plaza feature shares: the page route
// group and its middlewares (session cookie, CSRF, security headers with a CSP
// nonce, HTML error pages), rendering, flash messages and the page chrome.
package web

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Pages returns a route group for server-rendered pages. Every feature calls it
// from its OnServe hook and adds its routes to the returned group; the group
// carries CSRF protection, security headers and HTML errors.
func Pages(r *router.Router[*core.RequestEvent]) *router.RouterGroup[*core.RequestEvent] {
	g := r.Group("")
	g.Bind(htmlErrors(), securityHeaders(), crossOriginProtection())
	return g
}

// Register binds what web itself serves: static assets, the organisation
// settings cache and the HTML 404 page for unknown paths.
func Register(app core.App) {
	bindOrgCache(app)
	bindSessionCache(app)
	bindSessions(app)
	bindUploads(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(loadAuth())
		se.Router.GET("/static/{path...}", serveStatic)
		bindPWA(se.Router)
		// Any path no feature claimed: an HTML 404 (PocketBase's own /api/ and
		// /_/ routes are more specific and keep answering JSON).
		Pages(se.Router).Route("", "/{path...}", func(e *core.RequestEvent) error {
			return e.NotFoundError("", nil)
		})
		return se.Next()
	})
}

// SeeOther redirects with 303, the answer to a successful form post.
func SeeOther(e *core.RequestEvent, url string) error {
	return e.Redirect(http.StatusSeeOther, url)
}

// SafeNext returns next when it is a local path (so a sign-in link cannot send
// a member to another site), else fallback.
func SafeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\t") {
		return fallback
	}
	return next
}

// isPageRequest reports whether an error on this request should become an HTML
// page (PocketBase's REST API and dashboard keep their JSON errors).
func isPageRequest(r *http.Request) bool {
	p := r.URL.Path
	return !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/_/")
}
