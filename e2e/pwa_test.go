//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"plaza/hooks/testkit"
)

// expectNoProblem runs an async JavaScript check that resolves to "" when
// all is well, else to what is wrong.
func expectNoProblem(what, expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		problem, err := chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if problem != "" {
			return fmt.Errorf("%s: %s", what, problem)
		}
		return nil
	})
}

// airplane cuts (or restores) the network for a browser's page and for the
// service worker controlling it. A worker is its own DevTools target: the
// page's emulation does not reach the worker's fetches, so the worker's
// target gets the same conditions, as DevTools' "Offline" does. Workers stay
// attached until the test ends (detaching would drop their emulation).
type airplane struct {
	b       *Browser
	workers map[string]context.Context // by target id
}

func emulateOffline(offline bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
		})
		return err
	})
}

func (a *airplane) set(offline bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := emulateOffline(offline)(ctx, t); err != nil {
			return fmt.Errorf("page: %w", err)
		}
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			return err
		}
		for _, info := range targets {
			id := string(info.TargetID)
			if info.Type != "service_worker" || info.URL != a.b.base+"/sw.js" || a.workers[id] != nil {
				continue
			}
			sw, cancel := chromedp.NewContext(a.b.ctx, chromedp.WithTargetID(info.TargetID))
			a.b.t.Cleanup(cancel)
			if err := within(startTimeout, func() error { return chromedp.Do(sw) }); err != nil {
				return fmt.Errorf("attach to the service worker: %w", err)
			}
			a.workers[id] = sw
		}
		if len(a.workers) == 0 {
			return fmt.Errorf("no service worker target for %s/sw.js", a.b.base)
		}
		for _, sw := range a.workers {
			swCtx, cancel := context.WithTimeout(sw, actionTimeout)
			err := chromedp.Do(swCtx, emulateOffline(offline))
			cancel()
			if err != nil {
				return fmt.Errorf("service worker: %w", err)
			}
		}
		return nil
	})
}

// manifestOK fetches the page's manifest as the browser would and checks
// what installing needs.
const manifestOK = `(async () => {
	const link = document.querySelector('link[rel=manifest]');
	if (!link) return "no <link rel=manifest>";
	const res = await fetch(link.href);
	if (!res.ok) return "manifest answered " + res.status;
	const type = res.headers.get("Content-Type");
	if (type !== "application/manifest+json") return "manifest served as " + type;
	const m = await res.json();
	for (const [k, v] of Object.entries({name: "Riverside Makers", short_name: "Riverside", start_url: "/", scope: "/", display: "standalone"})) {
		if (m[k] !== v) return k + " is " + JSON.stringify(m[k]) + ", want " + JSON.stringify(v);
	}
	for (const want of ["192x192", "512x512"]) {
		const icon = m.icons.find((i) => i.sizes === want && i.type === "image/png");
		if (!icon) return "no " + want + " PNG icon";
		const img = new Image();
		img.src = new URL(icon.src, link.href);
		try { await img.decode(); } catch (e) { return icon.src + " does not load: " + e; }
		if (img.naturalWidth + "x" + img.naturalHeight !== want) return icon.src + " is " + img.naturalWidth + "x" + img.naturalHeight;
	}
	if (!m.icons.some((i) => i.purpose === "maskable")) return "no maskable icon";
	return "";
})()`

// styled: the stylesheet really applied (from the network or the worker's
// cache), not just the link tag.
const styled = `(async () => {
	const sheet = [...document.styleSheets].find((s) => s.href && s.href.includes("/static/css/app.css"));
	if (!sheet) return "app.css is not loaded";
	if (sheet.cssRules.length < 50) return "app.css has only " + sheet.cssRules.length + " rules";
	const bg = getComputedStyle(document.body).backgroundColor;
	if (bg !== "rgb(242, 242, 242)") return "page background is " + bg;
	return "";
})()`

