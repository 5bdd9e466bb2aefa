package moderation

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
	"plaza/hooks/web"
	"plaza/templates"
)

// The organisation's admin pages (users.role = admin): members — the
// approval queue when sign-up needs approval, roles, suspensions — and
// invite codes.

func adminOnly(e *core.RequestEvent) error {
	if e.Auth.GetString("role") != account.RoleAdmin {
		return e.ForbiddenError("Only the organisation's admins can do that.", nil)
	}
	return nil
}

// showMembers is GET /admin/members (?status=pending|active|suspended, q=).
func showMembers(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	q := e.Request.URL.Query()
	vm := templates.MembersAdminVM{Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")),
		Approval: web.RegistrationMode(e.App) == web.RegistrationApproval}
	if vm.Status != "active" && vm.Status != "suspended" && vm.Status != "pending" {
		vm.Status = "pending"
		if n, _ := e.App.CountRecords("users", dbx.HashExp{"status": "pending"}); n == 0 {
			vm.Status = "active"
		}
	}
	filter, params := "status = {:s}", dbx.Params{"s": vm.Status}
	if vm.Query != "" {
		filter += " && (name ~ {:q} || email ~ {:q})"
		params["q"] = vm.Query
	}
	users, err := e.App.FindRecordsByFilter("users", filter, "-created", 200, 0, params)
	if err != nil {
		return e.InternalServerError("", err)
	}
	for _, u := range users {
		vm.Members = append(vm.Members, templates.MemberRow{Person: web.Person(u), Email: u.Email(), Role: u.GetString("role"),
			Joined: u.GetDateTime("created").Time().UTC().Format("2 Jan 2006"), Self: u.Id == e.Auth.Id})
	}
	for _, st := range []string{"pending", "active", "suspended"} {
		n, _ := e.App.CountRecords("users", dbx.HashExp{"status": st})
		vm.Counts = append(vm.Counts, int(n))
	}
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, http.StatusOK, templates.MembersAdminPage(vm))
}

// actOnMember is POST /admin/members/{userId}/{approve,reject,suspend,restore,role}.
func actOnMember(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	u, err := e.App.FindRecordById("users", e.Request.PathValue("userId"))
	if err != nil {
		return e.NotFoundError("", err)
	}
	back := "/admin/members?status=" + u.GetString("status")
	if u.Id == e.Auth.Id {
		web.FlashError(e, "You can't change your own account here: ask another admin.")
		return web.SeeOther(e, back)
	}
	t := Target{"users", u.Id}
	switch action := e.Request.PathValue("action"); action {
	case "approve":
		if u.GetString("status") != "pending" {
			break
		}
		if err := setStatus(e.App, u.Id, "active"); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, u.GetString("name")+" can now sign in.")
	case "reject":
		if u.GetString("status") != "pending" {
			break
		}
		if err := e.App.Delete(u); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, "Sign-up request removed.")
	case "suspend", "restore":
		why := strings.TrimSpace(e.Request.FormValue("why"))
		if why == "" {
			why = "from the members page"
		}
		act := ActSuspend
		if action == "restore" {
			act = ActRestore
		}
		if err := Act(e.App, e.Auth, t, act, why); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, map[string]string{"suspend": "Suspended.", "restore": "Restored."}[action])
	case "role":
		role := e.Request.FormValue("role")
		if role != account.RoleMember && role != account.RoleModerator && role != account.RoleAdmin {
			return e.BadRequestError("Choose member, moderator or admin.", nil)
		}
		u.Set("role", role)
		if err := e.App.Save(u); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, u.GetString("name")+" is now "+role+".")
	default:
		return e.NotFoundError("", nil)
	}
	return web.SeeOther(e, back)
}

// showInvites is GET /admin/invites.
func showInvites(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	return renderInvites(e, http.StatusOK, templates.InvitesVM{Uses: "10", Days: "30"})
}

func renderInvites(e *core.RequestEvent, status int, vm templates.InvitesVM) error {
	recs, err := e.App.FindRecordsByFilter("invites", "", "-created", 200, 0)
	if err != nil {
		return e.InternalServerError("", err)
	}
	now := time.Now()
	for _, r := range recs {
		row := templates.InviteRow{ID: r.Id, Code: r.GetString("code"), UsesLeft: r.GetInt("uses_left"), Note: r.GetString("note")}
		if exp := r.GetDateTime("expires"); !exp.IsZero() {
			row.Expires = exp.Time().UTC().Format("2 Jan 2006")
			row.Expired = exp.Time().Before(now)
		}
		vm.Invites = append(vm.Invites, row)
	}
	vm.Mode = web.RegistrationMode(e.App)
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, status, templates.InvitesPage(vm))
}

// createInvite is POST /admin/invites (uses, days, note).
func createInvite(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	vm := templates.InvitesVM{Uses: strings.TrimSpace(e.Request.FormValue("uses")), Days: strings.TrimSpace(e.Request.FormValue("days")),
		Note: strings.TrimSpace(e.Request.FormValue("note"))}
	uses, err := strconv.Atoi(vm.Uses)
	if err != nil || uses < 1 || uses > 10000 {
		vm.Errors.Add("uses", "Uses", "Enter how many people may use it: 1 to 10,000.")
	}
	days, err := strconv.Atoi(vm.Days)
	if vm.Days != "" && (err != nil || days < 1 || days > 365) {
		vm.Errors.Add("days", "Valid for", "Enter 1 to 365 days, or leave it empty for no end.")
	}
	if len([]rune(vm.Note)) > 200 {
		vm.Errors.Add("note", "Note", "Keep the note under 200 characters.")
	}
	if vm.Errors.Any() {
		return renderInvites(e, http.StatusUnprocessableEntity, vm)
	}
	c, err := e.App.FindCachedCollectionByNameOrId("invites")
	if err != nil {
		return e.InternalServerError("", err)
	}
	inv := core.NewRecord(c)
	inv.Set("code", inviteCode())
	inv.Set("created_by", e.Auth.Id)
	inv.Set("uses_left", uses)
	inv.Set("note", vm.Note)
	if vm.Days != "" {
		exp, _ := types.ParseDateTime(time.Now().AddDate(0, 0, days))
		inv.Set("expires", exp)
	}
	if err := e.App.Save(inv); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Invite "+inv.GetString("code")+" created.")
	return web.SeeOther(e, "/admin/invites")
}

// revokeInvite is POST /admin/invites/{inviteId}/revoke.
func revokeInvite(e *core.RequestEvent) error {
	if err := adminOnly(e); err != nil {
		return err
	}
	inv, err := e.App.FindRecordById("invites", e.Request.PathValue("inviteId"))
	if err != nil {
		return e.NotFoundError("", err)
	}
	inv.Set("uses_left", 0)
	if err := e.App.Save(inv); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Invite "+inv.GetString("code")+" can't be used any more.")
	return web.SeeOther(e, "/admin/invites")
}

// inviteCode is 10 characters people can read out and type.
func inviteCode() string {
	const abc = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = abc[int(b[i])%len(abc)]
	}
	return string(b[:5]) + "-" + string(b[5:])
}
