package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"
)

// SessionCookie carries a PocketBase auth token for a signed-in member.
const SessionCookie = "plaza_session"

// StatusActive is the users.status of a member who may sign in.
const StatusActive = "active"

// StartSession signs member in on this browser: a new session (a device
// under Me → Devices) and an auth token naming it in the session cookie.
func StartSession(e *core.RequestEvent, member *core.Record) error {
	token, err := NewSessionToken(e.App, member, e.Request, e.RealIP())
	if err != nil {
		return e.InternalServerError("", err)
	}
	setSessionCookie(e, token, member.Collection().AuthToken.DurationTime())
	e.Auth = member
	e.Set(sessionAuthKey, tokenSession(token))
	return nil
}

// EndSession signs this browser out: its session is revoked (the token stops
// working everywhere, not only here) and the cookie cleared.
func EndSession(e *core.RequestEvent) {
	if sid := SessionID(e); sid != "" && e.Auth != nil {
		if err := RevokeSession(e.App, e.Auth.Id, sid); err != nil {
			e.App.Logger().Error("sessions: sign-out not stored", "member", e.Auth.Id, "error", err)
		}
	}
	setSessionCookie(e, "", -1)
	e.Auth = nil
	e.Set(sessionAuthKey, "")
}

func setSessionCookie(e *core.RequestEvent, token string, maxAge time.Duration) {
	c := &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   isHTTPS(e),
		MaxAge:   int(maxAge / time.Second),
	}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	e.SetCookie(c)
}

func isHTTPS(e *core.RequestEvent) bool {
	if e.IsTLS() {
		return true
	}
	u, err := url.Parse(e.App.Settings().Meta.AppURL)
	return err == nil && u.Scheme == "https"
}

func tokenPastHalfLife(token string, member *core.Record) bool {
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return false
	}
	exp := time.Unix(cast.ToInt64(claims["exp"]), 0)
	life := time.Duration(member.Collection().AuthToken.Duration) * time.Second
	return time.Until(exp) < life/2
}

// RequireMember sends guests to the sign-in page (GET) or answers 401 (other
// methods), so handlers behind it can rely on e.Auth.
func RequireMember() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "plazaRequireMember",
		Func: func(e *core.RequestEvent) error {
			if e.Auth != nil {
				return e.Next()
			}
			if e.Get(superuserKey) != nil {
				return e.ForbiddenError("This is a superuser's sign-in: superusers manage Plaza in the dashboard at /_/. "+
					"To use Plaza's pages, sign in with a member account.", nil)
			}
			if e.Request.Method == http.MethodGet || e.Request.Method == http.MethodHead {
				return SeeOther(e, "/signin?next="+url.QueryEscape(e.Request.URL.RequestURI()))
			}
			return e.UnauthorizedError("Please sign in first.", nil)
		},
	}
}

// RequireGuest sends signed-in members away from sign-in and sign-up pages.
func RequireGuest() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "plazaRequireGuest",
		Func: func(e *core.RequestEvent) error {
			if e.Auth != nil {
				return SeeOther(e, "/chats")
			}
			return e.Next()
		},
	}
}
