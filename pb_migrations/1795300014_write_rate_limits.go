package pb_migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// writeLimits bound every member write route, per client address and
// minute (PocketBase's rate limiter; admins tune them under Settings → Rate
// limits). They are generous because a whole organisation may share one
// address behind its router; chat sends and mini-program calls also have
// Plaza's own per-member limits.
var writeLimits = []core.RateLimitRule{
	{Label: "POST /chats", MaxRequests: 120, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /chats/", MaxRequests: 3000, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /moments", MaxRequests: 120, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /moments/", MaxRequests: 600, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /market/", MaxRequests: 300, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /orders/", MaxRequests: 300, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /friends/", MaxRequests: 300, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /me/", MaxRequests: 120, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /reports", MaxRequests: 60, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /minis/", MaxRequests: 1200, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
	{Label: "POST /admin/", MaxRequests: 300, Duration: 60, Audience: core.RateLimitRuleAudienceAuth},
}

func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		for _, r := range writeLimits {
			if !slices.ContainsFunc(s.RateLimits.Rules, func(x core.RateLimitRule) bool { return x.Label == r.Label && x.Audience == r.Audience }) {
				s.RateLimits.Rules = append(s.RateLimits.Rules, r)
			}
		}
		return app.Save(s)
	}, func(app core.App) error {
		s := app.Settings()
		s.RateLimits.Rules = slices.DeleteFunc(s.RateLimits.Rules, func(x core.RateLimitRule) bool {
			return slices.ContainsFunc(writeLimits, func(r core.RateLimitRule) bool { return x.Label == r.Label && x.Audience == r.Audience })
		})
		return app.Save(s)
	})
}
