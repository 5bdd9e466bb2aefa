//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// waitText waits (up to 10 s, on DOM changes) until the first element
// matching sel contains want — with no navigation, so it proves live updates.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		expr := fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.textContent.includes(%q); })()`, sel, want)
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		if err != nil {
			return fmt.Errorf("%s never showed %q: %w", sel, want, err)
		}
		return nil
	})
}

// expectJS checks a JavaScript expression is true on the page.
func expectJS(what, expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s: %s is false", what, expr)
		}
		return nil
	})
}

func run(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}

func (b *Browser) signIn(email string) {
	b.t.Helper()
	b.step("signin",
		b.open("/signin"),
		typeInto("#f-email", email),
		typeInto("#f-password", testkit.Password),
		clickAndLoad("form[data-testid=signin-form] button[type=submit]", http.StatusOK),
		b.expectPath("/chats"),
	)
}

// TestJourneyChatLive: Ana opens a chat from Ben's profile; each writes and
// the other's window shows the message without reloading; Ben's chat list
// and Chats badge follow live.
func TestJourneyChatLive(t *testing.T) {
	s := testkit.Start(t)
	anaRec, benRec := s.Member("Ana Lima", "ana@example.org"), s.Member("Ben Okafor", "ben@example.org")
	s.SignedIn(anaRec).PostForm("/friends/"+benRec.Id+"/request", nil)
	s.SignedIn(benRec).PostForm("/friends/"+anaRec.Id+"/accept", nil).ExpectRedirect("/u/" + anaRec.Id)
	root := startChromium(t)
	ana, ben := newBrowser(t, root, s.URL, "ana"), newBrowser(t, root, s.URL, "ben")
	ana.signIn("ana@example.org")
	ben.signIn("ben@example.org")

	ana.step("open-chat",
		ana.open("/u/"+benRec.Id),
		clickAndLoad("[data-testid=message]", http.StatusOK),
		expectText(".topbar__title", "Ben Okafor"),
		expectCount("[data-testid=composer]", 1),
	)
	var room string
	ana.step("room-stored", check("the direct room exists", func() error {
		r, err := s.App.FindFirstRecordByFilter("rooms", "kind = 'direct'")
		if err != nil {
			return err
		}
		room = r.Id
		return nil
	}))

	ben.step("ben-opens-room",
		ben.open("/chats/"+room),
		run("window.__sameDocument = true"),
	)

	ana.step("ana-sends",
		typeInto("#f-body", "Hello Ben, lunch at noon?"),
		chromedp.Click(css("[data-testid=send]")),
		waitText("[data-testid=messages]", "Hello Ben, lunch at noon?"),
		expectValue("#f-body", ""),
		expectJS("own message on the right", `document.querySelector("[data-testid=messages] li.msg:last-child").classList.contains("msg--own")`),
	)
	ben.step("ben-sees-it-live",
		waitText("[data-testid=messages]", "Hello Ben, lunch at noon?"),
		expectJS("no reload", "window.__sameDocument === true"),
		expectJS("Ana's message on the left", `!document.querySelector("[data-testid=messages] li.msg:last-child").classList.contains("msg--own")`),
	)

	ben.step("ben-replies",
		typeInto("#f-body", "Yes! See you there."),
		chromedp.Click(css("[data-testid=send]")),
		waitText("[data-testid=messages]", "See you there."),
	)
	ana.step("ana-sees-reply-live",
		waitText("[data-testid=messages]", "Yes! See you there."),
		expectCount("[data-testid=messages] li.msg", 2),
	)

	// Ben leaves the room for his chat list; Ana writes again.
	ben.step("ben-chat-list",
		ben.open("/chats"),
		expectText("[data-testid=rooms]", "Ana Lima", "See you there."),
		run("window.__sameDocument = true"),
	)
	ana.step("ana-sends-again",
		typeInto("#f-body", "Bring the umbrella"),
		chromedp.Click(css("[data-testid=send]")),
		waitText("[data-testid=messages]", "Bring the umbrella"),
	)
	ben.step("ben-list-updates-live",
		waitText("[data-testid=rooms]", "Bring the umbrella"),
		waitText("[data-badge=chats]", "1"),
		expectJS("no reload", "window.__sameDocument === true"),
	)
	ben.step("stored", check("three messages, in order, each once", func() error {
		msgs, err := s.App.FindRecordsByFilter("messages", "room = {:r}", "seq", 0, 0, dbx.Params{"r": room})
		if err != nil {
			return err
		}
		var bodies []string
		for _, m := range msgs {
			bodies = append(bodies, m.GetString("body"))
		}
		want := "Hello Ben, lunch at noon?|Yes! See you there.|Bring the umbrella"
		if got := strings.Join(bodies, "|"); got != want {
			return fmt.Errorf("stored %q, want %q", got, want)
		}
		return nil
	}))
}
