package chat_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/hooks/live"
	"plaza/hooks/testkit"
)

type liveMessage struct {
	Room, ID, Author, HTML string
	Seq                    int
}

func decode(t *testing.T, ev testkit.SSEEvent) liveMessage {
	t.Helper()
	var m liveMessage
	if err := json.Unmarshal([]byte(ev.Data), &m); err != nil {
		t.Fatalf("event data %q: %v", ev.Data, err)
	}
	return m
}

func TestEventsReplayAfterReconnect(t *testing.T) {
	t.Run("hub writes the connection", testReplay)
	t.Run("request goroutine writes (HTTP/2 path)", func(t *testing.T) {
		defer live.StreamFromRequestGoroutine()()
		testReplay(t)
	})
}

func testReplay(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, cai := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org")
	befriend(t, s, ana, ben)
	a, b, c := s.SignedIn(ana), s.SignedIn(ben), s.SignedIn(cai)
	room := openDM(t, a, ben.Id)

	res := b.Open("/events", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("X-Accel-Buffering") != "no" {
		t.Error("proxies may buffer the stream")
	}
	stream := testkit.ReadSSE(t, res.Body)
	stream.Next("unread")
	outsider := testkit.ReadSSE(t, c.Open("/events", nil).Body)
	defer outsider.Close()
	outsider.Next("unread")

	send(a, room, "one").Expect(http.StatusSeeOther)
	first := stream.Next("message")
	if m := decode(t, first); m.Room != room || !strings.Contains(m.HTML, "one") || m.Author != ana.Id {
		t.Fatalf("first event %+v", m)
	}
	if first.ID == "" {
		t.Fatal("message event without an id")
	}
	stream.Close()

	send(a, room, "two").Expect(http.StatusSeeOther)
	send(a, room, "three").Expect(http.StatusSeeOther)

	again := testkit.ReadSSE(t, b.Open("/events", http.Header{"Last-Event-ID": {first.ID}}).Body)
	defer again.Close()
	got := []string{}
	prev, _ := strconv.Atoi(first.ID)
	for range 2 {
		ev := again.Next("message")
		id, _ := strconv.Atoi(ev.ID)
		if id <= prev {
			t.Fatalf("ids out of order: %d after %d", id, prev)
		}
		prev = id
		m := decode(t, ev)
		got = append(got, m.HTML)
	}
	if !strings.Contains(got[0], "two") || !strings.Contains(got[1], "three") {
		t.Fatalf("replayed %q", got)
	}
	again.Next("unread")
	again.Quiet("message", 200*time.Millisecond) // exactly those two

	// Live again after the replay, and the outsider never saw any of it.
	send(a, room, "four").Expect(http.StatusSeeOther)
	if m := decode(t, again.Next("message")); !strings.Contains(m.HTML, "four") {
		t.Fatalf("live after replay: %+v", m)
	}
	outsider.Quiet("message", 200*time.Millisecond)

	// A recall reaches the stream as a new event for the same message.
	p := send(a, room, "oops")
	msgID := strings.TrimPrefix(p.Location, "/chats/"+room+"#m-")
	again.Next("message")
	a.PostForm("/chats/"+room+"/messages/"+msgID+"/recall", nil).Expect(http.StatusSeeOther)
	if m := decode(t, again.Next("message")); m.ID != msgID || !strings.Contains(m.HTML, "Message recalled") || strings.Contains(m.HTML, "oops") {
		t.Fatalf("recall event %+v", m)
	}
}

func TestEventsNeedSession(t *testing.T) {
	s := testkit.Start(t)
	res := s.Client().Open("/events", nil)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("guest stream: %d", res.StatusCode)
	}
	ana := s.Member("Ana", "ana@example.org")
	res = s.SignedIn(ana).Open("/events?last=abc", nil)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad position: %d", res.StatusCode)
	}
}

func TestStatsAreForSuperusersOnly(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/plaza/stats", nil)
	req.Header.Set("Authorization", s.Token(ana))
	if p := s.Client().Do(req); p.Status < 400 {
		t.Fatalf("a member read the stats: %d", p.Status)
	}
	su := s.Superuser()
	req.Header.Set("Authorization", s.Token(su))
	if p := s.Client().Do(req).Expect(http.StatusOK, `"goroutines"`, `"live_tabs"`); p.Status != 200 {
		t.Fatal(p.Body)
	}
}
