package pb_migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Hardening (issue 11):
//
//   - The REST API shows only what the pages show: the word filter
//     (org_settings.blocked_words, word_filter), orders' Stripe references
//     and payment link (checkout_session, checkout_url, payment_intent,
//     destination, attempts) and members' roles are hidden fields. Plaza's
//     own Go code still reads them, and rules may still use them
//     (@request.auth.role).
//   - Sign-up with mail set up asks the new member to confirm their address:
//     the verification email links to /signup/confirm/{TOKEN}. Members
//     who joined before are marked verified, so nobody is locked out.
//   - Rate limits for the confirmation pages and for the data export, which
//     is now a POST.
var hardeningHidden = map[string][]string{
	"org_settings": {"blocked_words", "word_filter"},
	"orders":       {"checkout_session", "checkout_url", "payment_intent", "destination", "attempts"},
	"users":        {"role"},
}

var hardeningLimits = []core.RateLimitRule{
	{Label: "POST /signup/resend", MaxRequests: 5, Duration: 300},
	{Label: "POST /signup/confirm/", MaxRequests: 20, Duration: 300},
	{Label: "POST /me/export", MaxRequests: 10, Duration: 600},
}

const verificationBody = `<p>Hello,</p>
<p>Welcome to {APP_NAME}! Confirm your email address to finish signing up.</p>
<p><a class="btn" href="{APP_URL}/signup/confirm/{TOKEN}" target="_blank" rel="noopener">Confirm my email</a></p>
<p><i>If you didn't sign up, ignore this email: no account is made without this confirmation.</i></p>`

func init() {
	m.Register(func(app core.App) error {
		if err := setHidden(app, true); err != nil {
			return err
		}
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.VerificationTemplate.Subject = "Confirm your {APP_NAME} email"
		users.VerificationTemplate.Body = verificationBody
		if err := app.Save(users); err != nil {
			return err
		}
		if _, err := app.DB().NewQuery("UPDATE users SET verified = TRUE").Execute(); err != nil {
			return err
		}

		s := app.Settings()
		s.RateLimits.Rules = slices.DeleteFunc(s.RateLimits.Rules, func(r core.RateLimitRule) bool { return r.Label == "GET /me/export" })
		for _, r := range hardeningLimits {
			if !slices.ContainsFunc(s.RateLimits.Rules, func(x core.RateLimitRule) bool { return x.Label == r.Label }) {
				s.RateLimits.Rules = append(s.RateLimits.Rules, r)
			}
		}
		return app.Save(s)
	}, func(app core.App) error {
		if err := setHidden(app, false); err != nil {
			return err
		}
		s := app.Settings()
		s.RateLimits.Rules = slices.DeleteFunc(s.RateLimits.Rules, func(x core.RateLimitRule) bool {
			return slices.ContainsFunc(hardeningLimits, func(r core.RateLimitRule) bool { return x.Label == r.Label })
		})
		s.RateLimits.Rules = append(s.RateLimits.Rules, core.RateLimitRule{Label: "GET /me/export", MaxRequests: 10, Duration: 600})
		return app.Save(s)
	})
}

func setHidden(app core.App, hidden bool) error {
	for name, fields := range hardeningHidden {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		for _, f := range fields {
			if field := c.Fields.GetByName(f); field != nil {
				field.SetHidden(hidden)
			}
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
