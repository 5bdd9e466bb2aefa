package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Data rights: a member downloads everything they own (GET /me/export) and
// deletes their account (POST /me/delete).
//
// Deleting a member relies on how every relation to users is declared, so
// this step checks it instead of trusting it: what the member owns cascades
// (friendships, tags, room memberships, posts, likes, comments, listings,
// seller account, mini grants and storage), and what outlives them for
// others — messages kept in their chats, orders kept for the accounts,
// rooms and invites they created — only loses the link (not required, no
// cascade). A relation set otherwise is corrected here.
//
// It also rate-limits both routes: the export is heavy, and the deletion form
// checks a password.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		type rel struct{ collection, field string }
		owned := []rel{
			{"friendships", "requester"}, {"friendships", "addressee"}, {"friend_tags", "owner"},
			{"room_members", "user"}, {"posts", "author"}, {"post_likes", "user"}, {"post_comments", "author"},
			{"listings", "seller"}, {"seller_accounts", "user"}, {"mini_grants", "user"}, {"mini_storage", "user"},
		}
		kept := []rel{
			{"messages", "author"}, {"orders", "buyer"}, {"orders", "seller"},
			{"rooms", "created_by"}, {"invites", "created_by"},
		}
		collections := map[string]*core.Collection{}
		changed := map[string]bool{}
		relation := func(r rel) (*core.RelationField, error) {
			c, ok := collections[r.collection]
			if !ok {
				if c, err = app.FindCollectionByNameOrId(r.collection); err != nil {
					return nil, err
				}
				collections[r.collection] = c
			}
			f, ok := c.Fields.GetByName(r.field).(*core.RelationField)
			if !ok || f.CollectionId != users.Id {
				return nil, fmt.Errorf("%s.%s is not a relation to users", r.collection, r.field)
			}
			return f, nil
		}
		for _, r := range owned {
			f, err := relation(r)
			if err != nil {
				return err
			}
			if !f.CascadeDelete {
				f.CascadeDelete, changed[r.collection] = true, true
			}
		}
		for _, r := range kept {
			f, err := relation(r)
			if err != nil {
				return err
			}
			if f.CascadeDelete || f.Required {
				f.CascadeDelete, f.Required, changed[r.collection] = false, false, true
			}
		}
		for name := range changed {
			if err := app.Save(collections[name]); err != nil {
				return err
			}
		}

		s := app.Settings()
		s.RateLimits.Rules = append(s.RateLimits.Rules,
			core.RateLimitRule{Label: "GET /me/export", MaxRequests: 10, Duration: 600},
			core.RateLimitRule{Label: "POST /me/delete", MaxRequests: 5, Duration: 300},
		)
		return app.Save(s)
	}, func(app core.App) error {
		s := app.Settings()
		rules := s.RateLimits.Rules[:0]
		for _, r := range s.RateLimits.Rules {
			if r.Label != "GET /me/export" && r.Label != "POST /me/delete" {
				rules = append(rules, r)
			}
		}
		s.RateLimits.Rules = rules
		return app.Save(s)
	})
}
