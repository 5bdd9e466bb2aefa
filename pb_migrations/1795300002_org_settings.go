package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// org_settings is a singleton: the organisation's name, logo and how people join.
// It also turns on PocketBase's rate limiter with rules for Plaza's own
// sign-in, sign-up and password-reset forms.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("org_settings")
		c.ListRule = types.Pointer("") // shown on the sign-in page to everyone
		c.ViewRule = types.Pointer("")
		c.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 80},
			&core.FileField{Name: "logo", MaxSelect: 1, MaxSize: 2 << 20,
				MimeTypes: []string{"image/jpeg", "image/png", "image/webp"}, Thumbs: []string{"112x112"}},
			&core.SelectField{Name: "registration", Required: true, MaxSelect: 1, Values: []string{"open", "invite", "approval"}},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		if err := app.Save(c); err != nil {
			return err
		}

		org := core.NewRecord(c)
		org.Set("name", "Plaza")
		org.Set("registration", "open")
		if err := app.Save(org); err != nil {
			return err
		}

		s := app.Settings()
		s.Meta.AppName = "Plaza"
		s.RateLimits.Enabled = true
		s.RateLimits.Rules = append(s.RateLimits.Rules,
			core.RateLimitRule{Label: "POST /signin", MaxRequests: 10, Duration: 60},
			core.RateLimitRule{Label: "POST /signup", MaxRequests: 20, Duration: 300},
			core.RateLimitRule{Label: "POST /reset", MaxRequests: 5, Duration: 300},
			core.RateLimitRule{Label: "POST /reset/", MaxRequests: 10, Duration: 300},
		)
		return app.Save(s)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("org_settings")
		if err != nil {
			return err
		}
		return app.Delete(c)
	})
}
