//go:build e2e

package e2e

import (
	"net/http"
	"testing"

	"plaza/hooks/testkit"
)

// TestBuiltinMinisDrawWithTheKit opens each built-in mini, whose views are
// drawn with the shared kit (/m/sdk/kit.js): its home, its form, and back
// home with the kit's back button. It keeps screenshots of each for a look.
func TestBuiltinMinisDrawWithTheKit(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Ana Lima", "ana@example.org")
	root := startChromiumWith(t, "IsolateSandboxedIframes")
	ana := newBrowser(t, root, s.URL, "ana")
	ana.signIn("ana@example.org")

	for _, c := range []struct{ slug, home, add, form, back string }{
		{"poll", "Polls", "New poll", "New poll", "Polls"},
		{"events", "Events", "New event", "New event", "Events"},
		{"splitbill", "Bills", "New bill", "New bill", "Bills"},
	} {
		ana.step(c.slug+"-open", ana.open("/minis"), clickAndLoad("[data-slug="+c.slug+"]", http.StatusOK), ana.allowAll())
		frame := ana.miniFrame()
		ana.inMini(frame, c.slug+"-home", shows("h1", c.home), shows("button", c.add))
		ana.screenshot(c.slug + "-home")
		ana.inMini(frame, c.slug+"-form", clickButton(c.add), shows("h1", c.form), shows("button.back", c.back))
		ana.screenshot(c.slug + "-form")
		ana.inMini(frame, c.slug+"-back", clickButton(c.back), shows("h1", c.home))
	}
}
