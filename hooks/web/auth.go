package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// loadAuth is the one place a request's member is decided, for pages, the
// event stream, the bridge and the REST API alike. It runs just before
// PocketBase's own token loader: a token in the Authorization header is
// checked here (signature, session, member active) and dropped from the
// request if it fails, so PocketBase never accepts it; page routes also take
// the session cookie. On pages a superuser's token makes no member.
func loadAuth() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "plazaAuth",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority - 1,
		Func: func(e *core.RequestEvent) error {
			page := isPageRequest(e.Request)
			if token := bearerToken(e.Request); token != "" {
				s, err := sessionFor(e.App, token)
				if err != nil {
					e.Request.Header.Del("Authorization")
				} else {
					useSession(e, s, page)
				}
			} else if page {
				if c, err := e.Request.Cookie(SessionCookie); err == nil && c.Value != "" {
					s, err := sessionFor(e.App, c.Value)
					if err != nil || s.member.Collection().Name != "users" {
						EndSession(e)
					} else {
						useSession(e, s, page)
						if tokenPastHalfLife(c.Value, s.member) {
							if err := renewSession(e, s); err != nil {
								return err
							}
						}
					}
				}
			}
			return e.Next()
		},
	}
}

func bearerToken(r *http.Request) string {
	t := r.Header.Get("Authorization")
	if len(t) > 7 && strings.EqualFold(t[:7], "Bearer ") {
		return t[7:]
	}
	return t
}

func useSession(e *core.RequestEvent, s *sessionEntry, page bool) {
	if s.member.Collection().Name != "users" {
		if page {
			e.Set(superuserKey, s.member) // pages are for members; see RequireMember
			e.Request.Header.Del("Authorization")
			return
		}
		e.Auth = s.member
		return
	}
	e.Auth = s.member
	e.Set(sessionAuthKey, s.sid)
	touchSession(e.App, s)
}

// sessionFor checks a token: a verified auth token of an active member whose
// session still exists (or any superuser's), remembered for a minute at most
// and forgotten as soon as the member or the session changes.
func sessionFor(app core.App, token string) (*sessionEntry, error) {
	now := time.Now()
	cache := sessionsOf(app)
	s, gen := cache.get(token, now)
	if s != nil {
		return s, nil
	}
	member, err := app.FindAuthRecordByToken(token, core.TokenTypeAuth)
	if err != nil {
		return nil, err
	}
	s = &sessionEntry{member: member, expires: now.Add(sessionCacheTTL)}
	if exp := tokenExpiry(token); exp.Before(s.expires) {
		s.expires = exp
	}
	switch {
	case member.IsSuperuser():
	case member.Collection().Name != "users":
		return nil, errNotAMember
	default:
		if member.GetString("status") != StatusActive {
			return nil, errNotActive
		}
		s.sid = tokenSession(token)
		if s.sid == "" {
			return nil, errNoSession
		}
		var row struct {
			User     string `db:"user"`
			LastSeen string `db:"last_seen"`
		}
		err := app.DB().Select("user", "last_seen").From(SessionsCollection).
			Where(dbx.HashExp{"id": s.sid}).Limit(1).One(&row)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && row.User != member.Id) {
			return nil, errNoSession
		}
		if err != nil {
			return nil, err
		}
		if seen, err := types.ParseDateTime(row.LastSeen); err == nil {
			cache.seen(s.sid, seen.Time())
		}
	}
	cache.put(gen, token, s)
	return s.clone(), nil
}

func tokenExpiry(token string) time.Time {
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return time.Time{}
	}
	exp, _ := claims["exp"].(float64)
	return time.Unix(int64(exp), 0)
}

// touchSession keeps a device's "last seen" within lastSeenEvery of the
// truth, writing at most once per interval per device.
func touchSession(app core.App, s *sessionEntry) {
	now := time.Now()
	if !sessionsOf(app).due(s.sid, now) {
		return
	}
	_, err := app.NonconcurrentDB().Update(SessionsCollection,
		dbx.Params{"last_seen": now.UTC().Format(types.DefaultDateLayout)},
		dbx.HashExp{"id": s.sid}).Execute()
	if err != nil {
		app.Logger().Warn("sessions: last seen not stored", "session", s.sid, "error", err)
	}
}

// renewSession gives this browser a fresh token for the same session.
func renewSession(e *core.RequestEvent, s *sessionEntry) error {
	token, err := sessionToken(s.member, s.sid)
	if err != nil {
		return e.InternalServerError("", err)
	}
	setSessionCookie(e, token, s.member.Collection().AuthToken.DurationTime())
	return nil
}
