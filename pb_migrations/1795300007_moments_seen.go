package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// When a member last opened their moments notices (likes, comments, replies):
// newer ones light the Moments tab. Replies to a member's comments are found
// from their comments (author) through reply_to.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.Fields.Add(&core.DateField{Name: "moments_seen", Hidden: true})
		if err := app.Save(users); err != nil {
			return err
		}
		comments, err := app.FindCollectionByNameOrId("post_comments")
		if err != nil {
			return err
		}
		comments.AddIndex("idx_post_comments_reply_to", false, "reply_to", "reply_to != ''")
		comments.AddIndex("idx_post_comments_author", false, "author", "")
		return app.Save(comments)
	}, nil)
}
