package notify_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
)

func befriend(s *testkit.Server, a, b *core.Record) {
	s.SignedIn(a).PostForm("/friends/"+b.Id+"/request", nil)
	s.SignedIn(b).PostForm("/friends/"+a.Id+"/accept", nil)
}

// says checks the notification list reads each text (whitespace normalised).
func says(t *testing.T, c *testkit.Client, texts ...string) {
	t.Helper()
	got := strings.Join(strings.Fields(c.Get("/notifications").Expect(http.StatusOK).Text("[data-testid=notifications]")), " ")
	for _, want := range texts {
		if !strings.Contains(got, want) {
			t.Errorf("notifications lack %q: %s", want, got)
		}
	}
}

func TestNotificationCentre(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cy := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cy", "cy@example.org")
	a, b, c := s.SignedIn(ana), s.SignedIn(ben), s.SignedIn(cy)

	live := testkit.ReadSSE(t, b.Open("/events", nil).Body)
	defer live.Close()
	live.Next("unread")
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	if ev := live.Next("notify"); !strings.Contains(ev.Data, `"count":1`) {
		t.Errorf("live count %s", ev.Data)
	}
	says(t, b, "Ana sent you a friend request")
	b.PostForm("/friends/"+ana.Id+"/accept", nil)
	says(t, a, "Ben accepted your friend request")
	befriend(s, ana, cy)

	// Likes from two friends group into one line.
	p := a.PostMultipart("/moments", url.Values{"body": {"sunset"}, "visibility": {"friends"}})
	post := strings.TrimPrefix(p.Location, "/moments#p-")
	b.PostForm("/moments/"+post+"/like", nil)
	c.PostForm("/moments/"+post+"/like", nil)
	a.PostForm("/moments/"+post+"/like", nil) // one's own: no notification
	b.PostForm("/moments/"+post+"/comments", url.Values{"body": {"lovely"}})
	says(t, a, "Cy and Ben liked your moment", "Ben commented on your moment")
	if strings.Contains(a.Get("/notifications").Body, "Ana</strong> liked") {
		t.Error("notified of one's own like")
	}
	if !a.Get("/me").Has("[data-badge=me] [data-testid=badge]") {
		t.Error("no Me badge with unread notifications")
	}

	// Mentions and replies in chats.
	room, err := chat.OpenDirect(s.App, ana.Id, ben.Id)
	if err != nil {
		t.Fatal(err)
	}
	b.PostForm("/chats/"+room.Id+"/messages", url.Values{"body": {"hey @Ana, look"}})
	says(t, a, "Ben mentioned you")
	msg, err := s.App.FindFirstRecordByFilter("messages", "body = 'hey @Ana, look'")
	if err != nil {
		t.Fatal(err)
	}
	a.PostForm("/chats/"+room.Id+"/messages", url.Values{"body": {"ok!"}, "reply_to": {msg.Id}})
	says(t, b, "Ana replied to your message")

	// Opening one marks it read and goes there; "mark all read" clears the rest.
	n, err := s.App.FindFirstRecordByFilter("notifications", "user = {:u} && kind = 'mention'", map[string]any{"u": ana.Id})
	if err != nil {
		t.Fatal(err)
	}
	a.Get("/notifications/" + n.Id + "/open").ExpectRedirect("/chats/" + room.Id + "#m-" + msg.Id)
	if !s.Reload(n).GetBool("read") {
		t.Error("opened notification still unread")
	}
	b.Get("/notifications/" + n.Id + "/open").Expect(http.StatusNotFound)
	a.PostForm("/notifications/read", nil).ExpectRedirect("/notifications")
	if got := s.Count("notifications", "user = {:u} AND read = FALSE", map[string]any{"u": ana.Id}); got != 0 {
		t.Errorf("%d unread after mark all read", got)
	}
	if a.Get("/me").Has("[data-badge=me] [data-testid=badge]") {
		t.Error("Me badge after reading everything")
	}

	// Orders tell both sides.
	coll, _ := s.App.FindCollectionByNameOrId("orders")
	o := core.NewRecord(coll)
	o.Set("buyer", ben.Id)
	o.Set("seller", ana.Id)
	o.Set("title", "Lamp")
	o.Set("quantity", 1)
	o.Set("unit_price", 500)
	o.Set("amount", 500)
	o.Set("currency", "usd")
	o.Set("status", "pending")
	if err := s.App.Save(o); err != nil {
		t.Fatal(err)
	}
	o.Set("status", "paid")
	if err := s.App.Save(o); err != nil {
		t.Fatal(err)
	}
	says(t, b, "Payment received for “Lamp”")
	says(t, a, "Sold: “Lamp” is paid")

	// Through the API a member reads only their own.
	tok := s.Token(cy)
	if p := s.API(http.MethodGet, "/api/collections/notifications/records", tok, "", nil); strings.Contains(p.Body, ana.Id) && strings.Contains(p.Body, `"user":"`+ana.Id) {
		t.Errorf("another member's notifications through the API: %s", p.Body)
	}
}
