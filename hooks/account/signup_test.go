package account_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/mailer"

	"plaza/hooks/account"
	"plaza/hooks/testkit"
)

// withMail turns mail (SMTP) on; the test app's mailer keeps what is sent.
func withMail(s *testkit.Server) {
	s.App.Settings().SMTP.Enabled = true
	s.App.Settings().SMTP.Host = "127.0.0.1"
	s.App.Settings().SMTP.Port = 2525
}

// mailsTo waits for sign-up mail and returns what went to address.
func mailsTo(s *testkit.Server, address string) []*mailer.Message {
	account.WaitSignUpMail()
	var out []*mailer.Message
	for _, m := range s.App.TestMailer.Messages() {
		for _, to := range m.To {
			if to.Address == address {
				out = append(out, m)
			}
		}
	}
	return out
}

var confirmLink = regexp.MustCompile(`/signup/confirm/([A-Za-z0-9._-]+)`)

// notice is a "Check your email" page's text with the address taken out,
// to compare the answers for different addresses.
func notice(p *testkit.Page, email string) string {
	return strings.ReplaceAll(p.Text("[data-testid=notice]"), email, "EMAIL")
}

// TestSignUpConfirmsEmail: with mail set up, a new account waits for its
// owner to open the emailed link; the link's page confirms with a button,
// which signs them in once.
func TestSignUpConfirmsEmail(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	c := s.Client()
	c.Get("/signup").Expect(http.StatusOK, "email you a link to confirm")

	p := c.PostForm("/signup", signUpForm("Nia New", "nia@example.org", "long-enough-pw")).
		Expect(http.StatusOK, "Check your email", "nia@example.org")
	if strings.Contains(p.Header.Get("Set-Cookie"), "plaza_session=ey") {
		t.Fatal("an unconfirmed account got a session")
	}
	nia, err := s.App.FindAuthRecordByEmail("users", "nia@example.org")
	if err != nil || nia.GetString("status") != "pending" || nia.Verified() {
		t.Fatalf("stored %v (%v)", nia, err)
	}
	sent := mailsTo(s, "nia@example.org")
	if len(sent) != 1 {
		t.Fatalf("%d mails to the new member", len(sent))
	}
	link := confirmLink.FindString(sent[0].HTML)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", sent[0].HTML)
	}

	// Signing in first explains, and offers to send the link again.
	in := c.PostForm("/signin", url.Values{"email": {"nia@example.org"}, "password": {"long-enough-pw"}}).
		Expect(http.StatusForbidden, "Confirm your email first", "Send the link again")
	if in.Value("input[name=email]") != "nia@example.org" || !in.Has(`form[action="/signup/resend"]`) {
		t.Error("no resend form for the address")
	}
	c.PostForm("/signin", url.Values{"email": {"nia@example.org"}, "password": {"wrong-password"}}).
		Expect(http.StatusUnauthorized, "Wrong email or password") // the state shows only with the password
	c.PostForm("/signup/resend", url.Values{"email": {"nia@example.org"}}).Expect(http.StatusOK, "Check your email")
	if sent = mailsTo(s, "nia@example.org"); len(sent) != 2 || confirmLink.FindString(sent[1].HTML) == "" {
		t.Fatalf("resend: %d mails", len(sent))
	}
	c.PostForm("/signup/resend", url.Values{"email": {"nobody@example.org"}}).Expect(http.StatusOK, "Check your email")
	if n := len(mailsTo(s, "nobody@example.org")); n != 0 {
		t.Errorf("%d mails to an unknown address", n)
	}

	// Opening the link only shows the button: mail scanners fetch links.
	c.Get(link).Expect(http.StatusOK, "Confirm your email", "Confirm and continue")
	if s.Reload(nia).Verified() {
		t.Fatal("fetching the link confirmed the account")
	}
	done := c.PostForm(link, nil).ExpectRedirect("/me")
	if !strings.Contains(done.Header.Get("Set-Cookie"), "plaza_session=") {
		t.Fatal("no session after confirming")
	}
	c.Follow(done).Expect(http.StatusOK, "Nia New", "Welcome")
	if r := s.Reload(nia); r.GetString("status") != "active" || !r.Verified() {
		t.Errorf("after confirming: status %q verified %v", r.GetString("status"), r.Verified())
	}

	// The link signs in once; later it only says the email is confirmed.
	again := s.Client()
	again.PostForm(link, nil).ExpectRedirect("/signin")
	again.Get("/me").ExpectRedirect("/signin?next=%2Fme")
	again.Get(link).ExpectRedirect("/signin")
	s.Client().PostForm("/signin", url.Values{"email": {"nia@example.org"}, "password": {"long-enough-pw"}}).ExpectRedirect("/chats")

	// Broken and wrong-kind links.
	s.Client().Get("/signup/confirm/not-a-token").Expect(http.StatusBadRequest, "expired or is broken")
	reset, err := s.Reload(nia).NewPasswordResetToken()
	if err != nil {
		t.Fatal(err)
	}
	s.Client().PostForm("/signup/confirm/"+reset, nil).Expect(http.StatusBadRequest, "expired or is broken")
}

