package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Moments: posts, likes and comments. Who may see a post is decided by
// Plaza's code (friends, public, only, except, blocks, the author's history
// window, and which likes and comments each viewer may see), which the REST
// API's rule language can't express faithfully — so these collections stay
// superuser-only there (nil rules) and photos are a protected field served
// through Plaza's own checked route.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		tags, err := app.FindCollectionByNameOrId("friend_tags")
		if err != nil {
			return err
		}

		posts := core.NewBaseCollection("posts")
		posts.Fields.Add(
			&core.RelationField{Name: "author", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "body", Max: 5000},
			&core.FileField{Name: "photos", MaxSelect: 9, MaxSize: 10 << 20, Protected: true,
				MimeTypes: []string{"image/jpeg", "image/png", "image/gif", "image/webp"}, Thumbs: []string{"240x240", "720x0"}},
			&core.SelectField{Name: "visibility", Required: true, MaxSelect: 1, Values: []string{"friends", "public", "only", "except"}},
			// The members an only/except list names, resolved from people and
			// tags when posting; the tags are kept to show the author.
			&core.RelationField{Name: "audience", CollectionId: users.Id, MaxSelect: 5000},
			&core.RelationField{Name: "audience_tags", CollectionId: tags.Id, MaxSelect: 100},
			&core.TextField{Name: "location", Max: 100},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		posts.AddIndex("idx_posts_author_created", false, "author, created", "")
		posts.AddIndex("idx_posts_created", false, "created, id", "") // the feed order and its cursor
		if err := app.Save(posts); err != nil {
			return err
		}

		likes := core.NewBaseCollection("post_likes")
		likes.Fields.Add(
			&core.RelationField{Name: "post", Required: true, CollectionId: posts.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		likes.AddIndex("idx_post_likes_pair", true, "post, user", "")
		if err := app.Save(likes); err != nil {
			return err
		}

		comments := core.NewBaseCollection("post_comments")
		comments.Fields.Add(
			&core.RelationField{Name: "post", Required: true, CollectionId: posts.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "author", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "body", Required: true, Max: 1000},
			&core.TextField{Name: "reply_to", Max: 15}, // a comment on the same post
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		comments.AddIndex("idx_post_comments_post", false, "post, created", "")
		return app.Save(comments)
	}, func(app core.App) error {
		for _, name := range []string{"post_comments", "post_likes", "posts"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		return nil
	})
}
