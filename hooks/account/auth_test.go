package account_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/testkit"
)

func setRegistration(t *testing.T, s *testkit.Server, mode string) {
	t.Helper()
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("registration", mode)
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
}

func addInvite(t *testing.T, s *testkit.Server, code string, uses int, expires time.Time) *core.Record {
	t.Helper()
	c, err := s.App.FindCollectionByNameOrId("invites")
	if err != nil {
		t.Fatal(err)
	}
	inv := core.NewRecord(c)
	inv.Set("code", code)
	inv.Set("uses_left", uses)
	if !expires.IsZero() {
		d, err := types.ParseDateTime(expires)
		if err != nil {
			t.Fatal(err)
		}
		inv.Set("expires", d)
	}
	if err := s.App.Save(inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func signUpForm(name, email, password string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "password": {password}}
}

func TestSignUpOpen(t *testing.T) {
	s := testkit.Start(t)
	c := s.Client()
	c.Get("/signup").Expect(http.StatusOK, `data-testid="signup-form"`)

	p := c.PostForm("/signup", signUpForm("Ana Lima", " Ana@Example.org ", "long-enough-pw")).ExpectRedirect("/me")
	if !strings.Contains(p.Header.Get("Set-Cookie"), "plaza_session=") {
		t.Fatal("no session cookie after sign-up")
	}
	me := c.Follow(p).Expect(http.StatusOK, "Ana Lima", "ana@example.org")
	if !strings.Contains(me.Text("[data-testid=flash]"), "Welcome") {
		t.Errorf("flash = %q", me.Text("[data-testid=flash]"))
	}

	ana, err := s.App.FindAuthRecordByEmail("users", "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if ana.GetString("status") != "active" || ana.GetString("role") != "member" {
		t.Errorf("status %q role %q", ana.GetString("status"), ana.GetString("role"))
	}
	if !strings.Contains(ana.GetString("privacy"), `"discoverable":true`) {
		t.Errorf("privacy = %s", ana.GetString("privacy"))
	}
}

func TestSignUpBadInput(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Existing", "taken@example.org")
	cases := []struct {
		name       string
		form       url.Values
		status     int
		field, msg string
	}{
		{"invalid email", signUpForm("Ana", "not-an-email", "long-enough-pw"), 422, "email", "valid email"},
		{"display-name email", signUpForm("Ana", "Ana <a@example.org>", "long-enough-pw"), 422, "email", "valid email"},
		{"short password", signUpForm("Ana", "ana@example.org", "short"), 422, "password", "at least 10"},
		{"missing name", signUpForm("", "ana@example.org", "long-enough-pw"), 422, "name", "Enter your name"},
		{"duplicate email", signUpForm("Ana", "TAKEN@example.org", "long-enough-pw"), 409, "email", "already exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := s.Client().PostForm("/signup", tc.form).Expect(tc.status)
			if got := p.Text("[data-testid=error-" + tc.field + "]"); !strings.Contains(got, tc.msg) {
				t.Errorf("error for %s = %q, want %q", tc.field, got, tc.msg)
			}
			if !p.Has("[data-testid=form-errors]") {
				t.Error("no error summary")
			}
			if got := p.Value("#f-name"); got != tc.form.Get("name") {
				t.Errorf("name not kept: %q", got)
			}
			if got := p.Value("#f-password"); got != "" {
				t.Errorf("password echoed back: %q", got)
			}
			if n := s.Count("users", "", nil); n != 1 {
				t.Errorf("%d users stored, want 1", n)
			}
		})
	}
}

