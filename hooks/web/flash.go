package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"plaza/templates"
)

const flashCookie = "plaza_flash"

// Flash shows a short confirmation on the next page this browser renders
// ("Friend request sent"). It survives the 303 that follows a form post.
func Flash(e *core.RequestEvent, text string) { setFlash(e, "ok", text) }

// FlashError is Flash for a failure that has no form to re-render.
func FlashError(e *core.RequestEvent, text string) { setFlash(e, "error", text) }

func setFlash(e *core.RequestEvent, kind, text string) {
	e.SetCookie(&http.Cookie{
		Name: flashCookie, Value: url.QueryEscape(kind + ":" + text), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isHTTPS(e), MaxAge: 60,
	})
}

// takeFlash reads and clears the pending flash message, if any.
func takeFlash(e *core.RequestEvent) templates.Flash {
	c, err := e.Request.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return templates.Flash{}
	}
	e.SetCookie(&http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	raw, err := url.QueryUnescape(c.Value)
	if err != nil {
		return templates.Flash{}
	}
	kind, text, ok := strings.Cut(raw, ":")
	if !ok || (kind != "ok" && kind != "error") || len(text) > 300 {
		return templates.Flash{}
	}
	return templates.Flash{Kind: kind, Text: text}
}
