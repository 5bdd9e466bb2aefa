package account_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"plaza/hooks/testkit"
)

// asToken sends path with token in the Authorization header, as an API
// client (or a stolen token) would, with no cookie.
func asToken(s *testkit.Server, method, path, token string, form url.Values) *testkit.Page {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", token)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	return s.Client().Do(req)
}

// openStream opens /events with token in the header and reports when the
// server ends it.
func openStream(t *testing.T, s *testkit.Server, token string) (ended <-chan struct{}) {
	t.Helper()
	res := s.Client().Open("/events", http.Header{"Authorization": {token}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/events: %d", res.StatusCode)
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, res.Body) // returns when the server closes the stream
		close(done)
	}()
	t.Cleanup(func() { res.Body.Close() })
	return done
}

func expectEnded(t *testing.T, ended <-chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case <-ended:
	case <-time.After(within):
		t.Errorf("%s: the open event stream was not closed within %s", what, within)
	}
}

// works checks that token opens a member page, posts a moment and reads the
// member's own record through the REST API.
func works(t *testing.T, s *testkit.Server, member *core.Record, token string) {
	t.Helper()
	asToken(s, http.MethodGet, "/chats", token, nil).Expect(http.StatusOK)
	asToken(s, http.MethodGet, "/api/collections/users/records/"+member.Id, token, nil).Expect(http.StatusOK, member.Id)
}

// refused checks that token gets nothing anywhere: pages treat it as a guest,
// writes are refused, the stream and the REST API don't open.
func refused(t *testing.T, s *testkit.Server, member *core.Record, token, what string) {
	t.Helper()
	before := s.Count("posts", "", nil)
	if p := asToken(s, http.MethodGet, "/chats", token, nil); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/signin") {
		t.Errorf("%s: GET /chats answered %d %s", what, p.Status, p.Location)
	}
	if p := asToken(s, http.MethodPost, "/moments", token, url.Values{"body": {"still here"}, "visibility": {"public"}}); p.Status != http.StatusUnauthorized {
		t.Errorf("%s: POST /moments answered %d", what, p.Status)
	}
	if s.Count("posts", "", nil) != before {
		t.Errorf("%s: a moment was stored", what)
	}
	res := s.Client().Open("/events", http.Header{"Authorization": {token}})
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Errorf("%s: /events opened", what)
	}
	if p := asToken(s, http.MethodGet, "/api/collections/users/records/"+member.Id, token, nil); p.Status == http.StatusOK {
		t.Errorf("%s: the REST API served the member's record", what)
	}
	if p := asToken(s, http.MethodPost, "/api/collections/users/auth-refresh", token, nil); p.Status == http.StatusOK {
		t.Errorf("%s: the REST API refreshed the token", what)
	}
	if p := asToken(s, http.MethodPost, "/minis/poll/bridge/getProfile", token, nil); p.Status == http.StatusOK {
		t.Errorf("%s: the mini-program bridge answered %d", what, p.Status)
	}
}

