package chat

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
	"plaza/hooks/web"
	"plaza/templates"
)

// roomTitle is what the room is called for viewer: a group's title, or the
// other member's name in a direct chat.
func roomTitle(app core.App, room *core.Record, viewer string) (string, templates.Person, error) {
	if room.GetString("kind") != KindDirect {
		t := room.GetString("title")
		return t, templates.Person{ID: room.Id, Name: t}, nil
	}
	ids, err := MemberIDs(app, room.Id)
	if err != nil {
		return "", templates.Person{}, err
	}
	for _, id := range ids {
		if id != viewer {
			u, err := app.FindRecordById("users", id)
			if err != nil {
				return "", templates.Person{}, err
			}
			p := web.Person(u)
			return p.Name, p, nil
		}
	}
	return "Deleted member", templates.Person{Name: "?"}, nil // the other member deleted their account
}

// preview is a one-line summary of a room's last message for the chat list.
func preview(r roomListRow, group bool) string {
	var text string
	switch {
	case r.MsgKind == "":
		return "No messages yet"
	case r.MsgRecalled:
		text = "Message recalled"
	case r.MsgHidden:
		return "A message was hidden by moderators"
	case r.MsgKind == "system":
		return r.MsgBody
	case r.MsgKind == "mini_card":
		var card MiniCard
		_ = json.Unmarshal([]byte(r.MsgBody), &card)
		text = "[" + card.Name + "] " + web.OneLine(card.Title, 60)
	case r.MsgBody != "":
		text = web.OneLine(r.MsgBody, 80)
	case r.MsgKind == "image":
		text = "[Photo]"
	default:
		text = "[File]"
	}
	if group && r.MsgAuthor != "" {
		return r.MsgAuthor + ": " + text
	}
	return text
}

// messageViews builds the view of msgs for viewer, loading authors and
// quoted messages in two queries.
func messageViews(app core.App, msgs []*core.Record, viewer string, group bool, mentions []string, prevDay string) ([]templates.MessageVM, error) {
	authorIDs := map[string]bool{}
	var replyIDs []string
	for _, m := range msgs {
		if a := m.GetString("author"); a != "" {
			authorIDs[a] = true
		}
		if r := m.GetString("reply_to"); r != "" {
			replyIDs = append(replyIDs, r)
		}
	}
	quoted := map[string]*core.Record{}
	if len(replyIDs) > 0 {
		recs, err := app.FindRecordsByIds("messages", replyIDs)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			quoted[r.Id] = r
			if a := r.GetString("author"); a != "" {
				authorIDs[a] = true
			}
		}
	}
	people, err := account.PeopleByID(app, keys(authorIDs))
	if err != nil {
		return nil, err
	}

	out := make([]templates.MessageVM, 0, len(msgs))
	day := prevDay
	for _, m := range msgs {
		vm := messageView(m, people, quoted, viewer, group, mentions)
		if d := dayLabel(m.GetDateTime("created")); d != day {
			vm.Day, day = d, d
		}
		out = append(out, vm)
	}
	return out, nil
}

func messageView(m *core.Record, people map[string]templates.Person, quoted map[string]*core.Record, viewer string, group bool, mentions []string) templates.MessageVM {
	author := m.GetString("author")
	vm := templates.MessageVM{
		ID:       m.Id,
		Room:     m.GetString("room"),
		Seq:      m.GetInt("seq"),
		Kind:     m.GetString("kind"),
		Author:   account.Face(people, author),
		Own:      author != "" && author == viewer,
		Group:    group,
		At:       isoTime(m.GetDateTime("created")),
		Body:     m.GetString("body"),
		Edited:   m.GetBool("edited"),
		Recalled: m.GetBool("recalled"),
		Mentions: mentions,
	}
	vm.CanRecall = vm.Own && time.Since(m.GetDateTime("created").Time()) < recallWindow
	if m.GetBool("hidden") {
		// Live events render once for the whole room, so only a page the
		// author loads (viewer == author) keeps the text, labelled.
		vm.Hidden = true
		if !vm.Own {
			vm.Body, vm.Reply, vm.Kind = "", nil, "hidden"
			return vm
		}
	}
	if vm.Kind == "mini_card" {
		var card MiniCard
		if json.Unmarshal([]byte(vm.Body), &card) == nil && card.Slug != "" {
			vm.Card = &templates.MiniCardVM{Name: card.Name, Title: card.Title,
				URL: "/minis/" + card.Slug + card.Path, Icon: "/m/" + card.Slug + "/" + card.Icon}
		}
		vm.Body = ""
	}
	if q, ok := quoted[m.GetString("reply_to")]; ok {
		text := web.OneLine(q.GetString("body"), 80)
		if q.GetBool("recalled") {
			text = "Message recalled"
		} else if text == "" {
			text = "[Attachment]"
		}
		vm.Reply = &templates.Quote{ID: q.Id, Author: account.Face(people, q.GetString("author")).Name, Text: text}
	}
	for _, name := range m.GetStringSlice("attachments") {
		vm.Attachments = append(vm.Attachments, attachmentView(m, name))
	}
	return vm
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func isoTime(d types.DateTime) string { return d.Time().UTC().Format(time.RFC3339) }

func dayLabel(d types.DateTime) string { return d.Time().UTC().Format("Mon 2 Jan 2006") }

// attachmentView links a file through Plaza's member-checked route.
func attachmentView(m *core.Record, name string) templates.Attachment {
	base := "/chats/" + m.GetString("room") + "/files/" + m.Id + "/" + name
	a := templates.Attachment{Name: originalName(name), URL: base}
	if isImageName(name) {
		a.ThumbURL = base + "?thumb=480x0"
	}
	return a
}

// originalName drops the random suffix PocketBase adds to stored file names.
func originalName(stored string) string {
	dot := strings.LastIndex(stored, ".")
	stem, ext := stored, ""
	if dot > 0 {
		stem, ext = stored[:dot], stored[dot:]
	}
	if i := strings.LastIndex(stem, "_"); i > 0 && len(stem)-i == 11 {
		stem = stem[:i]
	}
	return stem + ext
}

func isImageName(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".gif", ".webp"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}
