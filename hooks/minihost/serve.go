package minihost

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"plaza/minis"
)

// sandboxCSP is every mini file's policy (DESIGN §6): an opaque origin that
// may run scripts, submit forms and open pop-ups, load its own files, and
// reach nothing else; only Plaza may frame it.
const sandboxCSP = "sandbox allow-scripts allow-forms allow-popups; default-src 'self' 'unsafe-inline' data: blob:; " +
	"connect-src 'none'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'"

// serveSDK is GET /m/sdk/{name}: the SDK (plaza.js) and Plaza's optional
// stylesheet for minis (plaza.css).
func serveSDK(e *core.RequestEvent) error {
	name := e.Request.PathValue("name")
	data, err := fs.ReadFile(minis.FS, "sdk/"+name)
	if err != nil || strings.Contains(name, "/") {
		return notFound(e)
	}
	h := e.Response.Header()
	h.Set("Content-Type", ContentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(e.Response, e.Request, name, startTime, bytes.NewReader(data))
	return nil
}

var startTime = time.Now()

// serveFile is GET /m/{slug}/{path...}: a file of an approved mini, always
// under the sandbox policy. Members' cookies don't reach it from inside the
// sandbox, so it is served without a session: bundles are code, not data.
func serveFile(e *core.RequestEvent) error {
	m := Find(e.App, e.Request.PathValue("slug"))
	if m == nil || m.Status != "approved" {
		return notFound(e)
	}
	name := e.Request.PathValue("path")
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	b, err := bundleOf(e.App, m)
	if err != nil {
		e.App.Logger().Error("mini bundle unreadable", "slug", m.Slug, "error", err)
		return notFound(e)
	}
	data, err := b.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return notFound(e)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	h := e.Response.Header()
	h.Set("Content-Security-Policy", sandboxCSP)
	h.Set("Content-Type", ContentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(e.Response, e.Request, name, time.Time{}, bytes.NewReader(data))
	return nil
}

func notFound(e *core.RequestEvent) error {
	e.Response.Header().Set("Content-Security-Policy", sandboxCSP)
	return e.String(http.StatusNotFound, "Not found")
}
