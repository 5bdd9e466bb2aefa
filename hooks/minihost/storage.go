package minihost

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// A mini's storage (mini_storage): per member ("user" scope, 1 MB each)
// and shared by all members ("shared" scope), with the rules of shared data
// enforced here (minis/README.md, "Shared data"):
//
//   - a key's mode is fixed by the call that creates it: shared.set makes a
//     "value" owned by the member who created it (only they set or remove
//     it); shared.incr a "counter" and shared.vote a "vote", which every
//     member moves once, through their own "mark" row (scope "mark", user =
//     the member), the key's value being the total Plaza computes; "plaza"
//     keys (paid:…) are written by Plaza alone;
//   - a key segment "@<id>" names a member (their id in this mini): only
//     that member can write such a key; "@me" in a key is the caller's;
//   - per mini, shared keys and marks count against a quota of bytes and
//     keys (the minis record's shared_quota_*, else the defaults below).

const (
	modeValue   = "value"
	modeCounter = "counter"
	modeVote    = "vote"
	modePlaza   = "plaza"

	defaultSharedBytes = 50 << 20
	defaultSharedKeys  = 100_000
	maxListKeys        = 500
	maxListBytes       = 1 << 20 // of keys and values in one shared.list answer
	maxChoiceLen       = 40
	maxChoices         = 100 // distinct choices in one vote
)

func forbidden(message string) *bridgeError {
	return refusal(http.StatusForbidden, "forbidden", message)
}

func conflict(message string) *bridgeError { return refusal(http.StatusConflict, "conflict", message) }

// --- the member's own storage ---------------------------------------------

type slot struct {
	mini, scope, user string
}

func (c *call) own() slot { return slot{c.mini.ID, "user", c.e.Auth.Id} }

func (s slot) where(key string) dbx.HashExp {
	return dbx.HashExp{"mini": s.mini, "scope": s.scope, "user": s.user, "key": key}
}

func (s slot) find(app core.App, key string) (*core.Record, error) {
	rec := &core.Record{}
	err := app.RecordQuery("mini_storage").AndWhere(s.where(key)).Limit(1).One(rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return rec, err
}

func (s slot) get(app core.App, key string) (any, error) {
	var raw []string
	err := app.DB().Select("value").From("mini_storage").Where(s.where(key)).Limit(1).Column(&raw)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	return json.RawMessage(raw[0]), nil
}

func newRow(tx core.App, s slot, key string) (*core.Record, error) {
	c, err := tx.FindCachedCollectionByNameOrId("mini_storage")
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(c)
	rec.Set("mini", s.mini)
	rec.Set("scope", s.scope)
	rec.Set("user", s.user)
	rec.Set("key", key)
	return rec, nil
}

// putOwn stores value under the member's key, within their 1 MB.
func (s slot) putOwn(tx core.App, key string, value json.RawMessage) error {
	rec, err := s.find(tx, key)
	if err != nil {
		return err
	}
	size := len(key) + len(value)
	var used int
	if err := tx.DB().Select("COALESCE(SUM(size), 0)").From("mini_storage").
		Where(dbx.HashExp{"mini": s.mini, "scope": "user", "user": s.user}).Row(&used); err != nil {
		return err
	}
	if rec != nil {
		used -= rec.GetInt("size")
	}
	if used+size > userQuota {
		return refusal(http.StatusRequestEntityTooLarge, "quota_exceeded", "This mini-program's storage for you is full (1 MB).")
	}
	if rec == nil {
		if rec, err = newRow(tx, s, key); err != nil {
			return err
		}
	}
	rec.Set("value", value)
	rec.Set("size", size)
	return tx.Save(rec)
}

func storageGet(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	return c.own().get(c.e.App, key)
}

func storageSet(c *call) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	value, err := c.value(1)
	if err != nil {
		return nil, err
	}
	s := c.own()
	if err := c.e.App.RunInTransaction(func(tx core.App) error { return s.putOwn(tx, key, value) }); err != nil {
		return nil, err
	}
	return true, nil
}

func storageRemove(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	s := c.own()
	_, err = c.e.App.DB().Delete("mini_storage", s.where(key)).Execute()
	return true, err
}

func storageKeys(c *call) (any, error) {
	if err := c.arity(0, 0); err != nil {
		return nil, err
	}
	keys := []string{}
	s := c.own()
	err := c.e.App.DB().Select("key").From("mini_storage").
		Where(dbx.HashExp{"mini": s.mini, "scope": s.scope, "user": s.user}).OrderBy("key").Column(&keys)
	return keys, err
}

