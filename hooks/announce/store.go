package announce

import (
	"mime/multipart"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"plaza/hooks/account"
	"plaza/hooks/chat"
	"plaza/hooks/web"
	"plaza/templates"
)

// Draft is an announcement about to be published: its text is checked, and
// Image, if any, is one picture of at most 10 MB named by its sniffed type.
type Draft struct {
	Title string
	Body  string // markdown
	Image *multipart.FileHeader
	Email bool // also email every active member (when SMTP is set up)
}

// Publish posts an announcement into the organisation's channel as a
// message from author shown as the organisation (stored, numbered, live on
// every member's open tabs, replayed on reconnect, counted unread), records
// it in announcements and, when asked and SMTP is set up, starts emailing
// every active member in the background. A mail failure never fails it.
func Publish(app core.App, author *core.Record, d Draft) (*core.Record, error) {
	room, err := chat.Channel(app, web.OrgInfo(app).Name, author.Id)
	if err != nil {
		return nil, err
	}
	c, err := app.FindCachedCollectionByNameOrId("announcements")
	if err != nil {
		return nil, err
	}
	a := core.NewRecord(c)
	a.Set("title", d.Title)
	a.Set("body", d.Body)
	a.Set("author", author.Id)
	msg := chat.Draft{Author: author.Id, Kind: "text", Body: messageBody(d.Title, d.Body), Official: true}
	if d.Image != nil {
		// Two copies: the message's is what members see (behind chat's
		// membership check); the announcement keeps its own.
		kept, err := filesystem.NewFileFromMultipart(d.Image)
		if err != nil {
			return nil, err
		}
		shown, err := filesystem.NewFileFromMultipart(d.Image)
		if err != nil {
			return nil, err
		}
		a.Set("image", kept)
		msg.Files, msg.Kind = []*filesystem.File{shown}, "image"
	}
	if err := app.Save(a); err != nil {
		return nil, err
	}
	m, _, err := chat.Send(app, room.Id, msg)
	if err != nil {
		if derr := app.Delete(a); derr != nil {
			app.Logger().Error("announce: removing an unsent announcement failed", "announcement", a.Id, "error", derr)
		}
		return nil, err
	}
	emailed := d.Email && canEmail(app)
	a.Set("message", m.Id)
	a.Set("emailed", emailed)
	if err := app.Save(a); err != nil {
		// The message is out; only the admin page's link to it is missing.
		app.Logger().Error("announce: linking an announcement to its message failed", "announcement", a.Id, "error", err)
	}
	if emailed {
		startMailing(app, mailOf(app, a, room.Id))
	}
	return a, nil
}

// messageBody is the announcement as the channel shows it: the title, if
// any, as a bold first line.
func messageBody(title, body string) string {
	if title == "" {
		return body
	}
	return "**" + title + "**\n\n" + body
}

// syncChannel, at start, brings an existing channel up to date: members who
// became active while no hook saw it (imports, an older Plaza) join it, and
// it takes the organisation's current name.
func syncChannel(app core.App) {
	room, err := chat.FindChannel(app)
	if err == nil && room != nil {
		_, err = chat.Channel(app, web.OrgInfo(app).Name, "")
	}
	if err != nil {
		app.Logger().Error("announce: bringing the organisation's channel up to date failed", "error", err)
	}
}

// activeMembers counts who reads announcements.
func activeMembers(app core.App) (int, error) {
	var n int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM users WHERE status = 'active'").Row(&n)
	return n, err
}

// past lists the newest announcements for the admin page.
func past(app core.App, limit int) ([]templates.AnnouncementItem, error) {
	recs, err := app.FindRecordsByFilter("announcements", "", "-created", limit, 0)
	if err != nil {
		return nil, err
	}
	var authors, msgIDs []string
	for _, r := range recs {
		authors = append(authors, r.GetString("author"))
		if id := r.GetString("message"); id != "" {
			msgIDs = append(msgIDs, id)
		}
	}
	people, err := account.PeopleByID(app, authors)
	if err != nil {
		return nil, err
	}
	msgs := map[string]*core.Record{}
	if len(msgIDs) > 0 {
		found, err := app.FindRecordsByIds("messages", msgIDs)
		if err != nil {
			return nil, err
		}
		for _, m := range found {
			msgs[m.Id] = m
		}
	}
	out := make([]templates.AnnouncementItem, 0, len(recs))
	for _, r := range recs {
		it := templates.AnnouncementItem{
			ID: r.Id, Title: r.GetString("title"), Body: r.GetString("body"), Emailed: r.GetBool("emailed"),
			At:     r.GetDateTime("created").Time().UTC().Format(time.RFC3339),
			Author: "Deleted member",
		}
		if p, ok := people[r.GetString("author")]; ok {
			it.Author = p.Name
		}
		if m, ok := msgs[r.GetString("message")]; ok && !m.GetBool("recalled") {
			base := "/chats/" + m.GetString("room")
			it.Link = base + "#m-" + m.Id
			if files := m.GetStringSlice("attachments"); len(files) > 0 {
				// Through chat's member-checked file route, like in the channel.
				it.ImageURL = base + "/files/" + m.Id + "/" + files[0] + "?thumb=160x160"
			}
		}
		out = append(out, it)
	}
	return out, nil
}