func TestSignUpByInvite(t *testing.T) {
	s := testkit.Start(t)
	setRegistration(t, s, "invite")
	inv := addInvite(t, s, "WELCOME-2026", 1, time.Time{})
	addInvite(t, s, "OLD-CODE-1", 5, time.Now().Add(-time.Hour))
	addInvite(t, s, "USED-UP-1", 0, time.Time{})

	s.Client().Get("/signup").Expect(http.StatusOK, `name="invite"`)
	for code, msg := range map[string]string{"": "Enter the invite code", "NOPE-NOPE": "unknown, expired or used up",
		"OLD-CODE-1": "unknown, expired or used up", "USED-UP-1": "unknown, expired or used up"} {
		f := signUpForm("Ana", "ana@example.org", "long-enough-pw")
		f.Set("invite", code)
		p := s.Client().PostForm("/signup", f).Expect(http.StatusUnprocessableEntity)
		if got := p.Text("[data-testid=error-invite]"); !strings.Contains(got, msg) {
			t.Errorf("invite %q: error %q, want %q", code, got, msg)
		}
		if p.Value("#f-email") != "ana@example.org" || p.Value("#f-invite") != code {
			t.Errorf("invite %q: typed values lost", code)
		}
	}
	if n := s.Count("users", "", nil); n != 0 {
		t.Fatalf("%d users stored by refused sign-ups", n)
	}

	f := signUpForm("Ana", "ana@example.org", "long-enough-pw")
	f.Set("invite", "WELCOME-2026")
	s.Client().PostForm("/signup", f).ExpectRedirect("/me")
	if left := s.Reload(inv).GetInt("uses_left"); left != 0 {
		t.Errorf("uses_left = %d, want 0", left)
	}
	f = signUpForm("Ben", "ben@example.org", "long-enough-pw")
	f.Set("invite", "WELCOME-2026")
	s.Client().PostForm("/signup", f).Expect(http.StatusUnprocessableEntity, "used up")
}

func TestSignUpNeedsApproval(t *testing.T) {
	s := testkit.Start(t)
	setRegistration(t, s, "approval")
	c := s.Client()
	c.Get("/signup").Expect(http.StatusOK, "approves new accounts")
	p := c.PostForm("/signup", signUpForm("Ana", "ana@example.org", "long-enough-pw")).Expect(http.StatusCreated, "waiting for an administrator")
	if strings.Contains(p.Header.Get("Set-Cookie"), "plaza_session=ey") {
		t.Fatal("a pending account got a session")
	}
	ana, err := s.App.FindAuthRecordByEmail("users", "ana@example.org")
	if err != nil || ana.GetString("status") != "pending" {
		t.Fatalf("stored %v, %v", ana, err)
	}
	c.PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {"long-enough-pw"}}).
		Expect(http.StatusForbidden, "waiting for an administrator")

	ana.Set("status", "active") // an admin approves in the dashboard
	if err := s.App.Save(ana); err != nil {
		t.Fatal(err)
	}
	c.PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {"long-enough-pw"}}).ExpectRedirect("/chats")
}

func TestSignIn(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")

	wrongPw := s.Client().PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {"wrong-password"}}).Expect(http.StatusUnauthorized)
	noUser := s.Client().PostForm("/signin", url.Values{"email": {"nobody@example.org"}, "password": {"wrong-password"}}).Expect(http.StatusUnauthorized)
	if a, b := wrongPw.Text("[data-testid=form-errors]"), noUser.Text("[data-testid=form-errors]"); a != b || !strings.Contains(a, "Wrong email or password") {
		t.Errorf("messages differ or are wrong: %q vs %q", a, b)
	}
	if wrongPw.Value("#f-email") != "ana@example.org" || wrongPw.Value("#f-password") != "" {
		t.Error("email not kept or password echoed")
	}

	p := s.Client().PostForm("/signin", url.Values{"email": {"ANA@example.org"}, "password": {testkit.Password}}).ExpectRedirect("/chats")
	ck := p.Header.Get("Set-Cookie")
	for _, attr := range []string{"plaza_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(ck, attr) {
			t.Errorf("cookie %q lacks %s", ck, attr)
		}
	}

	for next, want := range map[string]string{
		"/friends":             "/friends",
		"//evil.example":       "/chats",
		"https://evil.example": "/chats",
		"/\\evil.example":      "/chats",
	} {
		s.Client().PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {testkit.Password}, "next": {next}}).ExpectRedirect(want)
	}

	c := s.SignedIn(ana)
	c.Get("/signin").ExpectRedirect("/chats")
	c.Get("/").ExpectRedirect("/chats")
	s.Client().Get("/").ExpectRedirect("/signin")
	s.Client().Get("/friends").ExpectRedirect("/signin?next=%2Ffriends")

	ana.Set("status", "suspended")
	if err := s.App.Save(ana); err != nil {
		t.Fatal(err)
	}
	c.Get("/me").ExpectRedirect("/signin?next=%2Fme") // the live session ends too
	s.Client().PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {testkit.Password}}).Expect(http.StatusForbidden, "suspended")
}

