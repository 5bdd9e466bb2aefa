package minihost_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
)

func tester(slug string, perms ...string) []byte {
	if perms == nil {
		perms = []string{}
	}
	return testkit.MiniZip(map[string]any{
		"slug": slug, "name": "Tester " + slug, "description": "Checks the bridge.", "version": "1.0.0", "permissions": perms,
	}, map[string]string{"index.html": `<!doctype html><title>t</title><script src="/m/sdk/plaza.js"></script><p>hello</p>`})
}

var all = []string{"profile", "storage", "shared_storage", "payments", "share", "notify"}

// result decodes a bridge answer's result (and fails on an error answer).
func result(t *testing.T, p *testkit.Page, into any) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("bridge: %d %s", p.Status, p.Body)
	}
	var body struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal([]byte(p.Body), &body); err != nil {
		t.Fatal(err)
	}
	if into != nil {
		if err := json.Unmarshal(body.Result, into); err != nil {
			t.Fatalf("result %s: %v", body.Result, err)
		}
	}
}

// refused checks a bridge answer is an error with status and code.
func refused(t *testing.T, p *testkit.Page, status int, code string) {
	t.Helper()
	var body struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			Permission string `json:"permission"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(p.Body), &body)
	if p.Status != status || body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("want %d %s, got %d %s", status, code, p.Status, p.Body)
	}
}

func allow(t *testing.T, c *testkit.Client, slug string, perms ...string) {
	t.Helper()
	for _, p := range perms {
		c.PostForm("/minis/"+slug+"/consent", url.Values{"permission": {p}}).Expect(http.StatusOK)
	}
}

func TestServedInTheSandbox(t *testing.T) {
	s := testkit.Start(t)
	s.InstallMini(tester("tester"))
	for _, path := range []string{"/m/tester/index.html", "/m/tester/", "/m/tester/icon.svg"} {
		p := s.Client().Get(path).Expect(http.StatusOK) // no session needed: sandboxed code, no data
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "sandbox allow-scripts allow-forms allow-popups;") || strings.Contains(csp, "allow-same-origin") ||
			!strings.Contains(csp, "connect-src 'none'") || p.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s served with CSP %q", path, csp)
		}
	}
	if ct := s.Client().Get("/m/tester/icon.svg").Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Errorf("icon served as %q", ct)
	}
	s.Client().Get("/m/tester/nope.js").Expect(http.StatusNotFound)
	s.Client().Get("/m/tester/..%2f..%2fgo.mod").Expect(http.StatusNotFound)
	s.Client().Get("/m/nosuchmini/index.html").Expect(http.StatusNotFound)
	if p := s.Client().Get("/m/sdk/plaza.js").Expect(http.StatusOK, "window.plaza"); !strings.HasPrefix(p.Header.Get("Content-Type"), "text/javascript") {
		t.Error("SDK content type")
	}
	if p := s.Client().Get("/m/sdk/plaza.css").Expect(http.StatusOK, "--accent"); !strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") {
		t.Error("SDK stylesheet content type")
	}
	s.Client().Get("/m/sdk/embed.go").Expect(http.StatusNotFound)
	// The host page frames it without allow-same-origin.
	c := s.SignedIn(s.Member("Ana", "ana@example.org"))
	page := c.Get("/minis/tester").Expect(http.StatusOK)
	sandbox, _ := page.Doc.Find("iframe[data-testid=mini-frame]").Attr("sandbox")
	if sandbox != "allow-scripts allow-forms allow-popups" {
		t.Errorf("iframe sandbox %q", sandbox)
	}
	c.Get("/minis").Expect(http.StatusOK, "Tester tester")
}

func TestBridgeConsentAndStorage(t *testing.T) {
	s := testkit.Start(t)
	s.InstallMini(tester("tester", all...))
	s.InstallMini(tester("other", "profile"))
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)

	// Consent first; then the profile with a per-mini pseudonym.
	refused(t, a.Bridge("tester", "getProfile"), http.StatusForbidden, "consent_required")
	allow(t, a, "tester", "profile")
	var prof struct{ ID, Name, Avatar string }
	result(t, a.Bridge("tester", "getProfile"), &prof)
	if prof.Name != "Ana" || len(prof.ID) != 32 || strings.Contains(prof.ID, ana.Id) {
		t.Fatalf("profile %+v", prof)
	}
	allow(t, a, "other", "profile")
	var prof2 struct{ ID string }
	result(t, a.Bridge("other", "getProfile"), &prof2)
	if prof2.ID == prof.ID {
		t.Fatal("two minis see the same id for one member")
	}
	// A permission the manifest doesn't declare can't be granted or used.
	refused(t, a.Bridge("other", "storage.get", "k"), http.StatusForbidden, "permission_not_declared")
	a.PostForm("/minis/other/consent", url.Values{"permission": {"storage"}}).Expect(http.StatusBadRequest)

	// Per-member storage.
	allow(t, a, "tester", "storage")
	result(t, a.Bridge("tester", "storage.set", "note", map[string]any{"n": 1}), nil)
	var v map[string]int
	result(t, a.Bridge("tester", "storage.get", "note"), &v)
	if v["n"] != 1 {
		t.Fatalf("storage.get %v", v)
	}
	allow(t, b, "tester", "storage")
	var none any = "x"
	result(t, b.Bridge("tester", "storage.get", "note"), &none)
	if none != nil {
		t.Fatal("one member read another's storage")
	}
	var keys []string
	result(t, a.Bridge("tester", "storage.keys"), &keys)
	if len(keys) != 1 || keys[0] != "note" {
		t.Fatalf("keys %v", keys)
	}
	result(t, a.Bridge("tester", "storage.remove", "note"), nil)
	result(t, a.Bridge("tester", "storage.keys"), &keys)
	if len(keys) != 0 {
		t.Fatalf("keys after remove %v", keys)
	}
	// Bad calls: clear errors, nothing stored.
	refused(t, a.Bridge("tester", "storage.set", "", 1), http.StatusBadRequest, "bad_request")
	refused(t, a.Bridge("tester", "storage.set", 5, 1), http.StatusBadRequest, "bad_request")
	refused(t, a.Bridge("tester", "storage.set", strings.Repeat("k", 101), 1), http.StatusBadRequest, "bad_request")
	refused(t, a.Bridge("tester", "storage.set", "big", strings.Repeat("x", 70<<10)), http.StatusRequestEntityTooLarge, "too_large")
	refused(t, a.Bridge("tester", "storage.get"), http.StatusBadRequest, "bad_request")
	refused(t, a.Bridge("tester", "nope"), http.StatusNotFound, "not_found")
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/minis/tester/bridge/storage.get", strings.NewReader(`{"args": "note"}`))
	refused(t, a.Do(req), http.StatusBadRequest, "bad_request")
	// The quota: 1 MB per member per mini.
	chunk := strings.Repeat("q", 60<<10)
	var full *testkit.Page
	for i := 0; i < 20 && full == nil; i++ {
		if p := a.Bridge("tester", "storage.set", "k"+strconv.Itoa(i), chunk); p.Status != http.StatusOK {
			full = p
		}
	}
	if full == nil {
		t.Fatal("storage has no quota")
	}
	refused(t, full, http.StatusRequestEntityTooLarge, "quota_exceeded")
	var used int
	if err := s.App.DB().NewQuery("SELECT SUM(size) FROM mini_storage WHERE user = {:u}").Bind(dbx.Params{"u": ana.Id}).Row(&used); err != nil || used > 1<<20 {
		t.Fatalf("stored %d bytes (%v)", used, err)
	}

	// Revoking takes consent back.
	a.PostForm("/me/minis/tester/revoke", nil).ExpectRedirect("/me/minis")
	refused(t, a.Bridge("tester", "getProfile"), http.StatusForbidden, "consent_required")
}

func TestSharedCountersAreAtomic(t *testing.T) {
	s := testkit.Start(t)
	s.InstallMini(tester("tester", "shared_storage"))
	var clients []*testkit.Client
	for i := range 20 {
		c := s.SignedIn(s.Member("M"+strconv.Itoa(i), "m"+strconv.Itoa(i)+"@example.org"))
		allow(t, c, "tester", "shared_storage")
		clients = append(clients, c)
	}
	// Twenty members add 1 at once, each twice: every member counts once.
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2 {
				if p := c.Bridge("tester", "shared.incr", "votes:a"); p.Status != http.StatusOK && p.Status != http.StatusConflict {
					t.Errorf("incr: %d %s", p.Status, p.Body)
				}
			}
		}()
	}
	wg.Wait()
	var n int
	result(t, clients[0].Bridge("tester", "shared.get", "votes:a"), &n)
	if n != 20 {
		t.Fatalf("20 members adding 1 (twice each, at once) made %d", n)
	}
	result(t, clients[1].Bridge("tester", "shared.incr", "votes:a", -1), &n)
	if n != 19 {
		t.Fatalf("taking one back gave %d", n)
	}
	result(t, clients[1].Bridge("tester", "shared.set", "votes:b", map[string]string{"x": "y"}), nil)
	refused(t, clients[1].Bridge("tester", "shared.incr", "votes:b"), http.StatusConflict, "conflict")
	result(t, clients[1].Bridge("tester", "shared.set", "other", 1), nil)
	var list map[string]any
	result(t, clients[2].Bridge("tester", "shared.list", "votes:"), &list)
	if len(list) != 2 || list["votes:a"] != float64(19) {
		t.Fatalf("list %v", list)
	}
	refused(t, clients[2].Bridge("tester", "shared.incr", "votes:a", 1.5), http.StatusBadRequest, "bad_request")
	refused(t, clients[2].Bridge("tester", "shared.incr", "votes:a", 5), http.StatusBadRequest, "bad_request")
	result(t, clients[1].Bridge("tester", "shared.remove", "votes:b"), nil)
	list = nil
	result(t, clients[2].Bridge("tester", "shared.list", "votes:"), &list)
	if len(list) != 1 {
		t.Fatalf("list after remove %v", list)
	}
}

func TestLaunchTokenVerifies(t *testing.T) {
	s := testkit.Start(t)
	rec := s.InstallMini(tester("tester"))
	a := s.SignedIn(s.Member("Ana", "ana@example.org"))
	var tok string
	result(t, a.Bridge("tester", "launchToken"), &tok)
	payload, sig, ok := strings.Cut(tok, ".")
	mac := hmac.New(sha256.New, []byte(rec.GetString("secret")))
	mac.Write([]byte(payload))
	if !ok || !hmac.Equal([]byte(sig), []byte(base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))) {
		t.Fatalf("token %q does not verify with the mini's secret", tok)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	var claims struct {
		Sub, Mini string
		Iat       int64
	}
	if err := json.Unmarshal(raw, &claims); err != nil || claims.Mini != "tester" || len(claims.Sub) != 32 || time.Since(time.Unix(claims.Iat, 0)) > time.Minute {
		t.Fatalf("claims %+v (%v)", claims, err)
	}
}

func TestShareAndNotify(t *testing.T) {
	s := testkit.Start(t)
	s.InstallMini(tester("tester", "share", "notify"))
	ana, ben, eve := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Eve", "eve@example.org")
	s.SignedIn(ana).PostForm("/friends/"+ben.Id+"/request", nil)
	s.SignedIn(ben).PostForm("/friends/"+ana.Id+"/accept", nil)
	room, err := chat.OpenDirect(s.App, ana.Id, ben.Id)
	if err != nil {
		t.Fatal(err)
	}
	a := s.SignedIn(ana)
	allow(t, a, "tester", "share", "notify")
	// The host page lists the member's chats for the picker.
	a.Get("/minis/tester").Expect(http.StatusOK, "Ben")
	result(t, a.Bridge("tester", "share", map[string]string{"room": room.Id, "title": "Vote: lunch?", "path": "#poll=abc"}), nil)
	chatPage := s.SignedIn(ben).Get("/chats/"+room.Id).Expect(http.StatusOK, "Vote: lunch?")
	if href, _ := chatPage.Doc.Find("[data-testid=mini-card]").Attr("href"); href != "/minis/tester#poll=abc" {
		t.Errorf("card links to %q", href)
	}
	s.SignedIn(ben).Get("/chats").Expect(http.StatusOK, "Vote: lunch?")
	// Not a member of the room: as if it didn't exist. Bad paths refused.
	refused(t, s.SignedIn(eve).Bridge("tester", "share", map[string]string{"room": room.Id, "title": "x", "path": ""}), http.StatusForbidden, "consent_required")
	allow(t, s.SignedIn(eve), "tester", "share")
	refused(t, s.SignedIn(eve).Bridge("tester", "share", map[string]string{"room": room.Id, "title": "x", "path": ""}), http.StatusNotFound, "not_found")
	refused(t, a.Bridge("tester", "share", map[string]string{"room": room.Id, "title": "x", "path": "javascript:alert(1)"}), http.StatusBadRequest, "bad_request")
	refused(t, a.Bridge("tester", "share", map[string]any{"room": room.Id, "title": "x", "evil": true}), http.StatusBadRequest, "bad_request")
	if n := s.Count("messages", "kind = 'mini_card'", nil); n != 1 {
		t.Fatalf("%d cards stored", n)
	}

	live := testkit.ReadSSE(t, a.Open("/events", nil).Body)
	defer live.Close()
	live.Next("unread")
	result(t, a.Bridge("tester", "notify", "Your poll closed"), nil)
	if ev := live.Next("note"); !strings.Contains(ev.Data, "Your poll closed") {
		t.Fatalf("note %s", ev.Data)
	}
	refused(t, a.Bridge("tester", "notify", strings.Repeat("n", 141)), http.StatusBadRequest, "bad_request")
}

func TestPendingAndDisabledMinis(t *testing.T) {
	s := testkit.Start(t)
	a := s.SignedIn(s.Member("Ana", "ana@example.org"))
	p := s.UploadMini("", tester("draft", "profile"))
	if p.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", p.Status, p.Body)
	}
	rec, err := s.App.FindFirstRecordByData("minis", "slug", "draft")
	if err != nil || rec.GetString("status") != "pending" || rec.GetString("secret") == "" {
		t.Fatalf("uploaded: %v %v", err, rec)
	}
	// Pending: nowhere for members, not on pages, not through the API.
	a.Get("/minis/draft").Expect(http.StatusNotFound)
	s.Client().Get("/m/draft/index.html").Expect(http.StatusNotFound)
	refused(t, a.Bridge("draft", "launchToken"), http.StatusNotFound, "not_found")
	if strings.Contains(a.Get("/minis").Body, "Tester draft") {
		t.Error("a pending mini in the launcher")
	}
	tok := s.Token(s.Member("Ben", "ben@example.org"))
	if p := s.API(http.MethodGet, "/api/collections/minis/records", tok, "", nil); strings.Contains(p.Body, "draft") {
		t.Errorf("a pending mini listed through the API: %s", p.Body)
	}
	// Approved: listed, but never its secret or bundle.
	rec.Set("status", "approved")
	if err := s.App.Save(rec); err != nil {
		t.Fatal(err)
	}
	p = s.API(http.MethodGet, "/api/collections/minis/records?filter=(slug='draft')", tok, "", nil).Expect(http.StatusOK, `"draft"`)
	if strings.Contains(p.Body, rec.GetString("secret")) || strings.Contains(p.Body, `"secret"`) {
		t.Errorf("the signing secret leaks through the API: %s", p.Body)
	}
	bundleURL := "/api/files/minis/" + rec.Id + "/" + rec.GetString("bundle")
	if p := s.API(http.MethodGet, bundleURL, tok, "", nil); p.Status == http.StatusOK {
		t.Error("a member downloaded a bundle (protected file)")
	}
	if p := s.API(http.MethodGet, "/api/collections/mini_storage/records", tok, "", nil); p.Status == http.StatusOK && !strings.Contains(p.Body, `"totalItems":0`) {
		t.Errorf("mini storage readable through the API: %s", p.Body)
	}
	a.Get("/minis/draft").Expect(http.StatusOK)
	// Disabled: the bridge says so.
	rec.Set("status", "disabled")
	if err := s.App.Save(rec); err != nil {
		t.Fatal(err)
	}
	refused(t, a.Bridge("draft", "launchToken"), http.StatusForbidden, "unavailable")
	a.Get("/minis/draft").Expect(http.StatusNotFound)
}

func TestUploadsAreChecked(t *testing.T) {
	s := testkit.Start(t)
	for name, c := range map[string]struct {
		zip  []byte
		want string
	}{
		"not a zip":          {[]byte("hello"), "zip"},
		"unknown permission": {testkit.MiniZip(map[string]any{"slug": "x1", "name": "X", "version": "1.0.0", "permissions": []string{"camera"}}, map[string]string{"index.html": "x"}), "camera"},
		"no index.html":      {testkit.MiniZip(map[string]any{"slug": "x2", "name": "X", "version": "1.0.0"}, map[string]string{"main.html": "x"}), "index.html"},
		"traversal":          {testkit.MiniZip(map[string]any{"slug": "x3", "name": "X", "version": "1.0.0"}, map[string]string{"index.html": "x", "../evil.js": "x"}), ".."},
		"reserved slug":      {tester("sdk"), "reserved"},
	} {
		p := s.UploadMini("", c.zip)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, c.want) || !strings.Contains(p.Body, "bundle") {
			t.Errorf("%s: %d %s", name, p.Status, p.Body)
		}
	}
	if n := s.Count("minis", "builtin = false", nil); n != 0 {
		t.Fatalf("%d refused bundles stored", n)
	}
	rec := s.InstallMini(tester("tester", "profile"))
	// Upgrades keep the slug and raise the version; then they wait for approval again.
	s.UploadMini(rec.Id, tester("tester", "profile")).Expect(http.StatusBadRequest, "not higher")
	s.UploadMini(rec.Id, tester("renamed", "profile")).Expect(http.StatusBadRequest, "keeps the slug")
	s.UploadMini("", tester("tester")).Expect(http.StatusBadRequest, "already installed")
	up := testkit.MiniZip(map[string]any{"slug": "tester", "name": "Tester 2", "version": "1.1.0", "permissions": []string{"profile", "storage"}},
		map[string]string{"index.html": "<p>v2</p>"})
	s.UploadMini(rec.Id, up).Expect(http.StatusOK)
	rec = s.Reload(rec)
	if rec.GetString("version") != "1.1.0" || rec.GetString("status") != "pending" || rec.GetString("name") != "Tester 2" {
		t.Fatalf("after upgrade: %v", rec.FieldsData())
	}
	rec.Set("status", "approved")
	if err := s.App.Save(rec); err != nil {
		t.Fatal(err)
	}
	s.Client().Get("/m/tester/index.html").Expect(http.StatusOK, "v2")
	// A built-in can't be replaced by an upload.
	poll, err := s.App.FindFirstRecordByData("minis", "slug", "poll")
	if err == nil {
		s.UploadMini(poll.Id, tester("poll")).Expect(http.StatusBadRequest, "built-in")
	}
	_ = core.CollectionNameSuperusers
}
