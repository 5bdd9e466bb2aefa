package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/logger"

	"plaza/hooks/testkit"
)

// loggedErrors flushes the app's log batch and returns the stored error
// entries' data as JSON text.
func loggedErrors(t *testing.T, s *testkit.Server) []string {
	t.Helper()
	h, ok := s.App.Logger().Handler().(*logger.BatchHandler)
	if !ok {
		t.Fatalf("logger handler is %T", s.App.Logger().Handler())
	}
	if err := h.WriteAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Message string `db:"message"`
		Data    string `db:"data"`
	}
	if err := s.App.AuxDB().Select("message", "data").From("_logs").
		Where(dbx.NewExp("level >= 8")).All(&rows); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Message+" "+r.Data)
	}
	return out
}

// TestServerErrorCause: when a send fails inside SQLite, the log names the
// SQLite error (not only "Something went wrong"), the page's script gets
// the reason as JSON, and a browser without script still gets the HTML page.
func TestServerErrorCause(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a := s.SignedIn(ana)
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	s.SignedIn(ben).PostForm("/friends/"+ana.Id+"/accept", nil)
	p := a.PostForm("/chats/direct/"+ben.Id, nil)
	room := strings.TrimPrefix(p.Location, "/chats/")
	if p.Status != http.StatusSeeOther || room == "" {
		t.Fatalf("open chat: %d %q", p.Status, p.Location)
	}

	s.App.Settings().Logs.MaxDays = 1 // the test app keeps no logs by default

	// The disk fills up: every new message is refused by SQLite itself.
	if _, err := s.App.DB().NewQuery(`CREATE TRIGGER test_disk_full BEFORE INSERT ON messages
		BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END`).Execute(); err != nil {
		t.Fatal(err)
	}

	// The page's script: JSON with a message it can show.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/chats/"+room+"/messages",
		strings.NewReader(url.Values{"body": {"hello"}, "client_id": {"c-1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Plaza-Fetch", "1")
	req.Header.Set("Accept", "application/json")
	res := a.Do(req)
	if res.Status != http.StatusInternalServerError || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("fetch send: %d %q %.300s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	var answer struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(res.Body), &answer); err != nil || !strings.Contains(answer.Error, "try again") || answer.Status != 500 {
		t.Errorf("fetch send answer %q (%v)", res.Body, err)
	}
	if strings.Contains(res.Body, "disk is full") {
		t.Error("the cause reached the member")
	}

	// A plain form post: the HTML error page, as before.
	html := a.PostForm("/chats/"+room+"/messages", url.Values{"body": {"hello again"}})
	html.Expect(http.StatusInternalServerError, "Something went wrong")
	if !html.Has("[data-testid=error-page]") || strings.Contains(html.Body, "disk is full") {
		t.Error("the form post did not get the HTML error page, or it shows the cause")
	}

	// Both failures are logged with their cause.
	var found int
	for _, l := range loggedErrors(t, s) {
		if strings.Contains(l, "/chats/"+room+"/messages") && strings.Contains(l, "database or disk is full (test)") {
			found++
		}
	}
	if found != 2 {
		t.Errorf("%d logged failures name the cause, want 2:\n%s", found, strings.Join(loggedErrors(t, s), "\n"))
	}
	if n := s.Count("messages", "", nil); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

// TestJSONErrorsForFetch: any page route answers a client that asks for
// JSON with JSON (here a 404 and a 403), and browsers with HTML.
func TestJSONErrorsForFetch(t *testing.T) {
	s := testkit.Start(t)
	a := s.SignedIn(s.Member("Ana", "ana@example.org"))
	for _, accept := range []string{"application/json", "application/json, text/plain, */*"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/u/nosuchmember1234", nil)
		req.Header.Set("Accept", accept)
		p := a.Do(req)
		if p.Status != http.StatusNotFound || !strings.Contains(p.Body, `"error":"There is nothing here`) {
			t.Errorf("Accept %q: %d %.300s", accept, p.Status, p.Body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/u/nosuchmember1234", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	a.Do(req).Expect(http.StatusNotFound, "Page not found")
}
