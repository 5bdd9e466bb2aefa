package announce_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
	"plaza/templates"
)

// admin stores a member with the admin role.
func admin(t *testing.T, s *testkit.Server, name, email string) *core.Record {
	t.Helper()
	a := s.Member(name, email)
	a.Set("role", "admin")
	if err := s.App.Save(a); err != nil {
		t.Fatal(err)
	}
	return a
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := 0; x < 8; x++ {
		img.Set(x, x, color.RGBA{7, 193, 96, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// publish posts the announcement form.
func publish(c *testkit.Client, title, body string, email bool, files ...testkit.Upload) *testkit.Page {
	f := url.Values{"title": {title}, "body": {body}}
	if email {
		f.Set("email", "1")
	}
	return c.PostMultipart("/admin/announcements", f, files...)
}

func channelOf(t *testing.T, s *testkit.Server) *core.Record {
	t.Helper()
	r, err := chat.FindChannel(s.App)
	if err != nil || r == nil {
		t.Fatalf("no channel: %v", err)
	}
	return r
}

// TestAnnouncementReachesEveryMember: an admin publishes; members see it
// pinned in Chats with an unread badge, live on an open stream and in the
// channel, shown as the organisation; so does a member who signs up later.
func TestAnnouncementReachesEveryMember(t *testing.T) {
	s := testkit.Start(t)
	ada := admin(t, s, "Ada Admin", "ada@example.org")
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	ad, a := s.SignedIn(ada), s.SignedIn(ana)

	// Ana and Ben already chat; Ana has a tab open.
	s.SignedIn(ana).PostForm("/friends/"+ben.Id+"/request", nil)
	s.SignedIn(ben).PostForm("/friends/"+ana.Id+"/accept", nil)
	dm := strings.TrimPrefix(a.PostForm("/chats/direct/"+ben.Id, nil).Location, "/chats/")
	s.SignedIn(ben).PostForm("/chats/"+dm+"/messages", url.Values{"body": {"hi Ana"}}).Expect(http.StatusSeeOther)
	live := testkit.ReadSSE(t, a.Open("/events", nil).Body)
	defer live.Close()
	live.Next("unread")

	page := ad.Get("/admin/announcements").Expect(http.StatusOK, "Nothing published yet")
	if !page.Has("form[data-testid=announce-form]") || page.Has("[data-testid=channel-link]") {
		t.Fatal("the form is missing, or a channel exists before the first announcement")
	}
	publish(ad, "Picnic on Saturday", "Bring **food** to the park at noon.", false,
		testkit.Upload{Field: "image", Name: "park photo", Data: pngBytes(t)}).ExpectRedirect("/admin/announcements")
	room := channelOf(t, s)

	// Live, on the tab Ana had open before the channel existed (Ben's
	// message may come first).
	var ev struct{ Room, ID, Author, HTML string }
	for ev.Room != room.Id {
		if err := json.Unmarshal([]byte(live.Next("message").Data), &ev); err != nil {
			t.Fatal(err)
		}
	}
	if ev.Room != room.Id || !strings.Contains(ev.HTML, "<strong>food</strong>") || !strings.Contains(ev.HTML, "Picnic on Saturday") {
		t.Fatalf("live event: %+v", ev)
	}
	if !strings.Contains(ev.HTML, `data-official`) || strings.Contains(ev.HTML, "Ada Admin") || !strings.Contains(ev.HTML, ">Plaza<") {
		t.Errorf("live message not shown as the organisation: %s", ev.HTML)
	}

	// Stored once, as a message of the channel and an announcement.
	msg, err := s.App.FindRecordById("messages", ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.GetString("author") != ada.Id || msg.GetString("kind") != "image" || len(msg.GetStringSlice("attachments")) != 1 ||
		!strings.HasSuffix(msg.GetStringSlice("attachments")[0], ".png") {
		t.Errorf("message: author %q kind %q files %v", msg.GetString("author"), msg.GetString("kind"), msg.GetStringSlice("attachments"))
	}
	ann, err := s.App.FindFirstRecordByFilter("announcements", "message = {:m}", dbx.Params{"m": msg.Id})
	if err != nil {
		t.Fatal(err)
	}
	if ann.GetString("title") != "Picnic on Saturday" || ann.GetString("author") != ada.Id || ann.GetBool("emailed") || ann.GetString("image") == "" {
		t.Errorf("announcement %v", ann.FieldsData())
	}
	if n := s.Count("rooms", "kind = 'channel'", nil); n != 1 {
		t.Fatalf("%d channels", n)
	}

	// A reconnecting tab replays it.
	replayed := testkit.ReadSSE(t, a.Open("/events", http.Header{"Last-Event-ID": {"1"}}).Body)
	defer replayed.Close()
	if got := replayed.Next("message"); !strings.Contains(got.Data, msg.Id) {
		t.Errorf("replay: %s", got.Data)
	}

	checkMember := func(c *testkit.Client, who string) {
		t.Helper()
		list := c.Get("/chats").Expect(http.StatusOK, "Picnic on Saturday")
		first := list.Doc.Find("[data-testid=room]").First()
		if id, _ := first.Attr("data-room"); id != room.Id || first.Find("[data-testid=pinned]").Length() != 1 {
			t.Fatalf("%s: the channel is not pinned first", who)
		}
		if got := strings.TrimSpace(first.Find(".cell__title").Text()); got != "Plaza" {
			t.Errorf("%s: channel titled %q", who, got)
		}
		if got := first.Find("[data-testid=unread]").Text(); !strings.HasPrefix(got, "1") {
			t.Errorf("%s: unread badge %q", who, got)
		}
		if strings.Contains(first.Find("[data-preview]").Text(), "Ada") {
			t.Errorf("%s: the preview names the admin", who)
		}
		p := c.Get("/chats/"+room.Id).Expect(http.StatusOK, "<strong>food</strong>", "Only the organisation posts in this channel")
		if p.Has("[data-testid=composer]") || !p.Has("[data-testid=composer-off]") {
			t.Errorf("%s: the channel has a composer", who)
		}
		m := p.Doc.Find("[data-testid=message]")
		if m.Length() != 1 || m.Find(".msg__author").Text() != "Plaza" || m.Find("[data-testid=reply]").Length() != 0 ||
			m.Find("[data-testid=report]").Length() != 0 || m.Find(".attachment--image img").Length() != 1 {
			t.Errorf("%s: the announcement is not shown as the organisation's:\n%s", who, p.Body)
		}
		if c.Get("/chats").Doc.Find("[data-room='"+room.Id+"'] [data-testid=unread]").Length() != 0 {
			t.Errorf("%s: still unread after reading", who)
		}
	}
	checkMember(a, "Ana")
	checkMember(s.SignedIn(ben), "Ben")

	// Someone who signs up after the channel exists has it, unread.
	zoe := s.Client()
	zoe.PostForm("/signup", url.Values{"name": {"Zoe New"}, "email": {"zoe@example.org"}, "password": {"long-enough-pw"}}).ExpectRedirect("/me")
	tab := zoe.Get("/chats").Text("nav.tabbar [data-badge=chats] .visually-hidden")
	if tab != "1 unread message" {
		t.Errorf("Zoe's Chats tab: %q", tab)
	}
	checkMember(zoe, "Zoe")

	// The admin reads it as the organisation too, and sees it listed.
	ad.Get("/chats/"+room.Id).Expect(http.StatusOK, "Publish an announcement")
	past := ad.Get("/admin/announcements").Expect(http.StatusOK, "Picnic on Saturday", "Ada Admin")
	if past.Doc.Find("[data-testid=announcement]").Length() != 1 || !past.Has("[data-testid=channel-link]") ||
		!past.Has("[data-testid=announcement] img") {
		t.Error("the admin page doesn't list the announcement")
	}

	// The channel follows the organisation's name.
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("name", "Riverside Club")
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
	if got := s.Reload(room).GetString("title"); got != "Riverside Club" {
		t.Errorf("channel title %q after the rename", got)
	}
	a.Get("/chats").Expect(http.StatusOK, "Riverside Club")
}

// TestLaterMembersJoin: members approved later join; a second announcement
// reuses the channel.
func TestLaterMembersJoin(t *testing.T) {
	s := testkit.Start(t)
	ada := admin(t, s, "Ada Admin", "ada@example.org")
	ad := s.SignedIn(ada)
	publish(ad, "", "First", false).ExpectRedirect("/admin/announcements")
	room := channelOf(t, s)

	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("registration", "approval")
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
	s.Client().PostForm("/signup", url.Values{"name": {"Pat Pending"}, "email": {"pat@example.org"}, "password": {"long-enough-pw"}})
	pat, err := s.App.FindAuthRecordByEmail("users", "pat@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chat.Membership(s.App, room.Id, pat.Id); err == nil {
		t.Fatal("a pending member is in the channel")
	}
	pat.Set("status", "active") // approved
	if err := s.App.Save(pat); err != nil {
		t.Fatal(err)
	}
	if _, err := chat.Membership(s.App, room.Id, pat.Id); err != nil {
		t.Fatalf("an approved member isn't in the channel: %v", err)
	}

	publish(ad, "", "Second", false).ExpectRedirect("/admin/announcements")
	if n := s.Count("rooms", "kind = 'channel'", nil); n != 1 {
		t.Fatalf("%d channels", n)
	}
	list := s.SignedIn(pat).Get("/chats")
	if got := list.Doc.Find("[data-room='" + room.Id + "'] [data-testid=unread]").Text(); !strings.HasPrefix(got, "2") {
		t.Errorf("Pat's unread: %q", got)
	}
}

// TestChannelIsReadOnly: members (and admins, through chat) can't post in
// the channel or leave it; they can mute it.
func TestChannelIsReadOnly(t *testing.T) {
	s := testkit.Start(t)
	ada := admin(t, s, "Ada Admin", "ada@example.org")
	ana := s.Member("Ana", "ana@example.org")
	ad, a := s.SignedIn(ada), s.SignedIn(ana)
	publish(ad, "", "Welcome!", false).ExpectRedirect("/admin/announcements")
	room := channelOf(t, s)
	before := s.Count("messages", "", nil)

	for who, c := range map[string]*testkit.Client{"member": a, "admin": ad} {
		p := c.PostForm("/chats/"+room.Id+"/messages", url.Values{"body": {"me too"}})
		p.Expect(http.StatusForbidden, "Only the organisation posts in this channel")
		if p.Has("[data-testid=composer]") {
			t.Errorf("%s: the refusal shows a composer", who)
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/chats/"+room.Id+"/messages", strings.NewReader("body=me+too"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Plaza-Fetch", "1")
		c.Do(req).Expect(http.StatusForbidden, "Only the organisation posts")
	}
	// Other ways into a room (a mini-program's share) go through chat.Send.
	if _, _, err := chat.Send(s.App, room.Id, chat.Draft{Author: ana.Id, Kind: "text", Body: "sneaky"}); err == nil {
		t.Error("chat.Send took a member's message into the channel")
	}
	choices, err := chat.RoomChoices(s.App, ana.Id, 50)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(choices, func(c templates.Choice) bool { return c.ID == room.Id }) {
		t.Error("the channel is offered as a chat to share to")
	}
	if n := s.Count("messages", "", nil); n != before {
		t.Fatalf("%d messages stored by refused sends", n-before)
	}

	a.PostForm("/chats/"+room.Id+"/leave", nil).Expect(http.StatusForbidden, "mute it instead")
	if _, err := chat.Membership(s.App, room.Id, ana.Id); err != nil {
		t.Fatal("Ana left the channel")
	}
	info := a.Get("/chats/"+room.Id+"/info").Expect(http.StatusOK, "Only the organisation posts here", "2 members")
	if info.Has("[data-testid=leave]") || info.Has("[data-testid=room-members]") || !info.Has("[data-testid=mute]") {
		t.Error("the channel's details offer leaving, list members or lack muting")
	}
	a.PostForm("/chats/"+room.Id+"/mute", url.Values{"muted": {"1"}}).Expect(http.StatusSeeOther)
	if !a.Get("/chats").Has("[data-room='" + room.Id + "'] [data-testid=muted]") {
		t.Error("muting the channel didn't stick")
	}
	for _, path := range []string{"/rename", "/members"} {
		if p := ad.PostForm("/chats/"+room.Id+path, url.Values{"title": {"Mine"}, "members": {ana.Id}}); p.Status != http.StatusForbidden {
			t.Errorf("POST %s: %d", path, p.Status)
		}
	}
}

// TestAdminsOnly: members and moderators can't open or post the page; the
// REST API doesn't serve announcements to them either.
func TestAdminsOnly(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	mod := s.Member("Mo Moderator", "mo@example.org")
	mod.Set("role", "moderator")
	if err := s.App.Save(mod); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*core.Record{ana, mod} {
		c := s.SignedIn(m)
		c.Get("/admin/announcements").Expect(http.StatusForbidden, "Only the organisation&#39;s admins")
		publish(c, "", "Hello everyone", false).Expect(http.StatusForbidden)
	}
	if p := s.Client().Get("/admin/announcements"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/signin") {
		t.Errorf("guest: %d %q", p.Status, p.Location)
	}
	if s.Count("announcements", "", nil) != 0 || s.Count("messages", "", nil) != 0 || s.Count("rooms", "", nil) != 0 {
		t.Fatal("a refused publish stored something")
	}

	publish(s.SignedIn(admin(t, s, "Ada", "ada@example.org")), "", "Hello", false).ExpectRedirect("/admin/announcements")
	for _, tok := range []string{"", s.Token(ana), s.Token(mod)} {
		p := s.API(http.MethodGet, "/api/collections/announcements/records", tok, "", nil)
		if p.Status == http.StatusOK && strings.Contains(p.Body, "Hello") {
			t.Errorf("the API listed announcements: %s", p.Body)
		}
		p = s.API(http.MethodPost, "/api/collections/announcements/records", tok, "application/json", []byte(`{"body":"forged"}`))
		if p.Status < 400 {
			t.Errorf("the API took an announcement: %d", p.Status)
		}
	}
}

// TestBadInput: each refusal brings the form back with the text kept and
// stores nothing.
func TestBadInput(t *testing.T) {
	s := testkit.Start(t)
	ad := s.SignedIn(admin(t, s, "Ada Admin", "ada@example.org"))
	big := append(pngBytes(t), make([]byte, 10<<20)...)
	cases := []struct {
		name, title, body string
		files             []testkit.Upload
		status            int
		says              string
	}{
		{"empty body", "Title kept", "   ", nil, http.StatusUnprocessableEntity, "Write the announcement first"},
		{"too long", "", strings.Repeat("é", 5001), nil, http.StatusUnprocessableEntity, "under 5,000 characters"},
		{"long title", strings.Repeat("t", 101), "Body kept", nil, http.StatusUnprocessableEntity, "title under 100"},
		{"not a picture", "", "Body kept", []testkit.Upload{{Field: "image", Name: "x.png", Data: []byte("<!doctype html><script>alert(1)</script>")}},
			http.StatusUnprocessableEntity, "is not a picture"},
		{"too big", "", "Body kept", []testkit.Upload{{Field: "image", Name: "huge.png", Data: big}}, http.StatusRequestEntityTooLarge, "larger than 10 MB"},
		{"two pictures", "", "Body kept", []testkit.Upload{{Field: "image", Name: "a.png", Data: pngBytes(t)}, {Field: "image", Name: "b.png", Data: pngBytes(t)}},
			http.StatusUnprocessableEntity, "Choose one picture"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := publish(ad, c.title, c.body, false, c.files...).Expect(c.status, c.says)
			if !p.Has("[data-testid=form-errors]") {
				t.Error("no error summary")
			}
			if got := p.Text("#f-body"); got != strings.TrimSpace(c.body) {
				t.Errorf("body not kept: %q", clip(got))
			}
			if got := p.Value("#f-title"); got != c.title {
				t.Errorf("title not kept: %q", clip(got))
			}
		})
	}
	if s.Count("announcements", "", nil) != 0 || s.Count("messages", "", nil) != 0 || s.Count("rooms", "", nil) != 0 {
		t.Fatal("refused announcements stored something")
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// TestEmailCopies: without SMTP the option is off and nothing is mailed;
// with it, each active member gets one email, and publishing doesn't wait.
func TestEmailCopies(t *testing.T) {
	s := testkit.Start(t)
	ada := admin(t, s, "Ada Admin", "ada@example.org")
	ad := s.SignedIn(ada)
	s.Member("Ana", "ana@example.org")
	s.Member("Ben", "ben@example.org")
	gone := s.Member("Sam Suspended", "sam@example.org")
	gone.Set("status", "suspended")
	if err := s.App.Save(gone); err != nil {
		t.Fatal(err)
	}

	page := ad.Get("/admin/announcements").Expect(http.StatusOK, "no mail (SMTP) settings")
	if _, disabled := page.Doc.Find("[data-testid=email]").Attr("disabled"); !disabled {
		t.Error("the email option is on without SMTP")
	}
	ad.Follow(publish(ad, "", "No mail yet", true).ExpectRedirect("/admin/announcements")).Expect(http.StatusOK, "not emailed")
	time.Sleep(100 * time.Millisecond)
	if n := s.App.TestMailer.TotalSend(); n != 0 {
		t.Fatalf("%d emails sent without SMTP", n)
	}

	s.App.Settings().SMTP.Enabled = true
	s.App.Settings().SMTP.Host = "127.0.0.1"
	s.App.Settings().SMTP.Port = 2525
	page = ad.Get("/admin/announcements")
	if _, disabled := page.Doc.Find("[data-testid=email]").Attr("disabled"); disabled || page.Has("[data-testid=no-smtp]") {
		t.Error("the email option is off with SMTP set up")
	}
	ad.Follow(publish(ad, "Meeting moved", "The meeting is on **Friday** now.", true).ExpectRedirect("/admin/announcements")).
		Expect(http.StatusOK, "Email copies are going out")

	want := []string{"ada@example.org", "ana@example.org", "ben@example.org"}
	deadline := time.Now().Add(5 * time.Second)
	for s.App.TestMailer.TotalSend() < len(want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // and no more come
	var got []string
	for _, m := range s.App.TestMailer.Messages() {
		if len(m.To) != 1 || len(m.Bcc) != 0 || len(m.Cc) != 0 {
			t.Fatalf("an email to %v (bcc %v): one address per email", m.To, m.Bcc)
		}
		got = append(got, m.To[0].Address)
		if m.Subject != "Plaza: Meeting moved" || !strings.Contains(m.HTML, "<strong>Friday</strong>") ||
			!strings.Contains(m.Text, "/chats/"+channelOf(t, s).Id) {
			t.Errorf("email: %q\n%s\n%s", m.Subject, m.HTML, m.Text)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("emailed %v, want %v", got, want)
	}
	if s.Count("announcements", "emailed = TRUE", nil) != 1 {
		t.Error("the emailed announcement isn't marked")
	}
	if !ad.Get("/admin/announcements").Has("[data-testid=emailed]") {
		t.Error("the admin page doesn't say it was emailed")
	}
}
