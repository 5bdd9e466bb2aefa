package web

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/static"
)

// serveStatic serves embedded assets. URLs from static.Path carry a content
// hash, so a request with the current hash may be cached for a year.
func serveStatic(e *core.RequestEvent) error {
	name := e.Request.PathValue("path")
	if v := e.Request.URL.Query().Get("v"); v != "" && v == static.Hash(name) {
		e.Response.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		e.Response.Header().Set("Cache-Control", "no-cache")
	}
	return e.FileFS(static.FS, name)
}
