package minihost

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// A mini's storage: per member ("user" scope, 1 MB each) and shared by all
// members ("shared" scope). Rows are (mini, scope, user, key) → JSON value.

type slot struct {
	mini, scope, user string
}

func (c *call) own() slot    { return slot{c.mini.ID, "user", c.e.Auth.Id} }
func (c *call) shared() slot { return slot{c.mini.ID, "shared", ""} }

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

// put stores value under key in tx, checking the member quota.
func (s slot) put(tx core.App, key string, value json.RawMessage) error {
	rec, err := s.find(tx, key)
	if err != nil {
		return err
	}
	size := len(key) + len(value)
	if s.scope == "user" {
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
	}
	if rec == nil {
		c, err := tx.FindCachedCollectionByNameOrId("mini_storage")
		if err != nil {
			return err
		}
		rec = core.NewRecord(c)
		rec.Set("mini", s.mini)
		rec.Set("scope", s.scope)
		rec.Set("user", s.user)
		rec.Set("key", key)
	}
	rec.Set("value", value)
	rec.Set("size", size)
	return tx.Save(rec)
}

func (s slot) remove(app core.App, key string) error {
	_, err := app.DB().Delete("mini_storage", s.where(key)).Execute()
	return err
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

func set(c *call, s slot) (any, error) {
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
	err = c.e.App.RunInTransaction(func(tx core.App) error { return s.put(tx, key, value) })
	if err != nil {
		return nil, err
	}
	return true, nil
}

func storageSet(c *call) (any, error) { return set(c, c.own()) }
func sharedSet(c *call) (any, error)  { return set(c, c.shared()) }

func storageRemove(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	return true, c.own().remove(c.e.App, key)
}

func sharedRemove(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	return true, c.shared().remove(c.e.App, key)
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

func sharedGet(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	return c.shared().get(c.e.App, key)
}

// sharedIncr adds to a number atomically (a missing key counts as 0): the
// read and the write share one write transaction, and Plaza's writes run
// one transaction at a time.
func sharedIncr(c *call) (any, error) {
	if err := c.arity(1, 2); err != nil {
		return nil, err
	}
	key, err := c.key(0)
	if err != nil {
		return nil, err
	}
	by := int64(1)
	if len(c.args) == 2 {
		if err := json.Unmarshal(c.args[1], &by); err != nil || by < -1e9 || by > 1e9 {
			return nil, badRequest("incr's step must be a whole number.")
		}
	}
	var n int64
	s := c.shared()
	err = c.e.App.RunInTransaction(func(tx core.App) error {
		rec, err := s.find(tx, key)
		if err != nil {
			return err
		}
		if rec != nil {
			if err := json.Unmarshal([]byte(rec.GetString("value")), &n); err != nil {
				return badRequest("The value under " + strconv.Quote(key) + " is not a whole number.")
			}
		}
		n += by
		return s.put(tx, key, json.RawMessage(strconv.FormatInt(n, 10)))
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// sharedList returns the shared keys starting with a prefix and their values.
func sharedList(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	prefix, err := c.str(0, "The prefix", maxKeyLen, true)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	s := c.shared()
	err = c.e.App.DB().Select("key", "value").From("mini_storage").
		Where(dbx.HashExp{"mini": s.mini, "scope": "shared"}).
		AndWhere(dbx.NewExp("substr(key, 1, {:n}) = {:p}", dbx.Params{"n": utf8.RuneCountInString(prefix), "p": prefix})).
		OrderBy("key").Limit(500).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(rows))
	for _, r := range rows {
		out[r.Key] = json.RawMessage(r.Value)
	}
	return out, nil
}
