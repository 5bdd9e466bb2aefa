//go:build e2e

package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
)

// TestJourneyReportAndHide: Ben reports a message from Ana; Mo, a moderator,
// finds it in the queue with its context and hides it; Ben and Cy no longer
// see it, Ana sees it marked as hidden.
func TestJourneyReportAndHide(t *testing.T) {
	s := testkit.Start(t)
	anaRec, benRec, cyRec := s.Member("Ana Lima", "ana@example.org"), s.Member("Ben Okafor", "ben@example.org"), s.Member("Cy Park", "cy@example.org")
	moRec := s.Member("Mo Reyes", "mo@example.org")
	moRec.Set("role", "moderator")
	if err := s.App.Save(moRec); err != nil {
		t.Fatal(err)
	}
	owner := s.SignedIn(anaRec)
	for _, f := range []string{benRec.Id, cyRec.Id} {
		owner.PostForm("/friends/"+f+"/request", nil)
	}
	s.SignedIn(benRec).PostForm("/friends/"+anaRec.Id+"/accept", nil)
	s.SignedIn(cyRec).PostForm("/friends/"+anaRec.Id+"/accept", nil)
	room := owner.PostForm("/chats", map[string][]string{"title": {"Book club"}, "members": {benRec.Id, cyRec.Id}}).Location
	roomID := room[len("/chats/"):]
	if _, _, err := chat.Send(s.App, roomID, chat.Draft{Author: anaRec.Id, Kind: "text", Body: "Anyone want to read the next chapter?"}); err != nil {
		t.Fatal(err)
	}
	bad, _, err := chat.Send(s.App, roomID, chat.Draft{Author: anaRec.Id, Kind: "text", Body: "Cheap watches at scam.example"})
	if err != nil {
		t.Fatal(err)
	}

	root := startChromium(t)
	ben, mo, ana, cy := newBrowser(t, root, s.URL, "ben"), newBrowser(t, root, s.URL, "mo"), newBrowser(t, root, s.URL, "ana"), newBrowser(t, root, s.URL, "cy")
	for b, email := range map[*Browser]string{ben: "ben@example.org", mo: "mo@example.org", ana: "ana@example.org", cy: "cy@example.org"} {
		b.signIn(email)
	}
	ben.step("report",
		ben.open(room),
		expectText("#m-"+bad.Id, "Cheap watches"),
		clickAndLoad("#m-"+bad.Id+" [data-testid=report]", http.StatusOK),
		expectText("[data-testid=report-form]", "this message"),
		chromedp.Click(css("input[name=reason][value=scam]")),
		typeInto("#f-note", "a scam link"),
		clickAndLoad("[data-testid=report-form] button[type=submit]", http.StatusOK),
		ben.expectPath(room),
		expectText("[data-testid=flash]", "Thanks. Moderators will look at your report."),
	)
	mo.step("queue",
		mo.open("/admin/reports"),
		expectText("[data-testid=queue-item]", "Cheap watches at scam.example", "Anyone want to read the next chapter?", "Scam or fraud", "a scam link", "Ben Okafor"),
		typeInto("[data-testid=queue-item] #f-why", "scam link"),
		clickAndLoad("[data-testid=hide]", http.StatusOK),
		expectText("[data-testid=flash]", "Hidden."),
		expectText("[data-testid=empty]", "Nothing here"),
	)
	ben.step("gone-for-ben", ben.open(room), expectText("#m-"+bad.Id, "hidden by moderators"))
	cy.step("gone-for-cy", cy.open(room), expectText("#m-"+bad.Id, "hidden by moderators"))
	ana.step("ana-is-told", ana.open(room), expectText("#m-"+bad.Id, "Cheap watches", "Hidden by moderators"))
	for _, b := range []*Browser{ben, cy} {
		b.step("not-in-text", expectJS("the text is gone", `!document.body.textContent.includes("Cheap watches")`))
	}
	if n := s.Count("moderation_log", "action = 'hide' AND reason = 'scam link'", nil); n != 1 {
		t.Fatalf("%d log entries", n)
	}
}