func TestSessionAcceptsOnlyAuthTokens(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	for name, mint := range map[string]func() (string, error){
		"password reset": ana.NewPasswordResetToken,
		"verification":   ana.NewVerificationToken,
		"file":           ana.NewFileToken,
	} {
		tok, err := mint()
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/me", nil)
		req.AddCookie(&http.Cookie{Name: "plaza_session", Value: tok})
		if p := s.Client().Do(req); p.Status != http.StatusSeeOther {
			t.Errorf("%s token opened /me: status %d", name, p.Status)
		}
	}
}

func TestSignOut(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	phone, laptop := s.SignedIn(ana), s.SignedIn(ana)

	phone.Get("/me").Expect(http.StatusOK, `data-testid="signout"`)
	phone.PostForm("/signout", nil).ExpectRedirect("/signin")
	phone.Get("/me").ExpectRedirect("/signin?next=%2Fme")
	laptop.Get("/me").Expect(http.StatusOK) // other devices stay signed in

	tablet := s.SignedIn(ana)
	tablet.PostForm("/signout", url.Values{"everywhere": {"1"}}).ExpectRedirect("/signin")
	laptop.Get("/me").ExpectRedirect("/signin?next=%2Fme")
	s.SignedIn(ana).Get("/me").Expect(http.StatusOK) // signing in again works
}

func TestPasswordReset(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	old := s.SignedIn(ana)

	s.Client().Get("/reset").Expect(http.StatusOK, `data-testid="reset-form"`)
	s.Client().PostForm("/reset", url.Values{"email": {"nope"}}).Expect(http.StatusUnprocessableEntity, "valid email")
	unknown := s.Client().PostForm("/reset", url.Values{"email": {"nobody@example.org"}}).Expect(http.StatusOK, "Check your email")
	if s.App.TestMailer.TotalSend() != 0 {
		t.Fatal("mail sent to an unknown address")
	}
	known := s.Client().PostForm("/reset", url.Values{"email": {"ana@example.org"}}).Expect(http.StatusOK, "Check your email")
	if strings.ReplaceAll(unknown.Text("[data-testid=notice]"), "nobody", "") != strings.ReplaceAll(known.Text("[data-testid=notice]"), "ana", "") {
		t.Error("the answer reveals whether the account exists")
	}
	if s.App.TestMailer.TotalSend() != 1 {
		t.Fatalf("%d mails sent", s.App.TestMailer.TotalSend())
	}
	m := s.App.TestMailer.LastMessage()
	link := regexp.MustCompile(`/reset/([A-Za-z0-9._-]+)`).FindStringSubmatch(m.HTML)
	if link == nil {
		t.Fatalf("no reset link in mail:\n%s", m.HTML)
	}
	path := link[0]

	c := s.Client()
	c.Get(path).Expect(http.StatusOK, `data-testid="new-password-form"`)
	c.PostForm(path, url.Values{"password": {"short"}, "confirm": {"short"}}).Expect(http.StatusUnprocessableEntity, "at least 10")
	c.PostForm(path, url.Values{"password": {"brand-new-password"}, "confirm": {"brand-new-passw0rd"}}).Expect(http.StatusUnprocessableEntity, "differ")
	c.PostForm(path, url.Values{"password": {"brand-new-password"}, "confirm": {"brand-new-password"}}).ExpectRedirect("/chats")
	c.Get("/me").Expect(http.StatusOK)

	old.Get("/me").ExpectRedirect("/signin?next=%2Fme")                               // old sessions end
	s.Client().Get(path).Expect(http.StatusBadRequest, "expired or was already used") // the link is spent
	s.Client().PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {"brand-new-password"}}).ExpectRedirect("/chats")
	s.Client().Get("/reset/not-a-token").Expect(http.StatusBadRequest)
}

