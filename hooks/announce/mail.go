package announce

import (
	"bytes"
	"context"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"plaza/hooks/web"
	"plaza/templates"
)

// Email copies go one per member (nobody sees the others' addresses) through
// PocketBase's mailer, in batches with a pause between them so a small SMTP
// relay isn't flooded, on a goroutine of their own: publishing doesn't wait.
var (
	mailBatch = 50
	mailPause = 2 * time.Second
)

// canEmail reports whether the server can send mail.
func canEmail(app core.App) bool { return app.Settings().SMTP.Enabled }

// outgoing is an announcement's email, the same for every member.
type outgoing struct {
	subject, html, text string
	id                  string // the announcement, for the log
}

// mailOf renders an announcement's email copy.
func mailOf(app core.App, a *core.Record, roomID string) outgoing {
	org := web.OrgInfo(app).Name
	url := strings.TrimRight(app.Settings().Meta.AppURL, "/") + "/chats/" + roomID
	vm := templates.AnnouncementEmailVM{Org: org, Title: a.GetString("title"), Body: a.GetString("body"),
		Image: a.GetString("image") != "", URL: url}
	out := outgoing{id: a.Id, subject: org + ": " + subjectLine(vm.Title, vm.Body)}
	var buf bytes.Buffer
	if err := templates.AnnouncementEmail(vm).Render(context.Background(), &buf); err != nil {
		// The text part still carries it.
		app.Logger().Error("announce: rendering the email failed", "announcement", a.Id, "error", err)
	}
	out.html = buf.String()
	var text strings.Builder
	if vm.Title != "" {
		text.WriteString(vm.Title + "\n\n")
	}
	text.WriteString(vm.Body + "\n\n")
	if vm.Image {
		text.WriteString("This announcement has a picture: see it in Plaza.\n")
	}
	text.WriteString("Read it in Plaza: " + url + "\n")
	out.text = text.String()
	return out
}

// subjectLine is the title, else the start of the text.
func subjectLine(title, body string) string {
	s := title
	if s == "" {
		s = strings.Join(strings.Fields(strings.Trim(body, "#*_> \n")), " ")
	}
	s = web.Clip(s, 80)
	if s == "" {
		s = "Announcement"
	}
	return s
}

const mailingKey = "plaza.announce.mailing"

// mailing counts email runs still going, so shutdown can let them finish.
func mailing(app core.App) *sync.WaitGroup {
	return app.Store().GetOrSet(mailingKey, func() any { return &sync.WaitGroup{} }).(*sync.WaitGroup)
}

// startMailing emails every active member in the background.
func startMailing(app core.App, out outgoing) {
	wg := mailing(app)
	wg.Add(1)
	go func() {
		defer wg.Done()
		sendToMembers(app, out)
	}()
}

// waitForMail lets running email copies finish, for a while, on shutdown.
func waitForMail(app core.App) {
	done := make(chan struct{})
	go func() {
		mailing(app).Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		app.Logger().Warn("announce: stopped before every email copy was sent")
	}
}

// sendToMembers sends out to each active member; failures are logged and
// the rest still go.
func sendToMembers(app core.App, out outgoing) {
	var to []struct {
		Email string `db:"email"`
		Name  string `db:"name"`
	}
	err := app.DB().NewQuery("SELECT email, name FROM users WHERE status = 'active' AND email != '' ORDER BY created").All(&to)
	if err != nil {
		app.Logger().Error("announce: listing members to email failed", "announcement", out.id, "error", err)
		return
	}
	meta := app.Settings().Meta
	from := mail.Address{Name: meta.SenderName, Address: meta.SenderAddress}
	client := app.NewMailClient()
	sent, failed := 0, 0
	var firstErr error
	for i, r := range to {
		if i > 0 && i%mailBatch == 0 {
			if sent == 0 {
				break // a whole batch failed: the mail server is down or refusing us
			}
			time.Sleep(mailPause)
		}
		err := client.Send(&mailer.Message{
			From:    from,
			To:      []mail.Address{{Name: r.Name, Address: r.Email}},
			Subject: out.subject,
			HTML:    out.html,
			Text:    out.text,
		})
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		sent++
	}
	if firstErr != nil || sent < len(to) {
		app.Logger().Error("announce: some email copies were not sent", "announcement", out.id,
			"members", len(to), "sent", sent, "failed", failed, "error", firstErr)
		return
	}
	app.Logger().Info("announce: email copies sent", "announcement", out.id, "sent", sent)
}
