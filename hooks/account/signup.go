package account

import (
	"bytes"
	"database/sql"
	"errors"
	"html/template"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/security"
	"golang.org/x/crypto/bcrypt"

	"plaza/hooks/web"
	"plaza/templates"
)

// Sign-up answers the same whether or not the email already has an account,
// as the password reset form does: with mail (SMTP) set up, a new account
// waits for its owner to open the link emailed to them (the account is
// pending and unverified until then), and the owner of an existing account
// is emailed instead, so the page never tells a visitor who is a member.
// Without mail Plaza can't reach anyone: a new account is signed in at once
// and a taken email is said so (sign-up is rate-limited).

// bindSignUpAPI closes PocketBase's own verification endpoints for members:
// confirming goes through /signup/confirm (which also activates the
// account), and resending through /signup/resend (which caps mail per
// address).
func bindSignUpAPI(app core.App) {
	refuse := func(e *core.RequestEvent) error {
		return e.ForbiddenError("Members confirm their email from the link Plaza sends them.", nil)
	}
	app.OnRecordRequestVerificationRequest("users").BindFunc(func(e *core.RecordRequestVerificationRequestEvent) error {
		return refuse(e.RequestEvent)
	})
	app.OnRecordConfirmVerificationRequest("users").BindFunc(func(e *core.RecordConfirmVerificationRequestEvent) error {
		return refuse(e.RequestEvent)
	})
}

// mailOn reports whether Plaza can email members (SMTP is set up).
func mailOn(app core.App) bool { return app.Settings().SMTP.Enabled }

// awaitingConfirmation: the account was made with mail on and its owner
// hasn't opened the confirmation link yet.
func awaitingConfirmation(app core.App, m *core.Record) bool {
	return m.GetString("status") == StatusPending && !m.Verified() && mailOn(app)
}

// confirmAddress marks member's email as proven (by a confirmation or
// password reset link); an account that waited only for that becomes
// active, one that waits for approval stays pending. The caller saves.
func confirmAddress(app core.App, member *core.Record) {
	if member.Verified() {
		return
	}
	member.SetVerified(true)
	if member.GetString("status") == StatusPending && web.RegistrationMode(app) != web.RegistrationApproval {
		member.Set("status", web.StatusActive)
	}
}

func showSignUp(e *core.RequestEvent) error {
	return renderSignUp(e, http.StatusOK, templates.SignUpVM{Invite: e.Request.URL.Query().Get("invite")})
}

func renderSignUp(e *core.RequestEvent, status int, vm templates.SignUpVM) error {
	mode := web.RegistrationMode(e.App)
	vm.Chrome = web.Chrome(e, "")
	vm.InviteRequired = mode == web.RegistrationInvite
	vm.NeedsApproval = mode == web.RegistrationApproval
	vm.ConfirmByMail = mailOn(e.App)
	return web.Render(e, status, templates.SignUpPage(vm))
}

func readSignUpForm(e *core.RequestEvent) SignUp {
	return SignUp{
		Name:     strings.TrimSpace(e.Request.FormValue("name")),
		Email:    normalizeEmail(e.Request.FormValue("email")),
		Password: e.Request.FormValue("password"),
		Invite:   strings.TrimSpace(e.Request.FormValue("invite")),
	}
}

func signUp(e *core.RequestEvent) error {
	in := readSignUpForm(e)
	mode := web.RegistrationMode(e.App)
	vm := templates.SignUpVM{Name: in.Name, Email: in.Email, Invite: in.Invite}
	if vm.Errors = validateSignUp(in, mode); vm.Errors.Any() {
		return renderSignUp(e, http.StatusUnprocessableEntity, vm)
	}
	if mailOn(e.App) {
		return signUpByMail(e, in, mode, vm)
	}
	member, err := createMember(e.App, in, mode)
	switch {
	case errors.Is(err, errEmailTaken):
		vm.Errors.Add("email", "Email", "An account with this email already exists. Sign in, or reset your password.")
		return renderSignUp(e, http.StatusConflict, vm)
	case errors.Is(err, errBadInvite):
		return badInvite(e, vm)
	case err != nil:
		return e.InternalServerError("", err)
	}
	if member.GetString("status") == StatusPending {
		return waitingForApproval(e, http.StatusCreated, "Your account was created and is waiting for an administrator's approval. You can sign in once it is approved.")
	}
	if err := web.StartSession(e, member); err != nil {
		return err
	}
	web.Flash(e, "Welcome to "+web.OrgInfo(e.App).Name+", "+member.GetString("name")+"!")
	return web.SeeOther(e, "/me")
}

