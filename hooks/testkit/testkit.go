// Package testkit starts Plaza for tests: a real HTTP server over a fresh
// PocketBase test app on a temp data dir, plus a browser-like client that
// keeps cookies and parses pages. Scenario tests and browser tests share it.
package testkit

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"golang.org/x/crypto/bcrypt"

	"plaza/hooks"
	"plaza/hooks/web"
)

// Password is the password of members made with Server.Member.
const Password = "correct-horse-battery"

// Server is a running Plaza over a throwaway data dir.
type Server struct {
	App *tests.TestApp
	URL string
	t   testing.TB
}

// Start runs Plaza for one test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	// The production database settings (hooks.DBConnect, the pool size),
	// so tests and profiles see what a server sees.
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{
		DataDir: t.TempDir(), EncryptionEnv: "pb_test_env", DBConnect: hooks.DBConnect,
		DataMaxOpenConns: hooks.DBConns, DataMaxIdleConns: hooks.DBConns,
	})
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	hooks.Register(app)
	fastPasswords(t, app)

	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	var handler http.Handler
	se := &core.ServeEvent{App: app, Router: r}
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		handler = mux
		return err
	})
	if err != nil {
		t.Fatalf("serve hooks: %v", err)
	}
	srv := httptest.NewServer(handler)
	app.Settings().Meta.AppURL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		app.Cleanup()
	})
	return &Server{App: app, URL: srv.URL, t: t}
}

// fastPasswords lowers bcrypt's cost for the test app only: tests create many
// members and the race detector makes the default cost slow.
func fastPasswords(t testing.TB, app core.App) {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	users.Fields.GetByName("password").(*core.PasswordField).Cost = bcrypt.MinCost
	if err := app.Save(users); err != nil {
		t.Fatal(err)
	}
}

// Member stores an active member with Password and returns the record.
func (s *Server) Member(name, email string) *core.Record {
	s.t.Helper()
	users, err := s.App.FindCollectionByNameOrId("users")
	if err != nil {
		s.t.Fatal(err)
	}
	m := core.NewRecord(users)
	m.Set("name", name)
	m.SetEmail(email)
	m.SetPassword(Password)
	m.Set("status", "active")
	m.Set("role", "member")
	m.Set("privacy", map[string]any{"discoverable": true, "who_can_add": "anyone", "moments_window": "all"})
	if err := s.App.Save(m); err != nil {
		s.t.Fatalf("member %s: %v", email, err)
	}
	return m
}

