package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Announcements: what admins published as the organisation (the "official
// account"). Each one is also a message in the organisation's channel (a
// rooms record of kind channel, made on the first announcement), which is
// how members read it; this collection is the admins' record of what went
// out, and whether it was emailed. Only superusers reach it through the API.
//
// An announcement's message carries an optional title line and up to 5,000
// characters of text, so messages.body grows to 5,200 characters; members'
// own messages stay limited to 4,000 by the chat pages.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		msgs, err := app.FindCollectionByNameOrId("messages")
		if err != nil {
			return err
		}
		body, ok := msgs.Fields.GetByName("body").(*core.TextField)
		if ok && body.Max < 5200 {
			body.Max = 5200
			if err := app.Save(msgs); err != nil {
				return err
			}
		}

		c := core.NewBaseCollection("announcements")
		c.Fields.Add(
			&core.TextField{Name: "title", Max: 100},
			&core.TextField{Name: "body", Required: true, Max: 5000},
			&core.FileField{Name: "image", MaxSelect: 1, MaxSize: 10 << 20, Protected: true,
				MimeTypes: []string{"image/jpeg", "image/png", "image/gif", "image/webp"}, Thumbs: []string{"160x160"}},
			// Kept when the admin's account goes: it was the organisation speaking.
			&core.RelationField{Name: "author", CollectionId: users.Id, MaxSelect: 1},
			&core.BoolField{Name: "emailed"},
			&core.RelationField{Name: "message", CollectionId: msgs.Id, MaxSelect: 1},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_announcements_created", false, "created", "")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("announcements")
		if err != nil {
			return err
		}
		if err := app.Delete(c); err != nil {
			return err
		}
		msgs, err := app.FindCollectionByNameOrId("messages")
		if err != nil {
			return err
		}
		if body, ok := msgs.Fields.GetByName("body").(*core.TextField); ok {
			body.Max = 4000
		}
		return app.Save(msgs)
	})
}
