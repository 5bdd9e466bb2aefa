package chat_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
)

// befriend makes a and b friends through the pages.
func befriend(t *testing.T, s *testkit.Server, a, b *core.Record) {
	t.Helper()
	s.SignedIn(a).PostForm("/friends/"+b.Id+"/request", nil)
	s.SignedIn(b).PostForm("/friends/"+a.Id+"/accept", nil).ExpectRedirect("/u/" + a.Id)
}

// openDM opens (or reuses) the direct room between c's member and other.
func openDM(t *testing.T, c *testkit.Client, other string) string {
	t.Helper()
	p := c.PostForm("/chats/direct/"+other, nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/chats/") {
		t.Fatalf("open DM: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	return strings.TrimPrefix(p.Location, "/chats/")
}

func send(c *testkit.Client, room, body string, extra ...string) *testkit.Page {
	f := url.Values{"body": {body}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return c.PostForm("/chats/"+room+"/messages", f)
}

func TestDirectChat(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org")
	befriend(t, s, ana, ben)
	a, b := s.SignedIn(ana), s.SignedIn(ben)

	a.Get("/chats").Expect(http.StatusOK, "No chats yet")
	a.Get("/u/"+ben.Id).Expect(http.StatusOK, `data-testid="message"`)
	room := openDM(t, a, ben.Id)
	if again := openDM(t, b, ana.Id); again != room {
		t.Fatalf("Ben got another room %s, want %s", again, room)
	}

	p := send(a, room, "Hello **Ben**").Expect(http.StatusSeeOther)
	if !strings.HasPrefix(p.Location, "/chats/"+room+"#m-") {
		t.Fatalf("redirect %q", p.Location)
	}
	send(a, room, "Are you coming tonight?")

	list := b.Get("/chats").Expect(http.StatusOK, "Ana", "Are you coming tonight?")
	if got := list.Text("[data-testid=unread]"); !strings.HasPrefix(got, "2") {
		t.Errorf("Ben's unread = %q", got)
	}
	if got := list.Text("nav.tabbar [data-badge=chats] .visually-hidden"); got != "2 unread messages" {
		t.Errorf("Chats tab badge = %q", got)
	}
	roomPage := b.Get("/chats/"+room).Expect(http.StatusOK, "<strong>Ben</strong>", "Are you coming tonight?")
	if n := roomPage.Doc.Find("[data-testid=message]").Length(); n != 2 {
		t.Errorf("%d messages shown", n)
	}
	if roomPage.Has(".msg--own") {
		t.Error("Ana's messages shown as Ben's own")
	}
	if b.Get("/chats").Has("[data-testid=unread]") {
		t.Error("still unread after opening the room")
	}
	if !a.Get("/chats/" + room).Has(".msg--own") {
		t.Error("Ana's own messages not marked")
	}

	// Strangers can't open DMs, and can't see or post into the room.
	cc := s.SignedIn(cai)
	cc.PostForm("/chats/direct/"+ana.Id, nil).Expect(http.StatusForbidden, "only chat with friends")
	cc.Get("/chats/" + room).Expect(http.StatusNotFound)
	send(cc, room, "let me in").Expect(http.StatusNotFound)
	cc.Get("/chats/" + room + "/messages?before=5").Expect(http.StatusNotFound)
	if n := s.Count("messages", "", nil); n != 2 {
		t.Fatalf("%d messages stored", n)
	}
	a.Get("/chats/nosuchroom1234").Expect(http.StatusNotFound)
}

func TestSendBadInput(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := openDM(t, a, ben.Id)

	send(a, room, "   ").Expect(http.StatusUnprocessableEntity, "Write a message or attach a file")
	long := strings.Repeat("é", 4001)
	p := send(a, room, long).Expect(http.StatusUnprocessableEntity, "under 4,000 characters")
	if p.Text("#f-body") != long {
		t.Error("the long message was not kept in the composer")
	}
	send(a, room, "reply", "reply_to", "nosuchmessage1").Expect(http.StatusUnprocessableEntity, "not in this chat")
	p = a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"see this"}},
		testkit.Upload{Field: "attachments", Name: "page.html", Data: []byte("<!doctype html><html><script>alert(1)</script></html>")})
	p.Expect(http.StatusUnprocessableEntity, "doesn")
	if p.Text("#f-body") != "see this" {
		t.Error("text lost on a refused attachment")
	}
	if n := s.Count("messages", "", nil); n != 0 {
		t.Fatalf("%d messages stored by refused sends", n)
	}
}

func TestSendIsIdempotent(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := openDM(t, a, ben.Id)
	page := a.Get("/chats/" + room)
	cid := page.Value("input[name=client_id]")
	if len(cid) < 16 {
		t.Fatalf("client id %q", cid)
	}
	first := send(a, room, "only once", "client_id", cid).Expect(http.StatusSeeOther)
	second := send(a, room, "only once", "client_id", cid).Expect(http.StatusSeeOther)
	if first.Location != second.Location {
		t.Errorf("retry pointed elsewhere: %s vs %s", first.Location, second.Location)
	}
	if n := s.Count("messages", "", nil); n != 1 {
		t.Fatalf("%d messages after a retried send", n)
	}
	if a.Get("/chats/"+room).Value("input[name=client_id]") == cid {
		t.Error("a fresh page reuses the client id")
	}
}

func TestBlockedCannotMessage(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	room := openDM(t, a, ben.Id)
	send(a, room, "hi").Expect(http.StatusSeeOther)

	b.PostForm("/friends/"+ana.Id+"/block", nil)
	a.Get("/chats/"+room).Expect(http.StatusOK, `data-testid="composer-off"`, "can&#39;t message this member")
	send(a, room, "hello?").Expect(http.StatusForbidden, "can&#39;t message this member")
	a.PostForm("/chats/direct/"+ben.Id, nil).Expect(http.StatusForbidden)
	if n := s.Count("messages", "", nil); n != 1 {
		t.Fatalf("%d messages stored", n)
	}
}

