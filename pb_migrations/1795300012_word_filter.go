package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The organisation's word filter: blocked words and phrases (one per line)
// checked on every message, moment, comment and listing, which are either
// refused or held for moderators to review.
func init() {
	m.Register(func(app core.App) error {
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		org.Fields.Add(
			&core.TextField{Name: "blocked_words", Max: 10000},
			&core.SelectField{Name: "word_filter", MaxSelect: 1, Values: []string{"reject", "review"}},
		)
		return app.Save(org)
	}, func(app core.App) error {
		org, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		org.Fields.RemoveByName("blocked_words")
		org.Fields.RemoveByName("word_filter")
		return app.Save(org)
	})
}
