//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// TestJourneySignUpProfileFriends: Ana joins through the sign-up form, signs
// out and in again, gives herself a photo and a bio, finds Ben in the
// directory and asks to be friends; Ben, in his own browser, accepts.
func TestJourneySignUpProfileFriends(t *testing.T) {
	s := testkit.Start(t)
	ben := s.Member("Ben Okafor", "ben@example.org")
	root := startChromium(t)

	const (
		anaName  = "Ana Lima"
		anaEmail = "ana.lima@example.org"
		anaPass  = "sunny-lisbon-2024"
		anaBio   = "Coffee, maps and long walks by the river."
	)
	ana := newBrowser(t, root, s.URL, "ana")

	ana.step("signup",
		ana.open("/signup"),
		typeInto("#f-name", anaName),
		typeInto("#f-email", anaEmail),
		typeInto("#f-password", anaPass),
		clickAndLoad("form[data-testid=signup-form] button[type=submit]", http.StatusOK),
		ana.expectPath("/me"),
		expectText("[data-testid=flash]", "Welcome", anaName),
		expectText("[data-testid=me]", anaName, anaEmail),
	)
	var anaID string
	ana.step("signup-stored", check("Ana is stored as an active member", func() error {
		rec, err := s.App.FindAuthRecordByEmail("users", anaEmail)
		if err != nil {
			return err
		}
		anaID = rec.Id
		if got := rec.GetString("status"); got != "active" {
			return fmt.Errorf("status %q, want active", got)
		}
		if !rec.ValidatePassword(anaPass) {
			return fmt.Errorf("stored password does not match what she typed")
		}
		return nil
	}))

	ana.step("signout",
		clickAndLoad("[data-testid=signout]", http.StatusOK),
		ana.expectPath("/signin"),
		expectText("[data-testid=flash]", "signed out"),
		expectCount("form[data-testid=signin-form]", 1),
	)
	ana.step("signout-locks-me",
		ana.open("/me"), // a guest is sent to sign in
		ana.expectPath("/signin"),
	)

	ana.step("signin",
		ana.open("/signin"),
		typeInto("#f-email", anaEmail),
		typeInto("#f-password", anaPass),
		clickAndLoad("form[data-testid=signin-form] button[type=submit]", http.StatusOK),
		ana.expectPath("/chats"),
	)

	avatar := writePNG(t, t.TempDir(), "ana.png")
	ana.step("edit-profile",
		ana.open("/me/edit"),
		expectValue("#f-name", anaName),
		expectValue("#f-bio", ""),
		chromedp.SetUploadFiles(css("#f-avatar"), []string{avatar}),
		// The page previews the chosen photo before saving.
		expectImageLoaded("[data-testid=profile-form] .avatar-edit img.avatar"),
		typeInto("#f-bio", anaBio),
		clickAndLoad("form[data-testid=profile-form] button[type=submit]", http.StatusOK),
		ana.expectPath("/me"),
		expectText("[data-testid=flash]", "Profile saved"),
		expectImageLoaded("[data-testid=me] img.avatar"),
		expectText("[data-testid=me] .profile-head__bio", anaBio),
	)
	ana.step("profile-stored", check("Ana's photo and bio are stored", func() error {
		rec, err := s.App.FindAuthRecordByEmail("users", anaEmail)
		if err != nil {
			return err
		}
		rec = s.Reload(rec)
		if rec.GetString("avatar") == "" {
			return fmt.Errorf("no avatar file name stored")
		}
		if got := rec.GetString("bio"); got != anaBio {
			return fmt.Errorf("bio %q, want %q", got, anaBio)
		}
		return nil
	}))

	benRow := fmt.Sprintf("li[data-testid=person][data-person=%q]", ben.Id)
	ana.step("find-ben",
		ana.open("/people"),
		expectText(benRow, "Ben Okafor"),
		clickAndLoad(benRow+" a", http.StatusOK),
		ana.expectPath("/u/"+ben.Id),
		expectText("[data-testid=profile]", "Ben Okafor"),
		expectAttr("[data-testid=relation]", "data-relation", "strangers"),
	)
	ana.step("add-ben",
		clickAndLoad("[data-testid=friend-request]", http.StatusOK),
		ana.expectPath("/u/"+ben.Id),
		expectText("[data-testid=flash]", "Friend request sent to Ben Okafor"),
		expectAttr("[data-testid=relation]", "data-relation", "sent"),
		expectText("[data-testid=relation]", "Request sent"),
	)

	// Ben, on his own phone: his cookies are not Ana's.
	benB := newBrowser(t, root, s.URL, "ben")
	anaRow := fmt.Sprintf("li[data-testid=person][data-person=%q]", anaID)
	benB.step("signin",
		benB.open("/signin"),
		expectCount("[data-testid=signout]", 0),
		typeInto("#f-email", ben.Email()),
		typeInto("#f-password", testkit.Password),
		clickAndLoad("form[data-testid=signin-form] button[type=submit]", http.StatusOK),
		benB.expectPath("/chats"),
	)
	benB.step("see-request",
		benB.open("/friends"),
		expectText("ul[data-testid=incoming] "+anaRow, anaName),
		expectImageLoaded("ul[data-testid=incoming] "+anaRow+" img.avatar"),
		expectCount("ul[data-testid=friends]", 0),
	)
	benB.step("accept",
		clickAndLoad("ul[data-testid=incoming] "+anaRow+" [data-testid=friend-accept]", http.StatusOK),
		expectText("[data-testid=flash]", "You and "+anaName+" are now friends"),
		benB.open("/friends"),
		expectText("ul[data-testid=friends] "+anaRow, anaName),
		expectCount("ul[data-testid=incoming]", 0),
	)

	benRowFriends := "ul[data-testid=friends] " + benRow
	ana.step("sees-friend",
		ana.open("/friends"),
		expectText(benRowFriends, "Ben Okafor"),
		expectCount("ul[data-testid=outgoing]", 0),
		ana.open("/u/"+ben.Id),
		expectAttr("[data-testid=relation]", "data-relation", "friends"),
	)
	ana.step("friendship-stored", check("one accepted friendship between Ana and Ben", func() error {
		if n := s.Count("friendships", "state = 'accepted'", nil); n != 1 {
			return fmt.Errorf("%d accepted friendships, want 1", n)
		}
		if n := s.Count("friendships", "", nil); n != 1 {
			return fmt.Errorf("%d friendship rows, want 1", n)
		}
		n := s.Count("friendships", "requester = {:ana} AND addressee = {:ben} AND state = 'accepted'",
			dbx.Params{"ana": anaID, "ben": ben.Id})
		if n != 1 {
			return fmt.Errorf("no accepted row from Ana to Ben")
		}
		return nil
	}))
}

