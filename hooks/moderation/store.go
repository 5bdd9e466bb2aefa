// Package moderation is how an organisation keeps Plaza safe: members report
// content and members, moderators work through the queue (dismiss, hide,
// suspend, restore), and every action is logged.
package moderation

import (
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/chat"
	"plaza/hooks/moments"
	"plaza/hooks/notify"
)

// Reasons are why a member reports something (reports.reason); a new one
// needs a migration adding it to the field's values.
var Reasons = []string{"spam", "harassment", "hate", "violence", "sexual", "scam", "other"}

// Targets are the collections a report can point at
// (reports.target_collection).
var Targets = []string{"messages", "posts", "post_comments", "listings", "users", "minis"}

// Target is what a report points at: "collection:id".
type Target struct {
	Collection, ID string
}

func (t Target) String() string { return t.Collection + ":" + t.ID }

var (
	errNoTarget = errors.New("That can't be reported: it doesn't exist or you can't see it.")
	errOwn      = errors.New("You can't report yourself or what you wrote.")
)

// ParseTarget reads "collection:id" (minis may be named by slug).
func ParseTarget(s string) (Target, error) {
	c, id, ok := strings.Cut(s, ":")
	if !ok || id == "" || len(id) > 40 || !slices.Contains(Targets, c) {
		return Target{}, errNoTarget
	}
	return Target{c, id}, nil
}

// IsModerator reports whether the member may work the moderation queue.
func IsModerator(m *core.Record) bool {
	r := m.GetString("role")
	return r == "moderator" || r == account.RoleAdmin
}

// resolve loads what the target names if the member may see it (what one
// can't see can't be reported), with minis named by slug turned into ids.
func resolve(app core.App, member string, t Target) (Target, *core.Record, error) {
	if t.Collection == "minis" {
		rec, err := app.FindFirstRecordByData("minis", "slug", t.ID)
		if err != nil {
			rec, err = app.FindRecordById("minis", t.ID)
		}
		if err != nil || rec.GetString("status") != "approved" {
			return t, nil, errNoTarget
		}
		return Target{"minis", rec.Id}, rec, nil
	}
	rec, err := app.FindRecordById(t.Collection, t.ID)
	if err != nil {
		return t, nil, errNoTarget
	}
	ok := false
	switch t.Collection {
	case "messages":
		_, err := chat.Membership(app, rec.GetString("room"), member)
		ok = err == nil && rec.GetString("kind") != "system"
	case "posts":
		_, err := moments.VisiblePost(app, member, rec.Id)
		ok = err == nil
	case "post_comments":
		_, err := moments.VisiblePost(app, member, rec.GetString("post"))
		ok = err == nil
	case "listings":
		ok = !rec.GetBool("hidden") && (rec.GetString("status") == "active" || rec.GetString("status") == "sold")
	case "users":
		ok = rec.GetString("status") == "active" || rec.GetString("status") == account.StatusSuspended
	}
	if !ok {
		return t, nil, errNoTarget
	}
	return t, rec, nil
}

// AuthorOf is the member behind reported content ("" for a mini).
func AuthorOf(t Target, rec *core.Record) string {
	switch t.Collection {
	case "listings":
		return rec.GetString("seller")
	case "users":
		return rec.Id
	case "minis":
		return ""
	}
	return rec.GetString("author")
}

// Report records a member's report; reporting the same thing again counts
// once (created is false then). One's own content can't be reported.
func Report(app core.App, reporter string, t Target, reason, note string) (created bool, err error) {
	t, rec, err := resolve(app, reporter, t)
	if err != nil {
		return false, err
	}
	if AuthorOf(t, rec) == reporter {
		return false, errOwn
	}
	err = app.RunInTransaction(func(tx core.App) error {
		n, err := tx.CountRecords("reports", dbx.HashExp{"reporter": reporter, "target_collection": t.Collection, "target_id": t.ID})
		if err != nil || n > 0 {
			return err
		}
		c, err := tx.FindCachedCollectionByNameOrId("reports")
		if err != nil {
			return err
		}
		r := core.NewRecord(c)
		r.Set("reporter", reporter)
		r.Set("target_collection", t.Collection)
		r.Set("target_id", t.ID)
		r.Set("reason", reason)
		r.Set("note", note)
		r.Set("state", "open")
		created = true
		return tx.Save(r)
	})
	return created, err
}

// Actions a moderator takes on a reported item.
const (
	ActDismiss = "dismiss"
	ActHide    = "hide"
	ActSuspend = "suspend"
	ActRestore = "restore"
)

var errCantSuspend = errors.New("There is no member behind this to suspend.")

