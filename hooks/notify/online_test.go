package notify_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"plaza/hooks/live"
	"plaza/hooks/notify"
	"plaza/hooks/testkit"
)

// A member who closes their last tab is offline at once, so what happens a
// moment later is pushed to their phone instead of waiting for a heartbeat.
func TestPushSoonAfterTheLastTabCloses(t *testing.T) {
	notify.AllowLoopbackPush()
	s := testkit.Start(t)
	srv, got := pushService(t)
	ana, ben, cai := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Cai", "cai@example.org")
	b := s.SignedIn(ben)
	postJSON(b, s, "/me/push", newDevice(t, srv.URL+"/ben").json()).Expect(http.StatusNoContent)

	tab := b.Open("/events", nil)
	if tab.StatusCode != http.StatusOK {
		t.Fatalf("/events: %d", tab.StatusCode)
	}
	read := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, tab.Body); close(read) }()
	hub := live.Of(s.App)
	deadline := time.Now().Add(5 * time.Second)
	for !hub.Online(ben.Id) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !hub.Online(ben.Id) {
		t.Fatal("the open tab does not count")
	}
	s.SignedIn(ana).PostForm("/friends/"+ben.Id+"/request", nil).Expect(http.StatusSeeOther)
	noPush(t, got, "a tab is open")

	closed := time.Now()
	tab.Body.Close()
	<-read
	for hub.Online(ben.Id) && time.Since(closed) < 2*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	if hub.Online(ben.Id) {
		t.Fatalf("a closed tab still counts as open after %s", time.Since(closed).Round(time.Millisecond))
	}
	s.SignedIn(cai).PostForm("/friends/"+ben.Id+"/request", nil).Expect(http.StatusSeeOther)
	select {
	case r := <-got:
		if r.path != "/ben" {
			t.Fatalf("pushed to %s", r.path)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no push within 3 s of the last tab closing")
	}
	if took := time.Since(closed); took > 5*time.Second {
		t.Errorf("the push took %s after the tab closed", took)
	}
}
