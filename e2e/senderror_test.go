//go:build e2e

package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/hooks/testkit"
)

// TestSendFailureShowsReason: when the server fails to store a message (here
// SQLite refuses every insert, as on a full disk), the room says what the
// server said, not "check your connection", and the typed text stays.
func TestSendFailureShowsReason(t *testing.T) {
	s := testkit.Start(t)
	anaRec, benRec := s.Member("Ana Lima", "ana@example.org"), s.Member("Ben Okafor", "ben@example.org")
	s.SignedIn(anaRec).PostForm("/friends/"+benRec.Id+"/request", nil)
	s.SignedIn(benRec).PostForm("/friends/"+anaRec.Id+"/accept", nil).ExpectRedirect("/u/" + anaRec.Id)
	room := s.SignedIn(anaRec).PostForm("/chats/direct/"+benRec.Id, nil).Location
	if _, err := s.App.DB().NewQuery(`CREATE TRIGGER test_disk_full BEFORE INSERT ON messages
		BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END`).Execute(); err != nil {
		t.Fatal(err)
	}
	root := startChromium(t)
	ana := newBrowser(t, root, s.URL, "ana")
	ana.signIn("ana@example.org")
	ana.step("send-fails",
		ana.open(room),
		run("window.__sameDocument = true"),
		typeInto("#f-body", "Hello Ben"),
		chromedp.Click(css("[data-testid=send]")),
		waitText("[data-testid=form-errors]", "Plaza hit a problem and could not finish"),
		expectJS("not blamed on the connection", `!document.querySelector("[data-testid=form-errors]").textContent.includes("connection")`),
		expectValue("#f-body", "Hello Ben"),
		expectJS("no reload", "window.__sameDocument === true"),
	)
}