// --- shared keys ----------------------------------------------------------

func sharedSlot(mini string) slot { return slot{mini, "shared", ""} }

// me is the caller's id in this mini, as "@" key segments name members.
func (c *call) me() string {
	if c.pseudonym == "" {
		c.pseudonym = PseudonymousID(c.mini, c.e.Auth.Id)
	}
	return c.pseudonym
}

// expand puts the caller's id in place of each "@me" segment.
func (c *call) expand(key string) string {
	if !strings.Contains(key, "@me") {
		return key
	}
	parts := strings.Split(key, ":")
	for i, p := range parts {
		if p == "@me" {
			parts[i] = "@" + c.me()
		}
	}
	return strings.Join(parts, ":")
}

// sharedKey reads argument i as a shared key ("@me" expanded); for a write
// it checks the key names no other member and isn't Plaza's.
func (c *call) sharedKey(i int, write bool) (string, error) {
	key, err := c.key(i)
	if err != nil {
		return "", err
	}
	key = c.expand(key)
	if utf8.RuneCountInString(key) > maxKeyLen {
		return "", badRequest("The key is longer than 100 characters (each @me counts as your 33-character @id).")
	}
	if !write {
		return key, nil
	}
	if strings.HasPrefix(key, "paid:") {
		return "", forbidden("Keys starting with \"paid:\" are written by Plaza only, when a payment settles.")
	}
	for _, p := range strings.Split(key, ":") {
		if strings.HasPrefix(p, "@") && p != "@"+c.me() {
			return "", forbidden("The key " + strconv.Quote(key) + " belongs to another member (" + p + "): only they can write it.")
		}
	}
	return key, nil
}

// quota is how much shared storage the mini may use.
func (m *Mini) quota() (bytes, keys int) {
	bytes, keys = defaultSharedBytes, defaultSharedKeys
	if m.SharedQuotaMB > 0 {
		bytes = m.SharedQuotaMB << 20
	}
	if m.SharedQuotaKeys > 0 {
		keys = m.SharedQuotaKeys
	}
	return bytes, keys
}

// reserve checks the mini's shared quota can take addKeys more keys and
// addBytes more bytes (inside the write's transaction).
func (c *call) reserve(tx core.App, addKeys, addBytes int) error {
	if addKeys <= 0 && addBytes <= 0 {
		return nil
	}
	var used struct {
		Keys  int `db:"keys"`
		Bytes int `db:"bytes"`
	}
	err := tx.DB().NewQuery("SELECT COUNT(*) AS keys, COALESCE(SUM(size), 0) AS bytes FROM mini_storage WHERE mini = {:m} AND scope IN ('shared', 'mark')").
		Bind(dbx.Params{"m": c.mini.ID}).One(&used)
	if err != nil {
		return err
	}
	maxBytes, maxKeys := c.mini.quota()
	if used.Keys+addKeys > maxKeys || used.Bytes+addBytes > maxBytes {
		return refusal(http.StatusRequestEntityTooLarge, "quota_exceeded",
			"This mini-program's shared storage is full ("+strconv.Itoa(maxBytes>>20)+" MB, "+strconv.Itoa(maxKeys)+" keys): remove something first.")
	}
	return nil
}

// header finds a shared key's row (its mode, owner and value).
func (c *call) header(tx core.App, key string) (*core.Record, error) {
	return sharedSlot(c.mini.ID).find(tx, key)
}

func sharedGet(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.sharedKey(0, false)
	if err != nil {
		return nil, err
	}
	return sharedSlot(c.mini.ID).get(c.e.App, key)
}

// sharedSet creates a value the caller owns, or changes one they own.
func sharedSet(c *call) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	key, err := c.sharedKey(0, true)
	if err != nil {
		return nil, err
	}
	value, err := c.value(1)
	if err != nil {
		return nil, err
	}
	err = c.e.App.RunInTransaction(func(tx core.App) error {
		rec, err := c.header(tx, key)
		if err != nil {
			return err
		}
		size := len(key) + len(value)
		if rec == nil {
			if err := c.reserve(tx, 1, size); err != nil {
				return err
			}
			if rec, err = newRow(tx, sharedSlot(c.mini.ID), key); err != nil {
				return err
			}
			rec.Set("mode", modeValue)
			rec.Set("owner", c.e.Auth.Id)
		} else {
			if err := c.mayChange(rec, "set"); err != nil {
				return err
			}
			if err := c.reserve(tx, 0, size-rec.GetInt("size")); err != nil {
				return err
			}
		}
		rec.Set("value", value)
		rec.Set("size", size)
		return tx.Save(rec)
	})
	if err != nil {
		return nil, err
	}
	return true, nil
}