func badInvite(e *core.RequestEvent, vm templates.SignUpVM) error {
	vm.Errors.Add("invite", "Invite code", "This invite code is unknown, expired or used up. Check it, or ask for a new one.")
	return renderSignUp(e, http.StatusUnprocessableEntity, vm)
}

func waitingForApproval(e *core.RequestEvent, status int, msg string) error {
	return web.Render(e, status, templates.NoticePage(templates.NoticeVM{
		Chrome: web.Chrome(e, ""), Title: "Almost there", Message: msg,
		LinkHref: "/signin", LinkLabel: "Go to sign in",
	}))
}

// signUpByMail makes a new account that waits for its email to be
// confirmed, or emails the existing account's owner; the page is the same.
// In invite mode the code is checked (and a use taken) first, either way.
func signUpByMail(e *core.RequestEvent, in SignUp, mode string, vm templates.SignUpVM) error {
	in.ConfirmEmail = true
	member, err := createMember(e.App, in, mode)
	switch {
	case errors.Is(err, errBadInvite):
		return badInvite(e, vm)
	case errors.Is(err, errEmailTaken):
		existing, err := e.App.FindAuthRecordByEmail("users", in.Email)
		if err != nil {
			return e.InternalServerError("", err)
		}
		if mode == web.RegistrationInvite {
			// A new account would have used the invite: so does this answer.
			if err := e.App.RunInTransaction(func(tx core.App) error { return useInvite(tx, in.Invite) }); errors.Is(err, errBadInvite) {
				return badInvite(e, vm) // used up since it was checked
			} else if err != nil {
				return e.InternalServerError("", err)
			}
		}
		// As long as making an account takes (a password hash).
		_ = bcrypt.CompareHashAndPassword(decoyHash(e.App), []byte(in.Password)) // timing only; the result is meaningless
		if existing.GetString("status") != StatusSuspended {
			mailLater(e.App, in.Email, func() error { return sendAlreadyMember(e.App, existing) })
		}
	case err != nil:
		return e.InternalServerError("", err)
	default:
		mailLater(e.App, in.Email, func() error { return mails.SendRecordVerification(e.App, member) })
	}
	return checkYourEmail(e, in.Email)
}

// checkYourEmail is the answer to every sign-up and resend with mail on.
func checkYourEmail(e *core.RequestEvent, email string) error {
	return web.Render(e, http.StatusOK, templates.NoticePage(templates.NoticeVM{
		Chrome: web.Chrome(e, ""),
		Title:  "Check your email",
		Message: "We have sent a message to " + email + ". Open the link in it to finish creating your account. " +
			"If you already have an account with this address, the message tells you how to sign in.",
		LinkHref: "/signin", LinkLabel: "Go to sign in",
	}))
}

// Sign-up emails leave in the background, so the answer takes as long
// whichever email went out; mailPerAddress keeps one address from being
// flooded through the sign-up and resend forms.
var (
	mailing        sync.WaitGroup
	mailPerAddress = web.NewLimiter(3, 1.0/600) // 3 at once, then one per 10 minutes
)

func mailLater(app core.App, address string, send func() error) {
	if !mailPerAddress.Allow(address, time.Now()) {
		app.Logger().Warn("sign-up email not sent: too many for this address lately")
		return
	}
	mailing.Add(1)
	go func() {
		defer mailing.Done()
		if err := send(); err != nil {
			app.Logger().Error("sign-up email not sent", "error", err)
		}
	}()
}

var alreadyMemberMail = template.Must(template.New("").Parse(`<p>Hello {{.Name}},</p>
<p>Someone tried to create a new {{.Org}} account with this email address. You already have an account, so no new one was made.</p>
{{if .Reset}}<p>Your account's email was never confirmed. If the account is yours, or to take this address over, choose a password with this link:</p>
<p><a class="btn" href="{{.Reset}}" target="_blank" rel="noopener">Choose a password</a></p>
{{else}}<p>If it was you: <a href="{{.URL}}/signin">sign in</a>, or if you forgot your password, <a href="{{.URL}}/reset">reset your password</a>.</p>
{{end}}<p><i>If it wasn't you, ignore this email: nothing has changed.</i></p>`))

// sendAlreadyMember tells an existing account's owner that someone tried to
// sign up with their address. An account still waiting for confirmation
// gets a password link instead, which proves the address when used (the
// first sign-up may have been someone else's).
func sendAlreadyMember(app core.App, member *core.Record) error {
	base := strings.TrimRight(app.Settings().Meta.AppURL, "/")
	data := struct{ Name, Org, URL, Reset string }{Name: member.GetString("name"), Org: web.OrgInfo(app).Name, URL: base}
	if awaitingConfirmation(app, member) {
		token, err := member.NewPasswordResetToken()
		if err != nil {
			return err
		}
		data.Reset = base + "/reset/" + token
	}
	var body bytes.Buffer
	if err := alreadyMemberMail.Execute(&body, data); err != nil {
		return err
	}
	meta := app.Settings().Meta
	return app.NewMailClient().Send(&mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      []mail.Address{{Address: member.Email()}},
		Subject: "Someone tried to sign up to " + data.Org + " with your email",
		HTML:    body.String(),
	})
}

