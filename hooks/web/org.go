package web

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/templates"
)

// The org_settings singleton is read on every page, so it is cached in the
// app's store and dropped whenever the record changes (dashboard edits too).
const orgStoreKey = "plaza.org"

type orgSettings struct {
	info          templates.Org
	registration  string
	blocked       []string // the word filter's words and phrases, lower case
	holdForReview bool     // word_filter = review
}

// Registration modes of org_settings.registration.
const (
	RegistrationOpen     = "open"
	RegistrationInvite   = "invite"
	RegistrationApproval = "approval"
)

func bindOrgCache(app core.App) {
	drop := func(e *core.ModelEvent) error {
		e.App.Store().Remove(orgStoreKey)
		return e.Next()
	}
	app.OnModelAfterUpdateSuccess("org_settings").BindFunc(drop)
	app.OnModelAfterCreateSuccess("org_settings").BindFunc(drop)
	app.OnModelAfterDeleteSuccess("org_settings").BindFunc(drop)
	// PocketBase signs its emails with the app name: keep it the organisation's.
	app.OnRecordAfterUpdateSuccess("org_settings").BindFunc(func(e *core.RecordEvent) error {
		if name := e.Record.GetString("name"); name != "" && e.App.Settings().Meta.AppName != name {
			e.App.Settings().Meta.AppName = name
			if err := e.App.Save(e.App.Settings()); err != nil {
				return err
			}
		}
		return e.Next()
	})
}

func loadOrg(app core.App) *orgSettings {
	if s, ok := app.Store().Get(orgStoreKey).(*orgSettings); ok {
		return s
	}
	s := &orgSettings{info: templates.Org{Name: "Plaza"}, registration: RegistrationOpen}
	r, err := app.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		app.Logger().Error("org_settings missing; using defaults", "error", err)
		return s // not cached: the next page tries again
	}
	s.info = templates.Org{Name: r.GetString("name"), LogoURL: FileURL(r, "logo", "112x112")}
	s.registration = r.GetString("registration")
	s.blocked = blockedList(r.GetString("blocked_words"))
	s.holdForReview = r.GetString("word_filter") == "review"
	app.Store().Set(orgStoreKey, s)
	return s
}

// OrgInfo is the organisation's name and logo.
func OrgInfo(app core.App) templates.Org { return loadOrg(app).info }

// RegistrationMode is how people join: open, invite or approval.
func RegistrationMode(app core.App) string { return loadOrg(app).registration }