func TestGroupChat(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai, dee := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org"), s.Member("Dee", "dee@example.org")
	befriend(t, s, ana, ben)
	befriend(t, s, ana, cai)
	a := s.SignedIn(ana)

	a.Get("/chats/new").Expect(http.StatusOK, "Ben", "Cai")
	a.PostForm("/chats", url.Values{"title": {""}, "members": {ben.Id}}).Expect(http.StatusUnprocessableEntity, "Give the group a name")
	a.PostForm("/chats", url.Values{"title": {"Book club"}}).Expect(http.StatusUnprocessableEntity, "Choose at least one friend")
	a.PostForm("/chats", url.Values{"title": {"Book club"}, "members": {ben.Id, dee.Id}}).Expect(http.StatusUnprocessableEntity, "Only your friends")
	if s.Count("rooms", "", nil) != 0 {
		t.Fatal("a refused group was stored")
	}
	p := a.PostForm("/chats", url.Values{"title": {"Book club"}, "members": {ben.Id, cai.Id}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", p.Status, p.Body)
	}
	room := strings.TrimPrefix(p.Location, "/chats/")
	a.Get("/chats/"+room).Expect(http.StatusOK, "Ana created the group “Book club”")

	send(s.SignedIn(ben), room, "Hi @Ana, which book?").Expect(http.StatusSeeOther)
	page := s.SignedIn(cai).Get("/chats/"+room).Expect(http.StatusOK, `<span class="mention">@Ana</span>`, "Ben")
	if !page.Has(".msg--group .msg__author") {
		t.Error("group messages don't show their author")
	}
	s.SignedIn(dee).Get("/chats/" + room).Expect(http.StatusNotFound)
}

func TestHistoryPaging(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := openDM(t, a, ben.Id)
	roomRec, err := s.App.FindRecordById("rooms", room)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 60; i++ {
		if _, _, err := sendDirect(s, roomRec.Id, ana.Id, "message "+itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	page := a.Get("/chats/" + room)
	if n := page.Doc.Find("[data-testid=message]").Length(); n != 50 {
		t.Fatalf("%d messages on the first page", n)
	}
	older, _ := page.Doc.Find("[data-testid=older]").Attr("href")
	if older != "/chats/"+room+"/messages?before=11" {
		t.Fatalf("older link %q", older)
	}
	op := a.Get(older).Expect(http.StatusOK, "message 1", "message 10", "Back to the latest")
	if strings.Contains(op.Text("[data-testid=messages]"), "message 11") {
		t.Error("older page shows newer messages")
	}
	if op.Has("[data-testid=older]") {
		t.Error("older link on the first message")
	}
	a.Get("/chats/" + room + "/messages?before=abc").Expect(http.StatusBadRequest)
}

func itoa(i int) string { return strconv.Itoa(i) }

func sendDirect(s *testkit.Server, room, author, body string) (*core.Record, bool, error) {
	return chat.SendForTest(s.App, room, author, body)
}

func TestSendRateLimit(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := openDM(t, a, ben.Id)
	// A burst of 20 goes through; then sends are refused until tokens refill
	// (3 a second, so a slow machine may squeeze in a few more).
	sent := 0
	var p *testkit.Page
	for i := 1; i <= 60; i++ {
		p = send(a, room, "burst "+itoa(i))
		if p.Status != http.StatusSeeOther {
			break
		}
		sent++
	}
	if sent < 20 || sent >= 60 {
		t.Fatalf("%d sends before the limit", sent)
	}
	p.Expect(http.StatusTooManyRequests, "sending messages too fast")
	if !strings.HasPrefix(p.Text("#f-body"), "burst ") {
		t.Error("the refused message was not kept")
	}
	// The page's script gets the refusal as JSON (a token may have refilled meanwhile).
	refused := false
	for i := 0; i < 10 && !refused; i++ {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/chats/"+room+"/messages", strings.NewReader("body=again"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Plaza-Fetch", "1")
		switch js := a.Do(req); js.Status {
		case http.StatusOK:
			sent++
		case http.StatusTooManyRequests:
			refused = strings.Contains(js.Body, `"error":"You are sending messages too fast`)
			if !refused {
				t.Fatalf("script refusal: %s", js.Body)
			}
		default:
			t.Fatalf("script send: %d %s", js.Status, js.Body)
		}
	}
	if !refused {
		t.Fatal("script sends were never limited")
	}
	if n := s.Count("messages", "", nil); n != sent {
		t.Fatalf("%d messages stored, %d sent", n, sent)
	}
	// Other members are not slowed down by Ana.
	send(s.SignedIn(ben), room, "my turn").Expect(http.StatusSeeOther)
}

func TestReadingInOneTabClearsTheOthers(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriend(t, s, ana, ben)
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	room := openDM(t, a, ben.Id)
	send(a, room, "ping").Expect(http.StatusSeeOther)

	other := testkit.ReadSSE(t, b.Open("/events", nil).Body)
	defer other.Close()
	if ev := other.Next("unread"); !strings.Contains(ev.Data, `"total":1`) {
		t.Fatalf("initial unread %s", ev.Data)
	}
	b.Get("/chats/" + room).Expect(http.StatusOK)
	if ev := other.Next("unread"); !strings.Contains(ev.Data, `"total":0`) {
		t.Fatalf("after reading %s", ev.Data)
	}
}