// TestSignUpExistingEmail: signing up with a member's email answers exactly
// as for a new one; the member is emailed, nothing else changes.
func TestSignUpExistingEmail(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	olga := s.Member("Olga Old", "olga@example.org")

	taken := s.Client().PostForm("/signup", signUpForm("Mallory", "OLGA@example.org", "long-enough-pw"))
	fresh := s.Client().PostForm("/signup", signUpForm("Pia", "pia@example.org", "long-enough-pw"))
	if taken.Status != http.StatusOK || taken.Status != fresh.Status || notice(taken, "olga@example.org") != notice(fresh, "pia@example.org") {
		t.Fatalf("answers differ: %d %q / %d %q", taken.Status, notice(taken, "olga@example.org"), fresh.Status, notice(fresh, "pia@example.org"))
	}
	if strings.Contains(taken.Body, "already exists") {
		t.Error("the page tells the email is taken")
	}
	if n := s.Count("users", "email = 'olga@example.org'", nil); n != 1 {
		t.Errorf("%d accounts for Olga's email", n)
	}
	sent := mailsTo(s, "olga@example.org")
	if len(sent) != 1 || !strings.Contains(sent[0].Subject, "tried to sign up") ||
		!strings.Contains(sent[0].HTML, s.URL+"/signin") || !strings.Contains(sent[0].HTML, s.URL+"/reset") {
		t.Fatalf("mail to Olga: %+v", sent)
	}
	if confirmLink.MatchString(sent[0].HTML) {
		t.Error("Olga was sent a confirmation link")
	}
	r := s.Reload(olga)
	if r.GetString("name") != "Olga Old" || !r.ValidatePassword(testkit.Password) || r.GetString("status") != "active" {
		t.Error("the sign-up changed Olga's account")
	}
}

