package moderation

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// Register binds reporting and the moderation queue.
func Register(app core.App) {
	web.OnHold(app, holdForReview)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/reports/new", showReportForm)
		pages.POST("/reports", fileReport)
		pages.GET("/admin/reports", showQueue)
		pages.POST("/admin/reports/{reportId}/{action}", actOnReport)
		pages.GET("/admin/members", showMembers)
		pages.POST("/admin/members/{userId}/{action}", actOnMember)
		pages.GET("/admin/invites", showInvites)
		pages.POST("/admin/invites", createInvite)
		pages.POST("/admin/invites/{inviteId}/revoke", revokeInvite)
		return se.Next()
	})
}

var reasonLabels = map[string]string{
	"spam": "Spam or advertising", "harassment": "Harassment or bullying", "hate": "Hate speech",
	"violence": "Violence or threats", "sexual": "Sexual content", "scam": "Scam or fraud", "other": "Something else",
}

func reasonChoices() []templates.Choice {
	var out []templates.Choice
	for _, r := range Reasons {
		out = append(out, templates.Choice{ID: r, Label: reasonLabels[r]})
	}
	return out
}

var whatLabels = map[string]string{
	"messages": "this message", "posts": "this moment", "post_comments": "this comment",
	"listings": "this listing", "users": "this member", "minis": "this mini-program",
}

// showReportForm is GET /reports/new?target=collection:id.
func showReportForm(e *core.RequestEvent) error {
	t, err := ParseTarget(e.Request.URL.Query().Get("target"))
	if err != nil {
		return e.NotFoundError(err.Error(), nil)
	}
	if _, _, err := resolve(e.App, e.Auth.Id, t); err != nil {
		return e.NotFoundError(err.Error(), nil)
	}
	return renderReportForm(e, http.StatusOK, templates.ReportFormVM{Target: t.String()})
}

func renderReportForm(e *core.RequestEvent, status int, vm templates.ReportFormVM) error {
	t, _ := ParseTarget(vm.Target)
	vm.What, vm.Back, vm.Reasons = whatLabels[t.Collection], back(e), reasonChoices()
	vm.Chrome = web.Chrome(e, "")
	return web.Render(e, status, templates.ReportFormPage(vm))
}

// back is where the form's back arrow leads: the page the member came from.
func back(e *core.RequestEvent) string {
	if ref, err := url.Parse(e.Request.Referer()); err == nil && ref.Path != "" {
		return web.SafeNext(ref.RequestURI(), "/chats")
	}
	return "/chats"
}

// fileReport is POST /reports (target, reason, note).
func fileReport(e *core.RequestEvent) error {
	if err := e.Request.ParseForm(); err != nil {
		return e.BadRequestError("The form could not be read. Try again.", err)
	}
	f := e.Request.PostForm
	vm := templates.ReportFormVM{Target: f.Get("target"), Reason: f.Get("reason"), Note: strings.TrimSpace(f.Get("note"))}
	t, err := ParseTarget(vm.Target)
	if err != nil {
		return e.NotFoundError(err.Error(), nil)
	}
	if !slices.Contains(Reasons, vm.Reason) {
		vm.Errors.Add("reason", "What's wrong", "Choose what's wrong.")
	}
	if utf8.RuneCountInString(vm.Note) > 500 {
		vm.Errors.Add("note", "Note", "Keep the note under 500 characters.")
	}
	if vm.Errors.Any() {
		return renderReportForm(e, http.StatusUnprocessableEntity, vm)
	}
	switch _, err := Report(e.App, e.Auth.Id, t, vm.Reason, vm.Note); {
	case errors.Is(err, errNoTarget):
		return e.NotFoundError(err.Error(), nil)
	case errors.Is(err, errOwn):
		vm.Errors.Add("", "Report", err.Error())
		return renderReportForm(e, http.StatusUnprocessableEntity, vm)
	case err != nil:
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Thanks. Moderators will look at your report.")
	return web.SeeOther(e, web.SafeNext(f.Get("back"), "/chats"))
}

// moderatorOnly refuses members who aren't moderators or admins.
func moderatorOnly(e *core.RequestEvent) error {
	if !IsModerator(e.Auth) {
		return e.ForbiddenError("Only moderators can see reports.", nil)
	}
	return nil
}

// showQueue is GET /admin/reports (?state=actioned|dismissed).
func showQueue(e *core.RequestEvent) error {
	if err := moderatorOnly(e); err != nil {
		return err
	}
	state := e.Request.URL.Query().Get("state")
	if state != "actioned" && state != "dismissed" {
		state = "open"
	}
	items, err := queue(e.App, state)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.QueueVM{State: state, Items: items}
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, http.StatusOK, templates.QueuePage(vm))
}

// actOnReport is POST /admin/reports/{reportId}/{dismiss,hide,suspend,restore} (why).
func actOnReport(e *core.RequestEvent) error {
	if err := moderatorOnly(e); err != nil {
		return err
	}
	action := e.Request.PathValue("action")
	if !slices.Contains([]string{ActDismiss, ActHide, ActSuspend, ActRestore}, action) {
		return e.NotFoundError("", nil)
	}
	r, err := e.App.FindRecordById("reports", e.Request.PathValue("reportId"))
	if err != nil {
		return e.NotFoundError("", err)
	}
	why := strings.TrimSpace(e.Request.FormValue("why"))
	if why == "" || utf8.RuneCountInString(why) > 500 {
		web.FlashError(e, "Say why (up to 500 characters): every action is logged with its reason.")
		return web.SeeOther(e, "/admin/reports")
	}
	t := Target{r.GetString("target_collection"), r.GetString("target_id")}
	switch err := Act(e.App, e.Auth, t, action, why); {
	case errors.Is(err, errNoTarget), errors.Is(err, errCantSuspend):
		web.FlashError(e, err.Error())
	case err != nil:
		return e.InternalServerError("", err)
	default:
		web.Flash(e, map[string]string{ActDismiss: "Dismissed.", ActHide: "Hidden.", ActSuspend: "Suspended.", ActRestore: "Restored."}[action])
	}
	return web.SeeOther(e, "/admin/reports")
}
