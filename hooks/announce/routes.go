// Package announce is the organisation's official account: admins publish
// announcements (markdown, an optional picture) that every member reads in
// the organisation's channel, pinned at the top of Chats and delivered live
// like any chat message, with an optional copy by email.
//
// Publishing is for admins (users.role = admin) only: moderators look after
// what members post; speaking as the organisation is the admins' job.
package announce

import (
	"errors"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/chat"
	"plaza/hooks/web"
	"plaza/templates"
)

const (
	maxTitle      = 100
	maxBody       = 5000
	maxImageBytes = 10 << 20
)

// Register binds the admin page, the channel's membership and renaming
// hooks, and waits for email copies still going out on shutdown.
func Register(app core.App) {
	bindHooks(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/admin/announcements", showAnnouncements)
		pages.POST("/admin/announcements", publishAnnouncement)
		syncChannel(se.App)
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		waitForMail(e.App)
		return e.Next()
	})
}

// adminOnly refuses everyone but the organisation's admins.
func adminOnly(e *core.RequestEvent) error {
	if e.Auth.GetString("role") != account.RoleAdmin {
		return e.ForbiddenError("Only the organisation's admins publish announcements.", nil)
	}
	return nil
}

// showAnnouncements is GET /admin/announcements.
func showAnnouncements(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	return render(e, http.StatusOK, templates.AnnouncementsVM{})
}

func render(e *core.RequestEvent, status int, vm templates.AnnouncementsVM) error {
	var err error
	if vm.Past, err = past(e.App, 50); err != nil {
		return e.InternalServerError("", err)
	}
	if vm.Members, err = activeMembers(e.App); err != nil {
		return e.InternalServerError("", err)
	}
	room, err := chat.FindChannel(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if room != nil {
		vm.ChannelURL = "/chats/" + room.Id
	}
	vm.CanEmail = canEmail(e.App)
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, status, templates.AnnouncementsPage(vm))
}

// publishAnnouncement is POST /admin/announcements (title, body, image,
// email). Bad input brings the form back with the text kept and nothing
// stored.
func publishAnnouncement(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	uploads, upErr := web.Uploads(e, "image")
	d := Draft{
		Title: strings.TrimSpace(e.Request.FormValue("title")),
		Body:  strings.TrimSpace(e.Request.FormValue("body")),
		Email: e.Request.FormValue("email") == "1",
	}
	vm := templates.AnnouncementsVM{Title: d.Title, Body: d.Body, Email: d.Email}
	status := http.StatusUnprocessableEntity
	if tooLarge := new(http.MaxBytesError); errors.As(upErr, &tooLarge) {
		vm.Errors.Add("image", "Picture", "That upload is larger than this server accepts. Choose a picture of at most 10 MB.")
		return render(e, http.StatusRequestEntityTooLarge, vm)
	} else if upErr != nil {
		return e.BadRequestError("The upload could not be read. Try again.", upErr)
	}

	if utf8.RuneCountInString(d.Title) > maxTitle {
		vm.Errors.Add("title", "Title", "Keep the title under 100 characters.")
	}
	switch n := utf8.RuneCountInString(d.Body); {
	case n == 0:
		vm.Errors.Add("body", "Announcement", "Write the announcement first.")
	case n > maxBody:
		vm.Errors.Add("body", "Announcement", "Keep the announcement under 5,000 characters, or split it in two.")
	}
	img, msg, tooBig, err := checkImage(uploads)
	if err != nil {
		return e.BadRequestError("The upload could not be read. Try again.", err)
	}
	if msg != "" {
		vm.Errors.Add("image", "Picture", msg)
		if tooBig {
			status = http.StatusRequestEntityTooLarge
		}
	}
	if vm.Errors.Any() {
		if len(uploads) > 0 && msg == "" {
			vm.Errors.Add("image", "Picture", "Choose the picture again: browsers don't keep it when a form comes back.")
		}
		return render(e, status, vm)
	}
	d.Image = img

	a, err := Publish(e.App, e.Auth, d)
	if err != nil {
		return e.InternalServerError("", err)
	}
	note := "Published: every member has it in their Chats."
	if a.GetBool("emailed") {
		note = "Published. Email copies are going out to every member."
	} else if d.Email {
		note = "Published, but not emailed: this server has no mail settings."
	}
	web.Flash(e, note)
	return web.SeeOther(e, "/admin/announcements")
}

// imageExt names a picture by what it is, so chat shows it as a picture
// whatever the browser called the file.
var imageExt = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}

// imageRule is what an announcement's picture field accepts.
var imageRule = web.UploadRule{
	MaxBytes:    maxImageBytes,
	TooBig:      "“{name}” is larger than 10 MB. Choose a smaller picture.",
	NotAccepted: "“{name}” is not a picture. Use a JPEG, PNG, GIF or WebP image.",
}

// checkImage accepts at most one picture of at most 10 MB (sniffed), or says
// why not; tooBig marks a refusal for size.
func checkImage(uploads []*multipart.FileHeader) (img *multipart.FileHeader, msg string, tooBig bool, err error) {
	switch {
	case len(uploads) == 0:
		return nil, "", false, nil
	case len(uploads) > 1:
		return nil, "Choose one picture.", false, nil
	}
	fh := uploads[0]
	kind, refusal, err := imageRule.Check(fh)
	if err != nil {
		return nil, "", false, err
	}
	if refusal != nil {
		return nil, refusal.Message, refusal.Status == http.StatusRequestEntityTooLarge, nil
	}
	named := *fh
	stem := strings.TrimSuffix(filepath.Base(fh.Filename), filepath.Ext(fh.Filename))
	if stem == "" || stem == "." {
		stem = "picture"
	}
	named.Filename = stem + imageExt[kind]
	return &named, "", false, nil
}
