package web

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/templates"
)

// Chrome builds what every page shows around its content: the organisation,
// the signed-in member, a pending flash message and the active tab.
func Chrome(e *core.RequestEvent, tab string) templates.Chrome {
	c := templates.Chrome{Org: OrgInfo(e.App), Flash: takeFlash(e), Tab: tab}
	if e.Auth != nil && e.Auth.Collection().Name == "users" {
		p := Person(e.Auth)
		c.Viewer = &p
		c.Badges = CountBadges(e.App, e.Auth)
	}
	return c
}

// BadgeCounter adds what waits for member to the tab badges.
type BadgeCounter func(app core.App, member *core.Record, b *templates.Badges) error

const badgeCountersKey = "plaza.badgeCounters"

// AddBadgeCounter registers a feature's badge counter on app (call it from
// the feature's Register).
func AddBadgeCounter(app core.App, c BadgeCounter) {
	counters, _ := app.Store().Get(badgeCountersKey).([]BadgeCounter)
	app.Store().Set(badgeCountersKey, append(counters, c))
}

// CountBadges runs every feature's counter for member. A failed count is
// logged and shown as zero: a badge is never worth an error page.
func CountBadges(app core.App, member *core.Record) templates.Badges {
	var b templates.Badges
	counters, _ := app.Store().Get(badgeCountersKey).([]BadgeCounter) // none registered: no badges
	for _, count := range counters {
		if err := count(app, member, &b); err != nil {
			app.Logger().Error("badge count failed", "member", member.Id, "error", err)
		}
	}
	return b
}

// Person is the public face of a member as every page shows it.
func Person(r *core.Record) templates.Person {
	return templates.Person{
		ID:        r.Id,
		Name:      r.GetString("name"),
		AvatarURL: FileURL(r, "avatar", "88x88"),
		Bio:       r.GetString("bio"),
		Status:    r.GetString("status"),
	}
}

// AvatarURL is the avatar thumb of member id whose avatar file is name ("" for none),
// for lists built from SQL rows rather than records.
func AvatarURL(id, name string) string {
	if name == "" {
		return ""
	}
	return "/api/files/_pb_users_auth_/" + id + "/" + name + "?thumb=88x88"
}

// FileURL is the URL of a record's (first) file in field, optionally a thumb
// size listed in the field's Thumbs; "" when the field is empty.
func FileURL(r *core.Record, field, thumb string) string {
	name := r.GetString(field)
	if name == "" {
		return ""
	}
	u := "/api/files/" + r.Collection().Id + "/" + r.Id + "/" + name
	if thumb != "" {
		u += "?thumb=" + thumb
	}
	return u
}
