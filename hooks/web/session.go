package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"
)

// SessionCookie carries a PocketBase auth token for a signed-in member.
const SessionCookie = "plaza_session"

// StatusActive is the users.status of a member who may sign in.
const StatusActive = "active"

// StartSession signs member in on this browser: it issues a fresh auth token
// into the session cookie.
func StartSession(e *core.RequestEvent, member *core.Record) error {
	token, err := member.NewAuthToken()
	if err != nil {
		return e.InternalServerError("", err)
	}
	setSessionCookie(e, token, time.Duration(member.Collection().AuthToken.Duration)*time.Second)
	e.Auth = member
	return nil
}

// EndSession forgets the session on this browser.
func EndSession(e *core.RequestEvent) {
	setSessionCookie(e, "", -1)
	e.Auth = nil
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

// loadSession authenticates page requests from the session cookie. It runs just
// before the rate limiter so rate-limit audiences see signed-in members. Only
// auth tokens count (never file, reset or verification tokens), only active
// members stay signed in, and a token past half its life is renewed.
func loadSession() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "plazaSession",
		Priority: apis.DefaultRateLimitMiddlewarePriority - 1,
		Func: func(e *core.RequestEvent) error {
			c, err := e.Request.Cookie(SessionCookie)
			if err != nil || c.Value == "" || e.Auth != nil {
				return e.Next()
			}
			member, err := sessionMember(e.App, c.Value)
			if err != nil || member.Collection().Name != "users" || member.GetString("status") != StatusActive {
				EndSession(e)
				return e.Next()
			}
			e.Auth = member
			if tokenPastHalfLife(c.Value, member) {
				if err := StartSession(e, member); err != nil {
					return err
				}
			}
			return e.Next()
		},
	}
}

// sessionMember is the member an auth token belongs to (only auth tokens:
// never file, reset or verification ones), remembered for a minute at most.
func sessionMember(app core.App, token string) (*core.Record, error) {
	now := time.Now()
	cache := sessionsOf(app)
	if m := cache.get(token, now); m != nil {
		return m, nil
	}
	member, err := app.FindAuthRecordByToken(token, core.TokenTypeAuth)
	if err != nil {
		return nil, err
	}
	expires := now.Add(sessionCacheTTL)
	if claims, err := security.ParseUnverifiedJWT(token); err == nil {
		if exp := time.Unix(cast.ToInt64(claims["exp"]), 0); exp.Before(expires) {
			expires = exp
		}
	}
	cache.put(token, member, expires)
	return member, nil
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
