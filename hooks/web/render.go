package web

import (
	"bytes"

	"github.com/a-h/templ"
	"github.com/pocketbase/pocketbase/core"
)

// Render writes a templ component as the whole response. It renders into a
// buffer first so a template error never leaves half a page, then writes the
// status and body. Pages are personal, so they are never cached by proxies.
func Render(e *core.RequestEvent, status int, c templ.Component) error {
	var buf bytes.Buffer
	ctx := templ.WithNonce(e.Request.Context(), Nonce(e))
	if err := c.Render(ctx, &buf); err != nil {
		return e.InternalServerError("", err)
	}
	h := e.Response.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private, no-cache")
	e.Response.WriteHeader(status)
	_, err := e.Response.Write(buf.Bytes())
	return err
}