// Token is an auth token for member on a new signed-in device (a session),
// as signing in would give: for the REST API's Authorization header or the
// session cookie. A superuser's is PocketBase's own.
func (s *Server) Token(member *core.Record) string {
	s.t.Helper()
	if member.IsSuperuser() { // superusers have no sessions: PocketBase's own token
		tok, err := member.NewAuthToken()
		if err != nil {
			s.t.Fatal(err)
		}
		return tok
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36")
	tok, err := web.NewSessionToken(s.App, member, req, "127.0.0.1")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// Reload fetches a record again, to assert on what is stored.
func (s *Server) Reload(r *core.Record) *core.Record {
	s.t.Helper()
	fresh, err := s.App.FindRecordById(r.Collection().Name, r.Id)
	if err != nil {
		s.t.Fatalf("reload %s/%s: %v", r.Collection().Name, r.Id, err)
	}
	return fresh
}

// Count counts the rows of collection matching an SQL condition ("" for
// all), with {:name} placeholders bound from params.
func (s *Server) Count(collection, filter string, params dbx.Params) int {
	s.t.Helper()
	n, err := s.App.CountRecords(collection, dbx.NewExp(filterOrAll(filter), params))
	if err != nil {
		s.t.Fatalf("count %s: %v", collection, err)
	}
	return int(n)
}

func filterOrAll(f string) string {
	if f == "" {
		return "1=1"
	}
	return f
}

// Client is one browser: it keeps cookies and does not follow redirects,
// so tests see each 303.
type Client struct {
	s    *Server
	http *http.Client
}

// Client starts a fresh browser session (no cookies).
func (s *Server) Client() *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &Client{s: s, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// SignedIn is a Client holding a session for member: the cookie the sign-in
// form would set (the form itself is tested on its own, and signing in
// through it for every test client would trip its rate limit).
func (s *Server) SignedIn(member *core.Record) *Client {
	s.t.Helper()
	c := s.Client()
	u, err := url.Parse(s.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	fresh := s.Reload(member) // its token key may have changed (sign out everywhere)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "plaza_session", Value: s.Token(fresh), Path: "/"}})
	return c
}

// Page is a response as a member would see it.
type Page struct {
	Status   int
	Location string // redirect target, if any
	Header   http.Header
	Body     string
	Doc      *goquery.Document
	t        testing.TB
}

// Get fetches path.
func (c *Client) Get(path string) *Page {
	req, err := http.NewRequest(http.MethodGet, c.s.URL+path, nil)
	if err != nil {
		c.s.t.Fatal(err)
	}
	return c.Do(req)
}

// PostForm submits a urlencoded form to path, as a same-origin browser would.
func (c *Client) PostForm(path string, form url.Values) *Page {
	req, err := http.NewRequest(http.MethodPost, c.s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Upload is a file to send with PostMultipart.
type Upload struct {
	Field, Name string
	Data        []byte
}

// PostMultipart submits a multipart form with files to path.
func (c *Client) PostMultipart(path string, form url.Values, files ...Upload) *Page {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.s.t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.Field, f.Name)
		if err != nil {
			c.s.t.Fatal(err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			c.s.t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		c.s.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.s.URL+path, &body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// Do sends req with the client's cookies and reads the answer.
func (c *Client) Do(req *http.Request) *Page {
	c.s.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	p := &Page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(b), t: c.s.t}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if p.Doc, err = goquery.NewDocumentFromReader(bytes.NewReader(b)); err != nil {
			c.s.t.Fatal(err)
		}
	}
	return p
}

// Open starts a request and returns the live response, for streams
// (GET /events); the caller closes its body.
func (c *Client) Open(path string, header http.Header) *http.Response {
	c.s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.s.URL+path, nil)
	if err != nil {
		c.s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.s.t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

// Cookie is the value of the browser's cookie name for the server ("" if none).
func (c *Client) Cookie(name string) string {
	u, err := url.Parse(c.s.URL)
	if err != nil {
		c.s.t.Fatal(err)
	}
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Follow fetches the page a redirect points to.
func (c *Client) Follow(p *Page) *Page {
	c.s.t.Helper()
	if p.Location == "" {
		c.s.t.Fatalf("expected a redirect, got status %d", p.Status)
	}
	return c.Get(p.Location)
}

// Text is the whitespace-normalised text of the elements matching selector.
func (p *Page) Text(selector string) string {
	if p.Doc == nil {
		return ""
	}
	return strings.Join(strings.Fields(p.Doc.Find(selector).Text()), " ")
}

// Has reports whether any element matches selector.
func (p *Page) Has(selector string) bool {
	return p.Doc != nil && p.Doc.Find(selector).Length() > 0
}

// Value is the value attribute of the first element matching selector.
func (p *Page) Value(selector string) string {
	if p.Doc == nil {
		return ""
	}
	v, _ := p.Doc.Find(selector).First().Attr("value")
	return v
}

// Expect fails the test unless the page has status and shows every text.
func (p *Page) Expect(status int, texts ...string) *Page {
	p.t.Helper()
	if p.Status != status {
		p.t.Fatalf("status %d, want %d\n%s", p.Status, status, clip(p.Body))
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			p.t.Fatalf("page lacks %q\n%s", s, clip(p.Body))
		}
	}
	return p
}

// ExpectNot fails the test if the page shows any of texts.
func (p *Page) ExpectNot(texts ...string) *Page {
	p.t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			p.t.Fatalf("page shows %q\n%s", s, clip(p.Body))
		}
	}
	return p
}

// ExpectRedirect fails the test unless the page is a 303 to location.
func (p *Page) ExpectRedirect(location string) *Page {
	p.t.Helper()
	if p.Status != http.StatusSeeOther || p.Location != location {
		p.t.Fatalf("got %d → %q, want 303 → %q\n%s", p.Status, p.Location, location, clip(p.Body))
	}
	return p
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}