// mayChange checks the caller may set or remove an existing shared key.
func (c *call) mayChange(rec *core.Record, verb string) error {
	key := strconv.Quote(rec.GetString("key"))
	switch rec.GetString("mode") {
	case modeCounter:
		return conflict(key + " is a counter: each member moves it with incr, and it can't be " + verb + ".")
	case modeVote:
		return conflict(key + " is a vote: each member moves it with vote, and it can't be " + verb + ".")
	case modePlaza:
		return forbidden(key + " is written by Plaza only.")
	}
	switch owner := rec.GetString("owner"); owner {
	case c.e.Auth.Id:
		return nil
	case "":
		return forbidden(key + " is read-only: it has no owner any more.")
	default:
		return forbidden(key + " belongs to the member who created it: only they can change it.")
	}
}

func sharedRemove(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.sharedKey(0, true)
	if err != nil {
		return nil, err
	}
	err = c.e.App.RunInTransaction(func(tx core.App) error {
		rec, err := c.header(tx, key)
		if err != nil || rec == nil {
			return err // nothing to remove
		}
		if err := c.mayChange(rec, "removed"); err != nil {
			return err
		}
		return tx.Delete(rec)
	})
	if err != nil {
		return nil, err
	}
	return true, nil
}

// mark moves the caller's own mark on a counter or vote key, then
// recomputes the key's value from all marks, in one transaction.
// change gets the caller's mark (nil when none) and returns the new one
// (nil to withdraw it).
func (c *call) mark(key, mode string, change func(old json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	var total json.RawMessage
	err := c.e.App.RunInTransaction(func(tx core.App) error {
		head, err := c.header(tx, key)
		if err != nil {
			return err
		}
		if head == nil {
			if err := c.reserve(tx, 1, len(key)+4); err != nil {
				return err
			}
			if head, err = newRow(tx, sharedSlot(c.mini.ID), key); err != nil {
				return err
			}
			head.Set("mode", mode)
		} else if head.GetString("mode") != mode {
			return conflict(strconv.Quote(key) + " is not a " + mode + ": it was made another way.")
		}
		markSlot := slot{c.mini.ID, "mark", c.e.Auth.Id}
		m, err := markSlot.find(tx, key)
		if err != nil {
			return err
		}
		var old json.RawMessage
		if m != nil {
			old = json.RawMessage(m.GetString("value"))
		}
		next, err := change(old)
		if err != nil {
			return err
		}
		switch {
		case next == nil && m != nil:
			if err := tx.Delete(m); err != nil {
				return err
			}
		case next != nil:
			size := len(key) + len(next)
			if m == nil {
				if err := c.reserve(tx, 1, size); err != nil {
					return err
				}
				if m, err = newRow(tx, markSlot, key); err != nil {
					return err
				}
			}
			m.Set("value", next)
			m.Set("size", size)
			if err := tx.Save(m); err != nil {
				return err
			}
		}
		if total, err = tally(tx, c.mini.ID, key, mode); err != nil {
			return err
		}
		head.Set("value", total)
		head.Set("size", len(key)+len(total))
		return tx.Save(head)
	})
	return total, err
}

// tally computes a counter's total or a vote's {choice: count} from the marks.
func tally(tx core.App, mini, key, mode string) (json.RawMessage, error) {
	where := dbx.HashExp{"mini": mini, "scope": "mark", "key": key}
	if mode == modeCounter {
		var n int64
		err := tx.DB().Select("COALESCE(SUM(CAST(value AS INTEGER)), 0)").From("mini_storage").Where(where).Row(&n)
		return json.RawMessage(strconv.FormatInt(n, 10)), err
	}
	var rows []struct {
		Value string `db:"value"`
		N     int    `db:"n"`
	}
	err := tx.DB().Select("value", "COUNT(*) AS n").From("mini_storage").Where(where).GroupBy("value").All(&rows)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		var choice string
		if json.Unmarshal([]byte(r.Value), &choice) == nil {
			counts[choice] = r.N
		}
	}
	if len(counts) > maxChoices {
		return nil, conflict("A vote has at most " + strconv.Itoa(maxChoices) + " different choices.")
	}
	return json.Marshal(counts)
}

