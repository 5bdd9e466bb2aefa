package web

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Checking a session token costs a signature check and a query; a member's
// tab makes many requests a minute. Verified tokens are remembered briefly,
// keyed by the exact token, and every entry of a member is dropped when their
// record changes (suspension, sign-out everywhere, a new password, a profile
// edit), so a cached session is never staler than the database.

const (
	sessionCacheTTL  = time.Minute
	sessionCacheSize = 20000
	sessionCacheKey  = "plaza.web.sessions"
)

type sessionEntry struct {
	member  *core.Record
	expires time.Time
}

type sessionCache struct {
	mu      sync.Mutex
	entries map[string]sessionEntry
}

func sessionsOf(app core.App) *sessionCache {
	return app.Store().GetOrSet(sessionCacheKey, func() any {
		return &sessionCache{entries: map[string]sessionEntry{}}
	}).(*sessionCache)
}

func bindSessionCache(app core.App) {
	forget := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			sessionsOf(e.App).forget(r.Id)
		}
		return e.Next()
	}
	app.OnModelAfterUpdateSuccess("users").BindFunc(forget)
	app.OnModelAfterDeleteSuccess("users").BindFunc(forget)
}

// get returns a private copy of the member behind token, if remembered.
func (c *sessionCache) get(token string, now time.Time) *core.Record {
	c.mu.Lock()
	e, ok := c.entries[token]
	c.mu.Unlock()
	if !ok || now.After(e.expires) {
		return nil
	}
	return e.member.Clone() // handlers may change e.Auth; never share it
}

func (c *sessionCache) put(token string, member *core.Record, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= sessionCacheSize {
		c.entries = map[string]sessionEntry{} // crude, rare: start over
	}
	c.entries[token] = sessionEntry{member: member.Clone(), expires: expires}
}

func (c *sessionCache) forget(memberID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for tok, e := range c.entries {
		if e.member.Id == memberID {
			delete(c.entries, tok)
		}
	}
}