func TestRateLimitedSignIn(t *testing.T) {
	s := testkit.Start(t)
	c := s.Client()
	var last *testkit.Page
	for i := 0; i < 11; i++ {
		last = c.PostForm("/signin", url.Values{"email": {"x@example.org"}, "password": {"whatever-pass"}})
	}
	last.Expect(http.StatusTooManyRequests, "Too many attempts")
	if !last.Has("[data-testid=error-page]") {
		t.Error("429 is not an HTML page")
	}
}

func TestPagesAndErrors(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	c := s.SignedIn(ana)

	for path, text := range map[string]string{"/chats": "No chats yet", "/moments": "No moments yet", "/market": "Nothing for sale", "/minis": "Split the bill"} {
		p := c.Get(path).Expect(http.StatusOK, text)
		if !p.Has(`nav.tabbar a[aria-current=page]`) {
			t.Errorf("%s: no current tab", path)
		}
		s.Client().Get(path).ExpectRedirect("/signin?next=" + url.QueryEscape(path))
	}

	nf := c.Get("/no/such/page").Expect(http.StatusNotFound, "Page not found")
	if !strings.HasPrefix(nf.Header.Get("Content-Type"), "text/html") {
		t.Errorf("404 content type %q", nf.Header.Get("Content-Type"))
	}
	c.Get("/u/doesnotexist123").Expect(http.StatusNotFound, "Page not found")
	if p := c.Get("/api/nothing-here"); strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		t.Error("the REST API answered with HTML")
	}

	// Security headers: a fresh nonce in the CSP matches the page's script.
	p := c.Get("/me")
	csp := p.Header.Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(p.Body, `nonce="`+nonce[1]+`"`) {
		t.Errorf("CSP %q does not match the script nonce", csp)
	}
	for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP lacks %s", d)
		}
	}
	if p.Header.Get("X-Frame-Options") != "DENY" || p.Header.Get("Referrer-Policy") != "same-origin" || p.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", p.Header)
	}
	if c.Get("/me").Header.Get("Content-Security-Policy") == csp {
		t.Error("nonce reused across requests")
	}

	css := c.Get("/static/css/app.css")
	if css.Status != http.StatusOK || !strings.Contains(css.Header.Get("Cache-Control"), "no-cache") {
		t.Errorf("css: %d %q", css.Status, css.Header.Get("Cache-Control"))
	}
	link, _ := p.Doc.Find(`link[rel=stylesheet]`).Attr("href")
	if h := c.Get(link).Header.Get("Cache-Control"); !strings.Contains(h, "immutable") {
		t.Errorf("hashed asset %s cache-control %q", link, h)
	}
}

func TestCrossSiteFormsRefused(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	c := s.SignedIn(ana)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/me/edit", strings.NewReader("name=Hacked"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	p := c.Do(req).Expect(http.StatusForbidden, "another site")
	if !p.Has("[data-testid=error-page]") {
		t.Error("not an HTML error page")
	}
	if s.Reload(ana).GetString("name") != "Ana" {
		t.Fatal("a cross-site post changed the profile")
	}
}

func TestOrgNameSignsEmails(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Ana", "ana@example.org")
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("name", "Riverside Co-op")
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
	s.Client().Get("/signin").Expect(http.StatusOK, "Riverside Co-op")
	s.Client().PostForm("/reset", url.Values{"email": {"ana@example.org"}}).Expect(http.StatusOK)
	if m := s.App.TestMailer.LastMessage(); !strings.Contains(m.Subject+m.HTML, "Riverside Co-op") {
		t.Errorf("mail does not name the organisation: %q", m.Subject)
	}
}
