package minihost

import (
	"database/sql"
	"errors"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// A member's grants to a mini (mini_grants): the permissions they allowed,
// and when they last opened it (the launcher lists recent ones first).

func grantOf(app core.App, member, mini string) (*core.Record, error) {
	recs, err := app.FindRecordsByFilter("mini_grants", "user = {:u} && mini = {:m}", "", 1, 0,
		map[string]any{"u": member, "m": mini})
	if err != nil || len(recs) == 0 {
		if err == nil || errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return recs[0], nil
}

// Granted reports whether the member allowed the mini permission p.
func Granted(app core.App, member string, m *Mini, p string) (bool, error) {
	g, err := grantOf(app, member, m.ID)
	if err != nil || g == nil {
		return false, err
	}
	return slices.Contains(g.GetStringSlice("permissions"), p), nil
}

// updateGrant loads (or makes) the member's grant to m and saves change(g).
func updateGrant(app core.App, member string, m *Mini, change func(g *core.Record)) error {
	return app.RunInTransaction(func(tx core.App) error {
		g, err := grantOf(tx, member, m.ID)
		if err != nil {
			return err
		}
		if g == nil {
			c, err := tx.FindCachedCollectionByNameOrId("mini_grants")
			if err != nil {
				return err
			}
			g = core.NewRecord(c)
			g.Set("user", member)
			g.Set("mini", m.ID)
			g.Set("permissions", []string{})
		}
		change(g)
		return tx.Save(g)
	})
}

// Allow records that the member allowed p.
func Allow(app core.App, member string, m *Mini, p string) error {
	return updateGrant(app, member, m, func(g *core.Record) {
		perms := g.GetStringSlice("permissions")
		if !slices.Contains(perms, p) {
			perms = append(perms, p)
		}
		g.Set("permissions", perms)
	})
}

// Revoke takes back every permission the member gave the mini.
func Revoke(app core.App, member string, m *Mini) error {
	return updateGrant(app, member, m, func(g *core.Record) { g.Set("permissions", []string{}) })
}

// touch notes that the member opened the mini now.
func touch(app core.App, member string, m *Mini) error {
	return updateGrant(app, member, m, func(g *core.Record) { g.Set("last_used", types.NowDateTime()) })
}