// sharedIncr moves the caller's mark on a counter: +1 once, -1 to take it
// back. The counter's value is how many members have added 1.
func sharedIncr(c *call) (any, error) {
	if err := c.arity(1, 2); err != nil {
		return nil, err
	}
	key, err := c.sharedKey(0, true)
	if err != nil {
		return nil, err
	}
	by := int64(1)
	if len(c.args) == 2 {
		if err := json.Unmarshal(c.args[1], &by); err != nil || (by != 1 && by != -1) {
			return nil, badRequest("incr moves a counter by 1 or -1: each member adds 1 once, and can take it back.")
		}
	}
	total, err := c.mark(key, modeCounter, func(old json.RawMessage) (json.RawMessage, error) {
		switch {
		case by == 1 && old != nil:
			return nil, conflict("You've already added 1 to " + strconv.Quote(key) + ".")
		case by == -1 && old == nil:
			return nil, conflict("You haven't added to " + strconv.Quote(key) + ", so there is nothing to take back.")
		case by == 1:
			return json.RawMessage("1"), nil
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return total, nil
}

// sharedVote sets (or, with null, withdraws) the caller's one choice in a
// vote; the vote's value is {choice: number of members}.
func sharedVote(c *call) (any, error) {
	if err := c.arity(2, 2); err != nil {
		return nil, err
	}
	key, err := c.sharedKey(0, true)
	if err != nil {
		return nil, err
	}
	var choice json.RawMessage
	if string(c.args[1]) != "null" {
		s, err := c.str(1, "The choice", maxChoiceLen, false)
		if err != nil {
			return nil, err
		}
		if choice, err = json.Marshal(s); err != nil {
			return nil, err
		}
	}
	total, err := c.mark(key, modeVote, func(json.RawMessage) (json.RawMessage, error) { return choice, nil })
	if err != nil {
		return nil, err
	}
	return total, nil
}

// sharedMine tells what the caller put in a counter (0 or 1) or a vote
// (their choice, or null).
func sharedMine(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.sharedKey(0, false)
	if err != nil {
		return nil, err
	}
	head, err := c.header(c.e.App, key)
	if err != nil {
		return nil, err
	}
	mode := ""
	if head != nil {
		mode = head.GetString("mode")
	}
	v, err := slot{c.mini.ID, "mark", c.e.Auth.Id}.get(c.e.App, key)
	switch {
	case err != nil:
		return nil, err
	case mode == modeCounter && v == nil:
		return 0, nil
	case mode == modeCounter || mode == modeVote:
		return v, nil
	case head == nil:
		return nil, nil
	}
	return nil, badRequest("mine reads counters and votes; " + strconv.Quote(key) + " is a value: read it with get.")
}

// sharedList returns the shared keys starting with a prefix (after the key
// `after`, if given) and their values: at most maxListKeys keys and
// maxListBytes of keys and values, in key order.
func sharedList(c *call) (any, error) {
	if err := c.arity(1, 2); err != nil {
		return nil, err
	}
	prefix, err := c.str(0, "The prefix", maxKeyLen, true)
	if err != nil {
		return nil, err
	}
	prefix = c.expand(prefix)
	after := ""
	if len(c.args) == 2 {
		if after, err = c.str(1, "after", 2*maxKeyLen, true); err != nil {
			return nil, err
		}
		after = c.expand(after)
	}
	q := c.e.App.DB().Select("key", "value").From("mini_storage").
		Where(dbx.HashExp{"mini": c.mini.ID, "scope": "shared"}).
		AndWhere(dbx.NewExp("substr(key, 1, {:n}) = {:p}", dbx.Params{"n": utf8.RuneCountInString(prefix), "p": prefix})).
		AndWhere(dbx.NewExp("key > {:after}", dbx.Params{"after": after})).
		OrderBy("key").Limit(maxListKeys)
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]json.RawMessage{}
	bytes := 0
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return nil, err
		}
		if bytes += len(key) + len(value); bytes > maxListBytes {
			break // the rest on the next call, after the last key returned
		}
		out[key] = json.RawMessage(value)
	}
	return out, rows.Err()
}

// putPlaza writes a key only Plaza writes (a paid receipt), whatever the
// quota: it records money that changed hands.
func putPlaza(tx core.App, mini, key string, value json.RawMessage) error {
	s := sharedSlot(mini)
	rec, err := s.find(tx, key)
	if err != nil {
		return err
	}
	if rec == nil {
		if rec, err = newRow(tx, s, key); err != nil {
			return err
		}
	}
	rec.Set("mode", modePlaza)
	rec.Set("owner", "")
	rec.Set("value", value)
	rec.Set("size", len(key)+len(value))
	return tx.Save(rec)
}