// TestJourneyBadInputKeepsTyping: a sign-up with a short password and a
// malformed email is refused with the problems listed, keeping what the
// visitor typed except the password, and storing nobody.
func TestJourneyBadInputKeepsTyping(t *testing.T) {
	s := testkit.Start(t)
	root := startChromium(t)
	cleo := newBrowser(t, root, s.URL, "cleo")

	cleo.step("bad-signup",
		cleo.open("/signup"),
		typeInto("#f-name", "Cleo Park"),
		typeInto("#f-email", "cleo-at-example.org"),
		typeInto("#f-password", "short"),
		clickAndLoad("form[data-testid=signup-form] button[type=submit]", http.StatusUnprocessableEntity),
		cleo.expectPath("/signup"),
		expectText("[data-testid=form-errors]", "Please fix"),
		expectFocused("[data-testid=form-errors]"), // read out first by screen readers
		expectText("[data-testid=error-email]"),
		expectText("[data-testid=error-password]"),
		expectValue("#f-name", "Cleo Park"),
		expectValue("#f-email", "cleo-at-example.org"),
		expectValue("#f-password", ""),
		expectAttr("#f-email", "aria-invalid", "true"),
		expectAttr("#f-password", "aria-invalid", "true"),
		expectCount("[data-testid=flash]", 0),
	)
	cleo.step("nobody-stored", check("no member was stored", func() error {
		if n := s.Count("users", "", nil); n != 0 {
			return fmt.Errorf("%d users stored, want 0", n)
		}
		return nil
	}))
}