// confirmTarget finds the account a confirmation link is for: a
// verification token for a member, issued for the email they still have.
func confirmTarget(e *core.RequestEvent) (*core.Record, error) {
	token := e.Request.PathValue("token")
	member, err := e.App.FindAuthRecordByToken(token, core.TokenTypeVerification)
	if err == nil && member.Collection().Name != "users" {
		err = errors.New("not a member's token")
	}
	if err == nil {
		claims, _ := security.ParseUnverifiedJWT(token)
		if email, _ := claims[core.TokenClaimEmail].(string); email != member.Email() {
			err = errors.New("the account's email changed since")
		}
	}
	if err != nil {
		return nil, e.BadRequestError("This confirmation link has expired or is broken. Sign in to have a new one sent.", err)
	}
	return member, nil
}

// showConfirm is GET /signup/confirm/{token}: the emailed link opens a page
// with one button, so nothing happens by merely fetching the link (mail
// scanners do).
func showConfirm(e *core.RequestEvent) error {
	member, err := confirmTarget(e)
	if err != nil {
		return err
	}
	if member.Verified() {
		return alreadyConfirmed(e)
	}
	return web.Render(e, http.StatusOK, templates.ConfirmEmailPage(templates.ConfirmEmailVM{
		Chrome: web.Chrome(e, ""), Title: "Confirm your email",
		Message: "Confirm " + member.Email() + " to finish creating your account, " + member.GetString("name") + ".",
		Action:  "/signup/confirm/" + e.Request.PathValue("token"), Button: "Confirm and continue",
	}))
}

func alreadyConfirmed(e *core.RequestEvent) error {
	web.Flash(e, "Your email is already confirmed. Sign in to continue.")
	return web.SeeOther(e, "/signin")
}

// confirmEmail is POST /signup/confirm/{token}: the address is proven; the
// member is signed in, or told the account now waits for approval. The link
// signs in only once: afterwards it just says the email is confirmed.
func confirmEmail(e *core.RequestEvent) error {
	member, err := confirmTarget(e)
	if err != nil {
		return err
	}
	if member.Verified() {
		return alreadyConfirmed(e)
	}
	confirmAddress(e.App, member)
	if err := e.App.Save(member); err != nil {
		return e.InternalServerError("", err)
	}
	switch member.GetString("status") {
	case StatusPending:
		return waitingForApproval(e, http.StatusOK, "Your email is confirmed. Your account is waiting for an administrator's approval: you can sign in once it is approved.")
	case web.StatusActive:
		if err := web.StartSession(e, member); err != nil {
			return err
		}
		web.Flash(e, "Welcome to "+web.OrgInfo(e.App).Name+", "+member.GetString("name")+"!")
		return web.SeeOther(e, "/me")
	}
	return alreadyConfirmed(e) // suspended meanwhile: sign-in explains
}

// unconfirmedSignIn answers a correct sign-in to an account still waiting
// for its email to be confirmed: why, and a button to send the link again.
func unconfirmedSignIn(e *core.RequestEvent, member *core.Record) error {
	return web.Render(e, http.StatusForbidden, templates.ConfirmEmailPage(templates.ConfirmEmailVM{
		Chrome: web.Chrome(e, ""), Title: "Confirm your email first",
		Message: "We sent a link to " + member.Email() + " when you signed up. Open it to finish creating your account. " +
			"No email? Check your spam folder, or have it sent again.",
		Action: "/signup/resend", Email: member.Email(), Button: "Send the link again",
	}))
}

// resendConfirmation is POST /signup/resend: a new confirmation link for an
// account still waiting for one. The answer is the same for any address.
func resendConfirmation(e *core.RequestEvent) error {
	email := normalizeEmail(e.Request.FormValue("email"))
	if !validEmail(email) {
		return e.BadRequestError("Enter a valid email address, like name@example.org.", nil)
	}
	if !mailOn(e.App) {
		return e.BadRequestError("This Plaza can't send email. Ask an administrator to confirm your account.", nil)
	}
	member, err := e.App.FindAuthRecordByEmail("users", email)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e.InternalServerError("", err)
	}
	if err == nil && awaitingConfirmation(e.App, member) {
		mailLater(e.App, email, func() error { return mails.SendRecordVerification(e.App, member) })
	}
	return checkYourEmail(e, email)
}
