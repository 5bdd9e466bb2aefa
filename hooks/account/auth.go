package account

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails"

	"plaza/hooks/web"
	"plaza/templates"
)

func showSignIn(e *core.RequestEvent) error {
	return renderSignIn(e, http.StatusOK, templates.SignInVM{Next: web.SafeNext(e.Request.URL.Query().Get("next"), "")})
}

func renderSignIn(e *core.RequestEvent, status int, vm templates.SignInVM) error {
	vm.Chrome = web.Chrome(e, "")
	return web.Render(e, status, templates.SignInPage(vm))
}

func signIn(e *core.RequestEvent) error {
	email := normalizeEmail(e.Request.FormValue("email"))
	vm := templates.SignInVM{Email: email, Next: web.SafeNext(e.Request.FormValue("next"), "")}
	member := authenticate(e.App, email, e.Request.FormValue("password"))
	if member == nil {
		vm.Errors.Add("", "", "Wrong email or password.")
		return renderSignIn(e, http.StatusUnauthorized, vm)
	}
	switch member.GetString("status") {
	case StatusPending:
		if awaitingConfirmation(e.App, member) {
			return unconfirmedSignIn(e, member)
		}
		vm.Errors.Add("", "", "Your account is waiting for an administrator's approval. Try again once you hear back.")
		return renderSignIn(e, http.StatusForbidden, vm)
	case StatusSuspended:
		vm.Errors.Add("", "", "This account is suspended. Contact your organisation's administrators.")
		return renderSignIn(e, http.StatusForbidden, vm)
	}
	if err := web.StartSession(e, member); err != nil {
		return err
	}
	return web.SeeOther(e, web.SafeNext(vm.Next, "/chats"))
}

// signOut signs this browser out: its session ends, so the token stops
// working everywhere. With everywhere=1 every session of the member ends,
// and the token key is renewed so no token they were ever given still works.
func signOut(e *core.RequestEvent) error {
	if e.Auth != nil && e.Request.FormValue("everywhere") == "1" {
		member := e.Auth
		member.RefreshTokenKey() // a new key ends every session (web's users hook)
		if err := e.App.Save(member); err != nil {
			return e.InternalServerError("", err)
		}
	}
	web.EndSession(e)
	web.Flash(e, "You are signed out.")
	return web.SeeOther(e, "/signin")
}

func showReset(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.ResetPage(templates.ResetVM{Chrome: web.Chrome(e, "")}))
}

// requestReset mails a reset link when the account exists, and answers the
// same either way so the form does not reveal who is a member.
func requestReset(e *core.RequestEvent) error {
	email := normalizeEmail(e.Request.FormValue("email"))
	if !validEmail(email) {
		vm := templates.ResetVM{Chrome: web.Chrome(e, ""), Email: email}
		vm.Errors.Add("email", "Email", "Enter a valid email address, like name@example.org.")
		return web.Render(e, http.StatusUnprocessableEntity, templates.ResetPage(vm))
	}
	if member, err := e.App.FindAuthRecordByEmail("users", email); err == nil && (member.GetString("status") == web.StatusActive || awaitingConfirmation(e.App, member)) {
		if err := mails.SendRecordPasswordReset(e.App, member); err != nil {
			e.App.Logger().Error("password reset email failed", "member", member.Id, "error", err)
		}
	}
	return web.Render(e, http.StatusOK, templates.NoticePage(templates.NoticeVM{
		Chrome:   web.Chrome(e, ""),
		Title:    "Check your email",
		Message:  "If an account exists for " + email + ", we have sent it a link to choose a new password. The link works for a limited time.",
		LinkHref: "/signin", LinkLabel: "Back to sign in",
	}))
}

func resetMember(e *core.RequestEvent) (*core.Record, error) {
	member, err := e.App.FindAuthRecordByToken(e.Request.PathValue("token"), core.TokenTypePasswordReset)
	if err != nil || member.Collection().Name != "users" {
		return nil, e.BadRequestError("This reset link has expired or was already used. Ask for a new one from the sign-in page.", err)
	}
	return member, nil
}

func showNewPassword(e *core.RequestEvent) error {
	if _, err := resetMember(e); err != nil {
		return err
	}
	return web.Render(e, http.StatusOK, templates.NewPasswordPage(templates.NewPasswordVM{
		Chrome: web.Chrome(e, ""), Token: e.Request.PathValue("token"),
	}))
}

func setNewPassword(e *core.RequestEvent) error {
	member, err := resetMember(e)
	if err != nil {
		return err
	}
	vm := templates.NewPasswordVM{Chrome: web.Chrome(e, ""), Token: e.Request.PathValue("token")}
	pw := e.Request.FormValue("password")
	checkPassword(pw, &vm.Errors)
	if !vm.Errors.Any() && pw != e.Request.FormValue("confirm") {
		vm.Errors.Add("confirm", "Repeat new password", "The two passwords differ. Type the same password twice.")
	}
	if vm.Errors.Any() {
		return web.Render(e, http.StatusUnprocessableEntity, templates.NewPasswordPage(vm))
	}
	member.SetPassword(pw) // also renews the token key: old sessions and this link stop working
	// The link came by email, so the address is proven too.
	confirmAddress(e.App, member)
	if err := e.App.Save(member); err != nil {
		return e.InternalServerError("", err)
	}
	if member.GetString("status") != web.StatusActive {
		web.Flash(e, "Your password is changed.")
		return web.SeeOther(e, "/signin")
	}
	if err := web.StartSession(e, member); err != nil {
		return err
	}
	web.Flash(e, "Your password is changed.")
	return web.SeeOther(e, "/chats")
}
