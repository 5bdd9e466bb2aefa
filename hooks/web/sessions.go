package web

import (
	"database/sql"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Every member token names a row of the sessions collection: one per
// signed-in device (a browser's cookie, an API client's token). Signing a
// device out deletes its row, and from then on its token is refused on every
// route — pages, /events, the mini-program bridge and the REST API — even
// though its signature is still good. Tokens without a session (minted by
// Go code with NewAuthToken, or PocketBase's impersonation) are refused too.

// SessionsCollection holds members' signed-in devices.
const SessionsCollection = "sessions"

const (
	claimSession   = "sid"
	lastSeenEvery  = 10 * time.Minute // how stale a device's "last seen" may get
	sessionAuthKey = "plazaSessionID"
	superuserKey   = "plazaSuperuser"
)

var (
	errNoSession  = errors.New("the token names no session")
	errNotActive  = errors.New("the member is not active")
	errNotAMember = errors.New("not a member")
)

// NewSessionToken records a new signed-in device for member, described from
// the request (its browser and network), and returns an auth token naming it.
func NewSessionToken(app core.App, member *core.Record, r *http.Request, ip string) (string, error) {
	coll, err := app.FindCachedCollectionByNameOrId(SessionsCollection)
	if err != nil {
		return "", err
	}
	s := core.NewRecord(coll)
	s.Set("user", member.Id)
	s.Set("device", DeviceLabel(r.UserAgent()))
	s.Set("ip", IPPrefix(ip))
	s.Set("last_seen", types.NowDateTime())
	if err := app.Save(s); err != nil {
		return "", err
	}
	return sessionToken(member, s.Id)
}

// sessionToken is an auth token for member that PocketBase accepts as its own
// (same claims, same signing key) plus the session it belongs to.
func sessionToken(member *core.Record, sid string) (string, error) {
	key := member.TokenKey() + member.Collection().AuthToken.Secret
	if key == "" {
		return "", core.ErrMissingSigningKey
	}
	return security.NewJWT(map[string]any{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           member.Id,
		core.TokenClaimCollectionId: member.Collection().Id,
		core.TokenClaimRefreshable:  true,
		claimSession:                sid,
	}, key, member.Collection().AuthToken.DurationTime())
}

// tokenSession is the session a token names ("" for none); the token's
// signature is checked elsewhere.
func tokenSession(token string) string {
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return ""
	}
	sid, _ := claims[claimSession].(string)
	return sid
}

// SessionID is the session the request is signed in with ("" for guests).
func SessionID(e *core.RequestEvent) string {
	s, _ := e.Get(sessionAuthKey).(string)
	return s
}

// SessionLive reports whether member's session sid still exists (a fresh
// look in the database, for long-lived connections as they start).
func SessionLive(app core.App, member, sid string) bool {
	var n int
	err := app.DB().Select("COUNT(*)").From(SessionsCollection).
		Where(dbx.HashExp{"id": sid, "user": member}).Row(&n)
	return err == nil && n > 0
}

