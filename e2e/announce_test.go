//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/hooks/chat"
	"plaza/hooks/testkit"
)

// TestJourneyAnnouncement: Ana, a member with no chats yet, has Chats open;
// Ada, an admin, publishes an announcement with a picture; Ana's chat list
// shows the pinned channel with an unread badge without reloading; she
// opens it and reads it, as the organisation's, with nowhere to reply.
func TestJourneyAnnouncement(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Ana Lima", "ana@example.org")
	adaRec := s.Member("Ada Admin", "ada@example.org")
	adaRec.Set("role", "admin")
	if err := s.App.Save(adaRec); err != nil {
		t.Fatal(err)
	}
	photo := writePNG(t, t.TempDir(), "picnic.png")

	root := startChromium(t)
	ana, ada := newBrowser(t, root, s.URL, "ana"), newBrowser(t, root, s.URL, "ada")
	ana.signIn("ana@example.org")
	ada.signIn("ada@example.org")

	ana.step("chats-open",
		ana.open("/chats"),
		expectText("[data-testid=empty]", "No chats yet"),
		run("window.__sameDocument = true"),
	)
	ada.step("publish",
		ada.open("/admin/announcements"),
		typeInto("#f-title", "Picnic on Saturday"),
		typeInto("#f-body", "Bring **food** to the park at noon."),
		chromedp.SetUploadFiles(css("#f-image"), []string{photo}),
		clickAndLoad("[data-testid=announce-form] button[type=submit]", http.StatusOK),
		ada.expectPath("/admin/announcements"),
		expectText("[data-testid=flash]", "Published"),
		expectText("[data-testid=announcement]", "Picnic on Saturday", "Ada Admin"),
	)
	var room string
	ada.step("channel-stored", check("the channel exists", func() error {
		r, err := chat.FindChannel(s.App)
		if err != nil || r == nil {
			return fmt.Errorf("no channel (%v)", err)
		}
		room = r.Id
		return nil
	}))

	ana.step("list-updates-live",
		waitText("[data-testid=rooms]", "Picnic on Saturday"),
		expectJS("no reload", "window.__sameDocument === true"),
		expectJS("pinned first", `document.querySelector("[data-testid=room]").dataset.room === "`+room+`" && !!document.querySelector("[data-testid=room] [data-testid=pinned]")`),
		expectText("[data-testid=room] .cell__title", "Plaza"),
		expectText("[data-testid=room] [data-testid=unread]", "1"),
		waitText("[data-badge=chats]", "1"),
		expectCount("[data-testid=empty]", 0),
	)
	ana.step("read-it",
		clickAndLoad("[data-testid=room] a", http.StatusOK),
		ana.expectPath("/chats/"+room),
		expectText(".topbar__title", "Plaza"),
		expectText("[data-testid=messages]", "Picnic on Saturday", "Bring food to the park at noon."),
		expectText("[data-testid=message] .msg__author", "Plaza"),
		expectImageLoaded("[data-testid=message] .attachment--image img"),
		expectCount("[data-testid=composer]", 0),
		expectCount("[data-testid=reply]", 0),
		expectText("[data-testid=composer-off]", "Only the organisation posts in this channel"),
	)
	ana.step("read-marked",
		ana.open("/chats"),
		expectCount("[data-testid=room] [data-testid=unread]", 0),
	)
}
