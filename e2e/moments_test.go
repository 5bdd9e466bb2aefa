//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/hooks/testkit"
)

// TestJourneyMomentsLive: Ana posts a moment with two photos; her friend Fay
// likes it and comments; Ana, whose feed stays open, sees both arrive live.
func TestJourneyMomentsLive(t *testing.T) {
	s := testkit.Start(t)
	anaRec, fayRec := s.Member("Ana Lima", "ana@example.org"), s.Member("Fay Olsen", "fay@example.org")
	s.SignedIn(anaRec).PostForm("/friends/"+fayRec.Id+"/request", nil)
	s.SignedIn(fayRec).PostForm("/friends/"+anaRec.Id+"/accept", nil).ExpectRedirect("/u/" + anaRec.Id)
	dir := t.TempDir()
	photos := []string{writePNG(t, dir, "one.png"), writePNG(t, dir, "two.png")}

	root := startChromium(t)
	ana, fay := newBrowser(t, root, s.URL, "ana"), newBrowser(t, root, s.URL, "fay")
	ana.signIn("ana@example.org")
	fay.signIn("fay@example.org")

	ana.step("post",
		ana.open("/moments"),
		chromedp.Click(css("[data-testid=compose-toggle] > summary")),
		typeInto("#f-body", "Picnic by the river today"),
		chromedp.SetUploadFiles(css("#f-photos"), photos),
		clickAndLoad("form[data-testid=compose] button[type=submit]", http.StatusOK),
		ana.expectPath("/moments"),
		expectText("[data-testid=posts]", "Picnic by the river today"),
		expectCount("[data-testid=post] .photos img", 2),
		expectImageLoaded("[data-testid=post] .photos img"),
		run("window.__sameDocument = true"),
	)
	var postID string
	ana.step("stored", check("the post and its photos are stored", func() error {
		p, err := s.App.FindFirstRecordByFilter("posts", "body = 'Picnic by the river today'")
		if err != nil {
			return err
		}
		if n := len(p.GetStringSlice("photos")); n != 2 {
			return fmt.Errorf("%d photos stored", n)
		}
		postID = p.Id
		return nil
	}))

	fay.step("fay-likes",
		fay.open("/moments"),
		expectText("#p-"+postID, "Ana Lima", "Picnic by the river today"),
		expectImageLoaded("#p-"+postID+" .photos img"),
		clickAndLoad("#p-"+postID+" form[action$='/like'] button", http.StatusOK),
		expectText("[data-testid=likes]", "Fay Olsen"),
	)
	fay.step("fay-comments",
		typeInto("#f-body", "Save me a sandwich!"),
		clickAndLoad("form[data-testid=comment-form] button[type=submit]", http.StatusOK),
		expectText("[data-testid=comments]", "Save me a sandwich!"),
	)

	ana.step("ana-sees-it-live",
		waitText("#p-"+postID+" [data-testid=likes]", "Fay Olsen"),
		waitText("#p-"+postID+" [data-testid=comments]", "Save me a sandwich!"),
		expectCount("nav.tabbar [data-testid=moments-dot]", 1),
		expectJS("no reload", "window.__sameDocument === true"),
	)
	ana.step("notices",
		ana.open("/moments/notices"),
		expectText("[data-testid=notices]", "Fay Olsen liked your moment", "Fay Olsen commented on your moment"),
		expectCount("nav.tabbar [data-testid=moments-dot]", 0),
	)
}
