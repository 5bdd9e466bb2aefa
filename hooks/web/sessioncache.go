package web

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Checking a session token costs a signature check and two queries; a
// member's tab makes many requests a minute. Verified tokens are remembered
// briefly, keyed by the exact token. Every entry of a member is dropped when
// their record changes (suspension, a new password, a profile edit) and an
// entry of a session when the session ends, so a cached session is never
// staler than the database: a load that overlaps a drop is not stored.

const (
	sessionCacheTTL  = time.Minute
	sessionCacheSize = 20000
	sessionCacheKey  = "plaza.web.sessions"
)

type sessionEntry struct {
	member  *core.Record
	sid     string // "" for superusers
	expires time.Time
}

func (s *sessionEntry) clone() *sessionEntry {
	c := *s
	c.member = s.member.Clone() // handlers may change e.Auth; never share it
	return &c
}

type sessionCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*sessionEntry
	seenAt  map[string]time.Time // session → when its last_seen was last stored
}

func sessionsOf(app core.App) *sessionCache {
	return app.Store().GetOrSet(sessionCacheKey, func() any {
		return &sessionCache{entries: map[string]*sessionEntry{}, seenAt: map[string]time.Time{}}
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
	app.OnModelAfterUpdateSuccess("_superusers").BindFunc(forget)
	app.OnModelAfterDeleteSuccess("_superusers").BindFunc(forget)
}

// get returns a private copy of the session behind token, if remembered,
// and the generation to pass to put on a miss.
func (c *sessionCache) get(token string, now time.Time) (*sessionEntry, uint64) {
	c.mu.Lock()
	e, ok := c.entries[token]
	gen := c.gen
	c.mu.Unlock()
	if !ok || now.After(e.expires) {
		return nil, gen
	}
	return e.clone(), gen
}

// put remembers s unless something was forgotten since gen was read.
func (c *sessionCache) put(gen uint64, token string, s *sessionEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= sessionCacheSize {
		clear(c.entries) // crude, rare: start over
	}
	c.entries[token] = s.clone()
}

// forget drops every remembered token of a member (or superuser).
func (c *sessionCache) forget(memberID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for tok, e := range c.entries {
		if e.member.Id == memberID {
			delete(c.entries, tok)
		}
	}
}

// forgetSession drops every remembered token of one session.
func (c *sessionCache) forgetSession(sid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.seenAt, sid)
	for tok, e := range c.entries {
		if e.sid == sid {
			delete(c.entries, tok)
		}
	}
}

// seen notes when a session's last_seen was stored (read from the database).
func (c *sessionCache) seen(sid string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.After(c.seenAt[sid]) {
		if len(c.seenAt) >= sessionCacheSize {
			clear(c.seenAt)
		}
		c.seenAt[sid] = at
	}
}

// due reports whether a session's last_seen should be stored now, and if so
// counts it as stored.
func (c *sessionCache) due(sid string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.seenAt[sid]) < lastSeenEvery {
		return false
	}
	if len(c.seenAt) >= sessionCacheSize {
		clear(c.seenAt)
	}
	c.seenAt[sid] = now
	return true
}