// A suspended member's tokens stop working on every route at once, whichever
// way the suspension was made, and their open streams close.
func TestSuspensionEndsEveryToken(t *testing.T) {
	ways := map[string]func(s *testkit.Server, ana *core.Record){
		"dashboard": func(s *testkit.Server, ana *core.Record) {
			body := []byte(`{"status":"suspended"}`)
			s.API(http.MethodPatch, "/api/collections/users/records/"+ana.Id, s.Token(s.Superuser()), "application/json", body).Expect(http.StatusOK)
		},
		"admin members page": func(s *testkit.Server, ana *core.Record) {
			admin := s.Member("Ada Admin", "ada@example.org")
			admin.Set("role", "admin")
			if err := s.App.Save(admin); err != nil {
				t.Fatal(err)
			}
			s.SignedIn(admin).PostForm("/admin/members/"+ana.Id+"/suspend", url.Values{"why": {"spam"}}).Expect(http.StatusSeeOther)
		},
		"moderation queue": func(s *testkit.Server, ana *core.Record) {
			mod := s.Member("Mo Moderator", "mo@example.org")
			mod.Set("role", "moderator")
			if err := s.App.Save(mod); err != nil {
				t.Fatal(err)
			}
			ben := s.Member("Ben", "ben@example.org")
			s.SignedIn(ben).PostForm("/reports", url.Values{"target": {"users:" + ana.Id}, "reason": {"harassment"}}).Expect(http.StatusSeeOther)
			r, err := s.App.FindFirstRecordByFilter("reports", "target_collection = 'users'")
			if err != nil {
				t.Fatal(err)
			}
			s.SignedIn(mod).PostForm("/admin/reports/"+r.Id+"/suspend", url.Values{"why": {"harassment"}}).ExpectRedirect("/admin/reports")
		},
		"Go code": func(s *testkit.Server, ana *core.Record) {
			fresh := s.Reload(ana)
			fresh.Set("status", "suspended")
			if err := s.App.Save(fresh); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, suspend := range ways {
		t.Run(name, func(t *testing.T) {
			s := testkit.Start(t)
			ana := s.Member("Ana", "ana@example.org")
			token := s.Token(ana)
			cookie := s.SignedIn(ana)
			works(t, s, ana, token)
			cookie.Get("/chats").Expect(http.StatusOK)
			ended := openStream(t, s, token)

			suspend(s, ana)
			if got := s.Reload(ana).GetString("status"); got != "suspended" {
				t.Fatalf("status %q", got)
			}
			expectEnded(t, ended, time.Second, name)
			refused(t, s, ana, token, name)
			cookie.Get("/chats").ExpectRedirect("/signin?next=%2Fchats")
			if n := s.Count("sessions", "user = {:u}", map[string]any{"u": ana.Id}); n != 0 {
				t.Errorf("%d sessions left", n)
			}
		})
	}
}

// Signing out revokes that device's token itself, not just the cookie: a
// copy of it fails everywhere, and its open stream closes within a second.
func TestSignOutRevokesTheToken(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	phone := s.Client()
	phone.PostForm("/signin", url.Values{"email": {"ana@example.org"}, "password": {testkit.Password}}).ExpectRedirect("/chats")
	token := phone.Cookie("plaza_session")
	if token == "" {
		t.Fatal("no session cookie")
	}
	works(t, s, ana, token)
	ended := openStream(t, s, token)
	laptop := s.SignedIn(ana)

	phone.PostForm("/signout", nil).ExpectRedirect("/signin")
	expectEnded(t, ended, time.Second, "sign-out")
	refused(t, s, ana, token, "signed-out token")
	laptop.Get("/chats").Expect(http.StatusOK) // the other device stays signed in
}

// Tokens that name no session — minted in Go, or a session since deleted —
// and tokens of the wrong kind get nothing.
func TestTokensWithoutASessionAreRefused(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	bare, err := ana.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	refused(t, s, ana, bare, "a token without a session")

	// A session of another member doesn't make Ana's token good.
	ben := s.Member("Ben", "ben@example.org")
	benToken := s.Token(ben)
	claims, _ := security.ParseUnverifiedJWT(benToken)
	forged, err := security.NewJWT(map[string]any{
		"id": ana.Id, "type": "auth", "collectionId": ana.Collection().Id, "refreshable": true, "sid": claims["sid"],
	}, ana.TokenKey()+ana.Collection().AuthToken.Secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	refused(t, s, ana, forged, "Ana's token naming Ben's session")
}

// The REST API's own sign-in gives a token of a new device, and refreshing it
// keeps the device; signing that device out ends the token.
func TestAPISignInMakesADevice(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	body := []byte(`{"identity":"ana@example.org","password":"` + testkit.Password + `"}`)
	p := s.API(http.MethodPost, "/api/collections/users/auth-with-password", "", "application/json", body).Expect(http.StatusOK)
	var auth struct{ Token string }
	if err := json.Unmarshal([]byte(p.Body), &auth); err != nil {
		t.Fatal(err)
	}
	works(t, s, ana, auth.Token)
	if n := s.Count("sessions", "user = {:u}", map[string]any{"u": ana.Id}); n != 1 {
		t.Fatalf("%d sessions after an API sign-in", n)
	}
	p = s.API(http.MethodPost, "/api/collections/users/auth-refresh", auth.Token, "application/json", nil).Expect(http.StatusOK)
	var refreshed struct{ Token string }
	if err := json.Unmarshal([]byte(p.Body), &refreshed); err != nil {
		t.Fatal(err)
	}
	works(t, s, ana, refreshed.Token)
	if n := s.Count("sessions", "user = {:u}", map[string]any{"u": ana.Id}); n != 1 {
		t.Fatalf("refreshing made a new device: %d sessions", n)
	}

	web := s.SignedIn(ana)
	devices := web.Get("/me/devices").Expect(http.StatusOK)
	if n := devices.Doc.Find("[data-testid=device]").Length(); n != 2 {
		t.Fatalf("%d devices listed", n)
	}
	other, ok := devices.Doc.Find("[data-testid=device]:not([data-current]) form").Attr("action")
	if !ok {
		t.Fatal("no sign-out form for the API device")
	}
	web.PostForm(other, nil).ExpectRedirect("/me/devices")
	refused(t, s, ana, auth.Token, "API token of a signed-out device")
	refused(t, s, ana, refreshed.Token, "refreshed API token of a signed-out device")
}

// Me → Devices lists where the member is signed in, marks this device, and
// signs out one device, the others, or everywhere — never another member's.
func TestDevicesPage(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	ben := s.Member("Ben", "ben@example.org")
	signIn := func(ua string) *testkit.Client {
		c := s.Client()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/signin", strings.NewReader(url.Values{"email": {"ana@example.org"}, "password": {testkit.Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", ua)
		c.Do(req).ExpectRedirect("/chats")
		return c
	}
	phone := signIn("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36")
	laptop := signIn("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15")
	tablet := signIn("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	benDevice := s.SignedIn(ben)

	s.SignedIn(ana).Get("/me").Expect(http.StatusOK, `href="/me/devices"`)
	page := phone.Get("/me/devices").Expect(http.StatusOK, "Chrome on Android", "Safari on macOS", "Firefox on Linux", "This device", "127.0.0.0/24")
	if cur := page.Text("[data-testid=device][data-current] .cell__title"); cur != "Chrome on Android" {
		t.Errorf("current device %q", cur)
	}

	// Ben's session can't be signed out by Ana.
	benSession, err := s.App.FindFirstRecordByFilter("sessions", "user = {:u}", map[string]any{"u": ben.Id})
	if err != nil {
		t.Fatal(err)
	}
	phone.PostForm("/me/devices/"+benSession.Id+"/signout", nil).ExpectRedirect("/me/devices")
	benDevice.Get("/chats").Expect(http.StatusOK)

	// One device.
	var laptopAction string
	page.Doc.Find("[data-testid=device]").Each(func(_ int, d *goquery.Selection) {
		if strings.Contains(d.Find(".cell__title").Text(), "Safari on macOS") {
			laptopAction, _ = d.Find("form").Attr("action")
		}
	})
	if laptopAction == "" {
		t.Fatal("no sign-out form for the laptop")
	}
	phone.PostForm(laptopAction, nil).ExpectRedirect("/me/devices")
	laptop.Get("/chats").ExpectRedirect("/signin?next=%2Fchats")
	tablet.Get("/chats").Expect(http.StatusOK)
	phone.Get("/me/devices").Expect(http.StatusOK, "Firefox on Linux").ExpectNot("Safari on macOS")

	// All the others.
	phone.PostForm("/me/devices/signout-others", nil).ExpectRedirect("/me/devices")
	tablet.Get("/chats").ExpectRedirect("/signin?next=%2Fchats")
	phone.Get("/chats").Expect(http.StatusOK)

	// Everywhere.
	again := signIn("curl/8.5.0")
	phone.PostForm("/signout", url.Values{"everywhere": {"1"}}).ExpectRedirect("/signin")
	again.Get("/chats").ExpectRedirect("/signin?next=%2Fchats")
	phone.Get("/chats").ExpectRedirect("/signin?next=%2Fchats")
	if n := s.Count("sessions", "user = {:u}", map[string]any{"u": ana.Id}); n != 0 {
		t.Errorf("%d sessions left after signing out everywhere", n)
	}
	benDevice.Get("/chats").Expect(http.StatusOK)
}

// A superuser's token on a member page is told what to do, never a 500.
func TestSuperuserTokenOnMemberPages(t *testing.T) {
	s := testkit.Start(t)
	su := s.Token(s.Superuser())
	asToken(s, http.MethodGet, "/chats", su, nil).Expect(http.StatusForbidden, "superuser")
	asToken(s, http.MethodPost, "/moments", su, url.Values{"body": {"hello"}, "visibility": {"public"}}).Expect(http.StatusForbidden, "superuser")
	asToken(s, http.MethodGet, "/me", su, nil).Expect(http.StatusForbidden)
	// The REST API still takes it.
	s.API(http.MethodGet, "/api/collections/users/records", su, "", nil).Expect(http.StatusOK)
}

// Pages run only scripts that carry this response's nonce: no 'self' in
// script-src, so a member upload served from Plaza's origin can never run as
// a page script.
func TestPageScriptsNeedTheNonce(t *testing.T) {
	s := testkit.Start(t)
	c := s.SignedIn(s.Member("Ana", "ana@example.org"))
	for _, path := range []string{"/me", "/chats", "/moments", "/market", "/minis", "/me/notifications", "/signin"} {
		p := c.Get(path)
		if path == "/signin" {
			p = s.Client().Get(path)
		}
		csp := p.Header.Get("Content-Security-Policy")
		var scriptSrc string
		for _, d := range strings.Split(csp, ";") {
			if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
				scriptSrc = d
			}
		}
		if scriptSrc == "" || strings.Contains(scriptSrc, "'self'") || !strings.Contains(scriptSrc, "'nonce-") {
			t.Errorf("%s: script-src %q", path, scriptSrc)
		}
		nonce := strings.TrimSuffix(strings.SplitN(scriptSrc, "'nonce-", 2)[1], "'")
		p.Doc.Find("script").Each(func(_ int, sc *goquery.Selection) {
			if got, _ := sc.Attr("nonce"); got != nonce {
				t.Errorf("%s: a script without the nonce: %s", path, sc.AttrOr("src", "(inline)"))
			}
		})
	}
}