// RevokeSession signs one device out: its token stops working everywhere.
func RevokeSession(app core.App, member, sid string) error {
	s, err := app.FindRecordById(SessionsCollection, sid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.GetString("user") != member {
		return nil // not theirs: nothing to do, and nothing to tell
	}
	return app.Delete(s)
}

// RevokeSessions signs every device of member out, but keep ("" for none).
func RevokeSessions(app core.App, member, keep string) error {
	var ids []string
	err := app.DB().Select("id").From(SessionsCollection).
		Where(dbx.HashExp{"user": member}).AndWhere(dbx.Not(dbx.HashExp{"id": keep})).Column(&ids)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = app.DB().Delete(SessionsCollection, dbx.In("id", toAny(ids)...)).Execute()
	if err != nil {
		return err
	}
	sessionsOf(app).forget(member)
	for _, sid := range ids {
		tellSignedOut(app, member, sid)
	}
	unsetRealtimeAuth(app, member)
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// OnSignOut registers fn to run when a session ends (sign-out, revocation,
// suspension): features that hold a member's connections open close them.
// sid is the session that ended.
func OnSignOut(app core.App, fn func(member, sid string)) {
	l := signOutListenersOf(app)
	l.mu.Lock()
	l.fns = append(l.fns, fn)
	l.mu.Unlock()
}

// OnMemberSignedOut registers fn to run when every session of a member ends at
// once (suspension, deletion, a new token key).
func OnMemberSignedOut(app core.App, fn func(member string)) {
	l := signOutListenersOf(app)
	l.mu.Lock()
	l.all = append(l.all, fn)
	l.mu.Unlock()
}

type signOutListeners struct {
	mu  sync.Mutex
	fns []func(member, sid string)
	all []func(member string)
}

func signOutListenersOf(app core.App) *signOutListeners {
	return app.Store().GetOrSet("plaza.web.signout", func() any { return &signOutListeners{} }).(*signOutListeners)
}

func signedOut(app core.App, member, sid string) {
	tellSignedOut(app, member, sid)
	unsetRealtimeAuth(app, member)
}

func tellSignedOut(app core.App, member, sid string) {
	l := signOutListenersOf(app)
	l.mu.Lock()
	fns := l.fns
	l.mu.Unlock()
	for _, fn := range fns {
		fn(member, sid)
	}
}

func memberSignedOut(app core.App, member string) {
	l := signOutListenersOf(app)
	l.mu.Lock()
	fns := l.all
	l.mu.Unlock()
	for _, fn := range fns {
		fn(member)
	}
	unsetRealtimeAuth(app, member)
}

// unsetRealtimeAuth makes member's PocketBase realtime connections guests:
// they stay open, and must subscribe again with a token that still works.
func unsetRealtimeAuth(app core.App, member string) {
	for _, c := range app.SubscriptionsBroker().Clients() {
		if a, _ := c.Get(apis.RealtimeClientAuthKey).(*core.Record); a != nil && a.Id == member {
			c.Unset(apis.RealtimeClientAuthKey)
		}
	}
}

// bindSessions keeps sessions true to the members behind them.
func bindSessions(app core.App) {
	// Any change of status away from active — the dashboard, the REST API,
	// the admin pages, Go code — renews the token key (every token the member
	// holds stops verifying) and ends their sessions and open streams.
	app.OnRecordUpdate("users").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.Original().GetString("status") == StatusActive && e.Record.GetString("status") != StatusActive {
			e.Record.RefreshTokenKey()
		}
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess("users").BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original()
		if e.Record.GetString("status") != StatusActive || before.TokenKey() != e.Record.TokenKey() {
			if err := RevokeSessions(e.App, e.Record.Id, ""); err != nil {
				e.App.Logger().Error("sessions: revoking after a status change failed", "member", e.Record.Id, "error", err)
			}
			memberSignedOut(e.App, e.Record.Id)
		}
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess("users").BindFunc(func(e *core.RecordEvent) error {
		memberSignedOut(e.App, e.Record.Id)
		return e.Next()
	})
	// One device signed out (by the member, an admin in the dashboard, or
	// RevokeSession): its cached token goes, its streams close.
	app.OnRecordAfterDeleteSuccess(SessionsCollection).BindFunc(func(e *core.RecordEvent) error {
		sessionsOf(e.App).forgetSession(e.Record.Id)
		signedOut(e.App, e.Record.GetString("user"), e.Record.Id)
		return e.Next()
	})

	// Tokens PocketBase's REST API issues (sign-in with password, OAuth2,
	// OTP, refresh) belong to a session too: a new device, or on refresh the
	// same one.
	app.OnRecordAuthRequest("users").BindFunc(func(e *core.RecordAuthRequestEvent) error {
		sid := ""
		if e.AuthMethod == "" { // a refresh: keep the device the token was for
			if cur := SessionID(e.RequestEvent); cur != "" && e.Auth != nil && e.Auth.Id == e.Record.Id {
				sid = cur
			}
		}
		var (
			tok string
			err error
		)
		if sid != "" {
			tok, err = sessionToken(e.Record, sid)
		} else {
			tok, err = NewSessionToken(e.App, e.Record, e.Request, e.RealIP())
		}
		if err != nil {
			return e.InternalServerError("", err)
		}
		e.Token = tok
		return e.Next()
	})

	// Sessions unused for a token's lifetime can't be used again: forget them.
	app.Cron().MustAdd("plazaSessionsCleanup", "23 * * * *", func() {
		users, err := app.FindCachedCollectionByNameOrId("users")
		if err != nil {
			return
		}
		cutoff := time.Now().Add(-users.AuthToken.DurationTime()).UTC().Format(types.DefaultDateLayout)
		if _, err := app.DB().Delete(SessionsCollection, dbx.NewExp("last_seen < {:c}", dbx.Params{"c": cutoff})).Execute(); err != nil {
			app.Logger().Error("sessions: cleanup failed", "error", err)
		}
	})
}
