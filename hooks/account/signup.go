package account

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

func showSignUp(e *core.RequestEvent) error {
	return renderSignUp(e, http.StatusOK, templates.SignUpVM{Invite: e.Request.URL.Query().Get("invite")})
}

func renderSignUp(e *core.RequestEvent, status int, vm templates.SignUpVM) error {
	mode := web.RegistrationMode(e.App)
	vm.Chrome = web.Chrome(e, "")
	vm.InviteRequired = mode == web.RegistrationInvite
	vm.NeedsApproval = mode == web.RegistrationApproval
	return web.Render(e, status, templates.SignUpPage(vm))
}

func signUp(e *core.RequestEvent) error {
	in := SignUp{
		Name:     strings.TrimSpace(e.Request.FormValue("name")),
		Email:    normalizeEmail(e.Request.FormValue("email")),
		Password: e.Request.FormValue("password"),
		Invite:   strings.TrimSpace(e.Request.FormValue("invite")),
	}
	mode := web.RegistrationMode(e.App)
	vm := templates.SignUpVM{Name: in.Name, Email: in.Email, Invite: in.Invite}
	if vm.Errors = validateSignUp(in, mode); vm.Errors.Any() {
		return renderSignUp(e, http.StatusUnprocessableEntity, vm)
	}
	member, err := createMember(e.App, in, mode)
	switch {
	case errors.Is(err, errEmailTaken):
		vm.Errors.Add("email", "Email", "An account with this email already exists. Sign in, or reset your password.")
		return renderSignUp(e, http.StatusConflict, vm)
	case errors.Is(err, errBadInvite):
		vm.Errors.Add("invite", "Invite code", "This invite code is unknown, expired or used up. Check it, or ask for a new one.")
		return renderSignUp(e, http.StatusUnprocessableEntity, vm)
	case err != nil:
		return e.InternalServerError("", err)
	}
	if member.GetString("status") == StatusPending {
		return web.Render(e, http.StatusCreated, templates.NoticePage(templates.NoticeVM{
			Chrome:   web.Chrome(e, ""),
			Title:    "Almost there",
			Message:  "Your account was created and is waiting for an administrator's approval. You can sign in once it is approved.",
			LinkHref: "/signin", LinkLabel: "Go to sign in",
		}))
	}
	if err := web.StartSession(e, member); err != nil {
		return err
	}
	web.Flash(e, "Welcome to "+web.OrgInfo(e.App).Name+", "+member.GetString("name")+"!")
	return web.SeeOther(e, "/me")
}