// Act carries out a moderator's action on a target, closes its open
// reports and logs who did what, when and why, all in one transaction
// (chat messages are hidden through the chat's own writer, after).
func Act(app core.App, moderator *core.Record, t Target, action, why string) error {
	rec, err := app.FindRecordById(t.Collection, t.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoTarget
	} else if err != nil {
		return err
	}
	author := AuthorOf(t, rec)
	if action == ActSuspend && author == "" {
		return errCantSuspend
	}
	var hideMessage *bool // messages go through the chat committer, after
	err = app.RunInTransaction(func(tx core.App) error {
		state := "actioned"
		switch action {
		case ActDismiss:
			state = "dismissed"
		case ActHide, ActRestore:
			hidden := action == ActHide
			userStatus, miniStatus := "active", "approved"
			if hidden {
				userStatus, miniStatus = account.StatusSuspended, "disabled"
			}
			switch t.Collection {
			case "messages":
				hideMessage = &hidden
			case "users":
				if err := setStatus(tx, rec.Id, userStatus); err != nil {
					return err
				}
			case "minis":
				rec.Set("status", miniStatus)
				if err := tx.Save(rec); err != nil {
					return err
				}
			default:
				rec.Set("hidden", hidden)
				if err := tx.Save(rec); err != nil {
					return err
				}
			}
			if action == ActRestore && author != "" && t.Collection != "users" {
				// Restoring content also lifts a suspension this item caused.
				if err := liftSuspension(tx, t, author); err != nil {
					return err
				}
			}
		case ActSuspend:
			if err := setStatus(tx, author, account.StatusSuspended); err != nil {
				return err
			}
		default:
			return errors.New("unknown action")
		}
		if _, err := tx.DB().Update("reports", dbx.Params{"state": state},
			dbx.HashExp{"target_collection": t.Collection, "target_id": t.ID, "state": "open"}).Execute(); err != nil {
			return err
		}
		return logAction(tx, moderator, action, t, why)
	})
	if err == nil && hideMessage != nil {
		err = chat.SetHidden(app, t.ID, *hideMessage)
	}
	if err == nil {
		tellOutcome(app, t, author, action, why)
	}
	return err
}

// tellOutcome lets the author know what moderators did to their content,
// and the members who reported it that it was looked at.
func tellOutcome(app core.App, t Target, author, action, why string) {
	what := map[string]string{"messages": "message", "posts": "moment", "post_comments": "comment", "listings": "listing", "minis": "mini-program"}[t.Collection]
	switch {
	case action == ActHide && what != "":
		notify.Send(app, notify.Event{User: author, Kind: "moderation", Text: "Moderators hid your " + what + ": " + why, URL: urlOf(app, t)})
	case action == ActRestore && what != "":
		notify.Send(app, notify.Event{User: author, Kind: "moderation", Text: "Moderators restored your " + what + ".", URL: urlOf(app, t)})
	}
	if action == ActDismiss || action == ActRestore {
		return
	}
	var reporters []string
	_ = app.DB().Select("reporter").From("reports").
		Where(dbx.HashExp{"target_collection": t.Collection, "target_id": t.ID}).AndWhere(dbx.NewExp("reporter != ''")).Column(&reporters)
	for _, r := range reporters {
		notify.Send(app, notify.Event{User: r, Kind: "moderation", Text: "Thanks for your report: moderators acted on it.", URL: "/notifications"})
	}
}

// urlOf is where reported content lives, for its author.
func urlOf(app core.App, t Target) string {
	rec, err := app.FindRecordById(t.Collection, t.ID)
	if err != nil {
		return "/notifications"
	}
	switch t.Collection {
	case "messages":
		return "/chats/" + rec.GetString("room") + "#m-" + rec.Id
	case "posts":
		return "/moments/" + rec.Id
	case "post_comments":
		return "/moments/" + rec.GetString("post") + "#c-" + rec.Id
	case "listings":
		return "/market/" + rec.Id
	}
	return "/notifications"
}

func setStatus(tx core.App, member, status string) error {
	u, err := tx.FindRecordById("users", member)
	if err != nil {
		return err
	}
	if u.GetString("status") == status {
		return nil
	}
	u.Set("status", status) // leaving active ends every session (web's users hook)
	return tx.Save(u)
}

// liftSuspension reactivates the author if a suspend was logged for this item.
func liftSuspension(tx core.App, t Target, author string) error {
	n, err := tx.CountRecords("moderation_log", dbx.HashExp{"action": ActSuspend, "target_collection": t.Collection, "target_id": t.ID})
	if err != nil || n == 0 {
		return err
	}
	return setStatus(tx, author, "active")
}

func logAction(tx core.App, moderator *core.Record, action string, t Target, why string) error {
	c, err := tx.FindCachedCollectionByNameOrId("moderation_log")
	if err != nil {
		return err
	}
	l := core.NewRecord(c)
	l.Set("actor", moderator.Id)
	l.Set("actor_name", moderator.GetString("name"))
	l.Set("action", action)
	l.Set("target_collection", t.Collection)
	l.Set("target_id", t.ID)
	l.Set("reason", why)
	return tx.Save(l)
}

// holdForReview files the word filter's report on content it held.
func holdForReview(app core.App, collection, id, word string) error {
	r, err := app.FindFirstRecordByFilter("reports", "reporter = '' && target_collection = {:c} && target_id = {:i}",
		dbx.Params{"c": collection, "i": id})
	if err != nil { // the first time: a new report (else the filter's one reopens)
		c, err := app.FindCachedCollectionByNameOrId("reports")
		if err != nil {
			return err
		}
		r = core.NewRecord(c)
	}
	r.Set("target_collection", collection)
	r.Set("target_id", id)
	r.Set("reason", "other")
	r.Set("note", "Held by the word filter: “"+word+"”")
	r.Set("state", "open")
	return app.Save(r)
}
