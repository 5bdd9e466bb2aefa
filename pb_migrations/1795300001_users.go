package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The users collection is PocketBase's own; Plaza adds profile, status, role and
// privacy, and closes every REST write path that would bypass Plaza's rules
// (registration mode, role changes, approval).
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}

		// Members see their own record, and the public profile (name, avatar,
		// bio) of active members; the list shows only discoverable ones, like
		// the /people directory. Email stays hidden (emailVisibility) and
		// privacy is a hidden field.
		users.ListRule = types.Pointer(`@request.auth.id != "" && (id = @request.auth.id || (status = "active" && privacy.discoverable = true))`)
		users.ViewRule = types.Pointer(`@request.auth.id != "" && (id = @request.auth.id || status = "active")`)
		users.CreateRule = nil // sign-up goes through /signup (invite, approval)
		users.UpdateRule = nil // profile edits go through /me/edit (role and status are not the member's to set)
		users.DeleteRule = nil // account deletion goes through /me/delete
		users.AuthRule = types.Pointer(`status = "active"`)
		users.ManageRule = nil
		users.OAuth2.Enabled = false
		users.OTP.Enabled = false
		users.MFA.Enabled = false

		if pw, ok := users.Fields.GetByName("password").(*core.PasswordField); ok {
			pw.Min = 10
		}
		if name, ok := users.Fields.GetByName("name").(*core.TextField); ok {
			name.Max = 60
		}
		if avatar, ok := users.Fields.GetByName("avatar").(*core.FileField); ok {
			avatar.MaxSize = 5 << 20
			avatar.MimeTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}
			avatar.Thumbs = []string{"88x88", "144x144"}
		}

		users.Fields.Add(
			&core.TextField{Name: "bio", Max: 280},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"active", "suspended", "pending"}},
			&core.SelectField{Name: "role", Required: true, MaxSelect: 1, Values: []string{"member", "moderator", "admin"}},
			&core.JSONField{Name: "privacy", Hidden: true, MaxSize: 4 << 10},
		)

		users.ResetPasswordTemplate.Body = `<p>Hello,</p>
<p>Someone asked to reset the password of your {APP_NAME} account. Open the link below to choose a new one.</p>
<p><a class="btn" href="{APP_URL}/reset/{TOKEN}" target="_blank" rel="noopener">Choose a new password</a></p>
<p><i>If you didn't ask for this, ignore this email: your password stays as it is.</i></p>`

		return app.Save(users)
	}, nil)
}