// TestSignUpTakesOverUnconfirmed: someone signs up with Vic's address; when
// Vic signs up, Vic's mail carries a password link, which proves the address
// and makes the account Vic's (the first password stops working).
func TestSignUpTakesOverUnconfirmed(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	s.Client().PostForm("/signup", signUpForm("Not Vic", "vic@example.org", "squatter-password")).Expect(http.StatusOK)
	s.Client().PostForm("/signup", signUpForm("Vic", "vic@example.org", "vics-own-password")).Expect(http.StatusOK, "Check your email")
	sent := mailsTo(s, "vic@example.org")
	if len(sent) != 2 {
		t.Fatalf("%d mails to Vic", len(sent))
	}
	link := regexp.MustCompile(`/reset/[A-Za-z0-9._-]+`).FindString(sent[1].HTML)
	if link == "" || !strings.Contains(sent[1].HTML, "never confirmed") {
		t.Fatalf("second mail:\n%s", sent[1].HTML)
	}
	c := s.Client()
	c.PostForm(link, url.Values{"password": {"vics-own-password"}, "confirm": {"vics-own-password"}}).ExpectRedirect("/chats")
	c.Get("/me").Expect(http.StatusOK)
	vic, err := s.App.FindAuthRecordByEmail("users", "vic@example.org")
	if err != nil || vic.GetString("status") != "active" || !vic.Verified() || vic.ValidatePassword("squatter-password") {
		t.Fatalf("after the reset: %v %v", vic, err)
	}
	// The reset form also serves an account still waiting for confirmation.
	s.Client().PostForm("/signup", signUpForm("Wen", "wen@example.org", "long-enough-pw")).Expect(http.StatusOK)
	s.Client().PostForm("/reset", url.Values{"email": {"wen@example.org"}}).Expect(http.StatusOK, "Check your email")
	account.WaitSignUpMail()
	if m := s.App.TestMailer.LastMessage(); m.To[0].Address != "wen@example.org" || !strings.Contains(m.HTML, "/reset/") {
		t.Errorf("no reset mail for the unconfirmed account: %+v", m.To)
	}
}

// TestSignUpInviteChecksCodeFirst: in invite mode a bad code is refused the
// same way whether the email has an account or not, and nobody is mailed; a
// good code with a member's email answers like a new sign-up, taking a use.
func TestSignUpInviteChecksCodeFirst(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	setRegistration(t, s, "invite")
	s.Member("Ivy Invited", "ivy@example.org")
	inv := addInvite(t, s, "GOOD-CODE-1", 5, time.Time{})

	form := func(email, code string) url.Values {
		f := signUpForm("Someone", email, "long-enough-pw")
		f.Set("invite", code)
		return f
	}
	taken := s.Client().PostForm("/signup", form("ivy@example.org", "BAD-CODE")).Expect(http.StatusUnprocessableEntity)
	fresh := s.Client().PostForm("/signup", form("quin@example.org", "BAD-CODE")).Expect(http.StatusUnprocessableEntity)
	if a, b := taken.Text("[data-testid=form-errors]"), fresh.Text("[data-testid=form-errors]"); a != b || !strings.Contains(a, "invite code is unknown") {
		t.Errorf("bad code answers differ: %q / %q", a, b)
	}
	if strings.Contains(taken.Body, "already exists") || taken.Value("#f-email") != "ivy@example.org" {
		t.Error("the page tells the email is taken, or lost it")
	}
	if n := len(mailsTo(s, "ivy@example.org")); n != 0 {
		t.Errorf("%d mails after a bad code", n)
	}

	s.Client().PostForm("/signup", form("ivy@example.org", "GOOD-CODE-1")).Expect(http.StatusOK, "Check your email")
	s.Client().PostForm("/signup", form("quin@example.org", "GOOD-CODE-1")).Expect(http.StatusOK, "Check your email")
	if left := s.Reload(inv).GetInt("uses_left"); left != 3 {
		t.Errorf("uses_left = %d, want 3 (both sign-ups took one)", left)
	}
	if n := len(mailsTo(s, "ivy@example.org")); n != 1 {
		t.Errorf("%d mails to Ivy", n)
	}
	if n := s.Count("users", "", nil); n != 2 {
		t.Errorf("%d accounts, want Ivy and Quin", n)
	}
}