// TestPWAInstallAndOffline: a visitor's browser finds a valid manifest, the
// service worker installs and controls the page after a reload; offline, a
// page never opened shows the styled offline page, a page opened before
// shows its kept copy, and "Try again" works once the network is back.
func TestPWAInstallAndOffline(t *testing.T) {
	s := testkit.Start(t)
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("name", "Riverside Makers")
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
	root := startChromium(t)
	b := newBrowser(t, root, s.URL, "visitor")
	net := &airplane{b: b, workers: map[string]context.Context{}}

	b.step("manifest",
		b.open("/signin"),
		expectNoProblem("the manifest", manifestOK),
	)
	b.step("service-worker",
		expectNoProblem("the worker installs", `(async () => {
			if (!("serviceWorker" in navigator)) return "no service worker support (not a secure context?)";
			const reg = await navigator.serviceWorker.ready;
			if (!reg.active || !reg.active.scriptURL.endsWith("/sw.js")) return "active worker is " + (reg.active && reg.active.scriptURL);
			if (reg.scope !== location.origin + "/") return "scope is " + reg.scope;
			const names = await caches.keys();
			const shell = names.find((n) => n.startsWith("plaza-static-"));
			if (!shell) return "no shell cache in " + JSON.stringify(names);
			const cache = await caches.open(shell);
			if (!(await cache.match("/offline"))) return "the offline page is not kept";
			const css = document.querySelector("link[rel=stylesheet]").href;
			if (!(await cache.match(css))) return css + " is not kept";
			return "";
		})()`),
		expectLoad(http.StatusOK, chromedp.Reload()),
		expectNoProblem("the worker controls the page", `(async () => {
			const c = navigator.serviceWorker.controller;
			return c && c.scriptURL.endsWith("/sw.js") ? "" : "page is not controlled";
		})()`),
		expectText("h1", "Sign in"),
	)

	b.step("offline-new-page",
		net.set(true),
		b.open("/signup"),
		expectCount("[data-testid=offline-page]", 1),
		expectText("[data-testid=offline-page]", "You're offline", "Riverside Makers"),
		b.expectPath("/signup"),
		expectNoProblem("offline page styled", styled),
		expectCount(".tabbar", 0),
	)
	b.step("offline-kept-page",
		b.open("/signin"),
		expectCount("[data-testid=offline-page]", 0),
		expectCount("form[data-testid=signin-form]", 1),
		expectNoProblem("kept page styled", styled),
	)
	b.step("back-online",
		b.open("/signup"),
		expectCount("[data-testid=offline-page]", 1),
		net.set(false),
		clickAndLoad("[data-testid=retry]", http.StatusOK),
		b.expectPath("/signup"),
		expectCount("[data-testid=offline-page]", 0),
		expectCount("form[data-testid=signup-form]", 1),
	)
}

// TestPWASignOutForgetsPages: the worker keeps the pages a member opened for
// offline use, and signing out forgets them, so the next person on the
// device sees the offline page, not the member's.
func TestPWASignOutForgetsPages(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Ana Lima", "ana@example.org")
	root := startChromium(t)
	ana := newBrowser(t, root, s.URL, "ana")
	net := &airplane{b: ana, workers: map[string]context.Context{}}
	ana.signIn("ana@example.org")

	const keptMe = `(async () => (await caches.match("/me")) ? "" : "/me is not kept")()`
	ana.step("kept",
		expectNoProblem("the worker installs", `navigator.serviceWorker.ready.then(() => "")`),
		ana.open("/me"),
		expectText("[data-testid=signout]", "Sign out"),
		expectNoProblem("the page is kept", keptMe),
	)
	ana.step("sign-out",
		clickAndLoad("[data-testid=signout]", http.StatusOK),
		ana.expectPath("/signin"),
		expectNoProblem("nothing of Ana's is kept", `(async () => (await caches.match("/me")) ? "/me is still kept" : "")()`),
	)
	ana.step("offline-after-sign-out",
		net.set(true),
		ana.open("/me"),
		expectCount("[data-testid=offline-page]", 1),
		expectCount("[data-testid=signout]", 0),
	)
}