// TestSignUpConfirmThenApproval: in approval mode a confirmed account still
// waits for an administrator.
func TestSignUpConfirmThenApproval(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	setRegistration(t, s, "approval")
	s.Client().PostForm("/signup", signUpForm("Abe", "abe@example.org", "long-enough-pw")).Expect(http.StatusOK, "Check your email")
	sent := mailsTo(s, "abe@example.org")
	if len(sent) != 1 {
		t.Fatalf("%d mails", len(sent))
	}
	c := s.Client()
	p := c.PostForm(confirmLink.FindString(sent[0].HTML), nil).Expect(http.StatusOK, "Your email is confirmed", "waiting for an administrator")
	if strings.Contains(p.Header.Get("Set-Cookie"), "plaza_session=ey") {
		t.Fatal("a pending account got a session")
	}
	abe, _ := s.App.FindAuthRecordByEmail("users", "abe@example.org")
	if abe.GetString("status") != "pending" || !abe.Verified() {
		t.Errorf("status %q verified %v", abe.GetString("status"), abe.Verified())
	}
	c.PostForm("/signin", url.Values{"email": {"abe@example.org"}, "password": {"long-enough-pw"}}).
		Expect(http.StatusForbidden, "waiting for an administrator")
}

// TestSignUpMailFloodCapped: the forms send an address at most a few
// emails in a row, however often they are posted.
func TestSignUpMailFloodCapped(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	s.Member("Flo", "flo@example.org")
	for range 6 {
		s.Client().PostForm("/signup", signUpForm("X", "flo@example.org", "long-enough-pw")).Expect(http.StatusOK, "Check your email")
	}
	if n := len(mailsTo(s, "flo@example.org")); n != 3 {
		t.Errorf("%d mails to one address, want 3", n)
	}
}

// TestSignUpWithoutMail: without SMTP Plaza can't confirm anything, so a new
// account is signed in at once and a taken email is said so (the form is
// rate-limited); but in invite mode the code is still checked first.
func TestSignUpWithoutMail(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Gus", "gus@example.org")
	s.Client().PostForm("/signup", signUpForm("Hal", "hal@example.org", "long-enough-pw")).ExpectRedirect("/me")
	if hal, _ := s.App.FindAuthRecordByEmail("users", "hal@example.org"); hal.GetString("status") != "active" || hal.Verified() {
		t.Errorf("without mail: status %q verified %v", hal.GetString("status"), hal.Verified())
	}
	s.Client().PostForm("/signup", signUpForm("X", "gus@example.org", "long-enough-pw")).Expect(http.StatusConflict, "already exists")

	setRegistration(t, s, "invite")
	f := signUpForm("X", "gus@example.org", "long-enough-pw")
	f.Set("invite", "BAD-CODE")
	p := s.Client().PostForm("/signup", f).Expect(http.StatusUnprocessableEntity, "invite code is unknown")
	if strings.Contains(p.Body, "already exists") {
		t.Error("a bad invite code learns that the email has an account")
	}
	if n := s.App.TestMailer.TotalSend(); n != 0 {
		t.Errorf("%d mails sent without SMTP", n)
	}
}

// TestVerificationAPIClosed: PocketBase's own endpoints can't confirm an
// account (leaving it pending) or send confirmation mail around the caps.
func TestVerificationAPIClosed(t *testing.T) {
	s := testkit.Start(t)
	withMail(s)
	s.Client().PostForm("/signup", signUpForm("Ray", "ray@example.org", "long-enough-pw")).Expect(http.StatusOK)
	ray, err := s.App.FindAuthRecordByEmail("users", "ray@example.org")
	if err != nil {
		t.Fatal(err)
	}
	token, err := ray.NewVerificationToken()
	if err != nil {
		t.Fatal(err)
	}
	before := len(mailsTo(s, "ray@example.org"))
	for path, body := range map[string]string{
		"/api/collections/users/request-verification": `{"email":"ray@example.org"}`,
		"/api/collections/users/confirm-verification": `{"token":"` + token + `"}`,
	} {
		if r := s.API(http.MethodPost, path, "", "application/json", []byte(body)); r.Status < 400 {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	if s.Reload(ray).Verified() || len(mailsTo(s, "ray@example.org")) != before {
		t.Error("the REST API confirmed the account or sent mail")
	}
}
