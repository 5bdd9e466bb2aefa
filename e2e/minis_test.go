//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/testkit"
)

// hostileMini tries to escape its sandbox, then reports what happened
// through the one channel it has (shared storage, once allowed).
const hostileMini = `<!doctype html><meta charset="utf-8"><title>Hostile</title>
<script src="/m/sdk/plaza.js"></script>
<p id="state">running</p>
<script>
(async function () {
  var r = {};
  try { r.cookie = "read:" + document.cookie; } catch (e) { r.cookie = "blocked"; }
  try { r.parentDOM = "read:" + window.parent.document.title; } catch (e) { r.parentDOM = "blocked"; }
  try { r.parentCookie = "read:" + window.parent.document.cookie; } catch (e) { r.parentCookie = "blocked"; }
  try { localStorage.setItem("x", "y"); r.localStorage = "usable"; } catch (e) { r.localStorage = "blocked"; }
  async function tryFetch(url, opts) {
    try { var res = await fetch(url, opts); return "status:" + res.status + ":" + (await res.text()).slice(0, 40); }
    catch (e) { return "blocked"; }
  }
  r.fetchAPI = await tryFetch("/api/collections/users/records", { credentials: "include" });
  r.fetchChats = await tryFetch("/chats", { credentials: "include" });
  r.postSend = await tryFetch("/minis/hostile/bridge/launchToken", { method: "POST", credentials: "include", body: '{"args":[]}' });
  r.xhr = await new Promise(function (res) {
    try {
      var x = new XMLHttpRequest();
      x.open("GET", "/api/collections/users/records");
      x.withCredentials = true;
      x.onload = function () { res("status:" + x.status); };
      x.onerror = function () { res("blocked"); };
      x.send();
    } catch (e) { res("blocked"); }
  });
  // A beacon that would store a row if it reached Plaza with the session.
  try {
    r.beacon = navigator.sendBeacon("/minis/hostile/bridge/shared.set",
      new Blob(['{"args":["beacon","reached"]}'], { type: "application/json" })) ? "queued" : "refused";
  } catch (e) { r.beacon = "blocked"; }
  try { top.location.href = "/signout"; r.topNav = "no error"; } catch (e) { r.topNav = "blocked"; }
  try { window.parent.location.href = "/me"; r.parentNav = "no error"; } catch (e) { r.parentNav = "blocked"; }

  // Malformed calls get errors; non-calls are ignored.
  var answers = {};
  window.addEventListener("message", function (ev) {
    if (ev.source !== window.parent || !ev.data || typeof ev.data.id !== "number" || ev.data.id < 5000) return;
    answers[ev.data.id] = ev.data.error ? ev.data.error.code : "ok";
  });
  parent.postMessage("garbage", "*");
  parent.postMessage({ plaza: 1, id: "x", method: "getProfile", args: [] }, "*");
  parent.postMessage({ plaza: 1, id: 5000, method: "nope", args: [] }, "*");
  parent.postMessage({ plaza: 1, id: 5001, method: "storage.get", args: "k" }, "*");
  parent.postMessage({ plaza: 1, id: 5002, method: "__proto__", args: [] }, "*");
  parent.postMessage({ plaza: 1, id: 5003, method: "launchToken", args: [{ a: "x".repeat(100000) }] }, "*");
  // Only the host page's own sheet may confirm a payment.
  parent.postMessage({ plaza: 1, id: 5004, method: "confirmPayment", args: ["x"] }, "*");
  // A flood: 400 calls at once.
  for (var i = 0; i < 400; i++) parent.postMessage({ plaza: 1, id: 6000 + i, method: "launchToken", args: [] }, "*");
  await new Promise(function (res) { setTimeout(res, 3000); });
  r.malformed = [answers[5000], answers[5001], answers[5002], answers[5003], answers[5004]].join(",");
  var flood = { ok: 0, rate_limited: 0, other: 0 };
  for (var j = 0; j < 400; j++) {
    var a = answers[6000 + j];
    if (a === "ok") flood.ok++; else if (a === "rate_limited") flood.rate_limited++; else flood.other++;
  }
  r.flood = flood;
  await new Promise(function (res) { setTimeout(res, 1500); }); // the rate limit refills
  r.afterFlood = typeof (await plaza.launchToken()) === "string" ? "works" : "broken";
  try { await plaza.getProfile(); r.undeclared = "allowed"; } catch (e) { r.undeclared = e.code; }
  await plaza.shared.set("report", r);
  document.getElementById("state").textContent = "done";
})();
</script>`

// TestHostileMiniIsContained: a mini that tries every way out — cookies,
// the host page, Plaza's API and pages, navigating the member away, floods
// and malformed calls — gets nowhere, and Plaza keeps working.
func TestHostileMiniIsContained(t *testing.T) {
	s := testkit.Start(t)
	mini := s.InstallMini(testkit.MiniZip(map[string]any{
		"slug": "hostile", "name": "Hostile", "description": "Test only.", "version": "1.0.0", "permissions": []string{"shared_storage"},
	}, map[string]string{"index.html": hostileMini}))
	s.Member("Ana Lima", "ana@example.org")

	root := startChromium(t)
	ana := newBrowser(t, root, s.URL, "ana")
	ana.signIn("ana@example.org")
	ana.step("open",
		ana.open("/minis/hostile"),
		waitVisible("[data-testid=consent-sheet]"),
		expectText("[data-testid=consent-sheet]", "Hostile", "keep data that everyone using it sees"),
		chromedp.Click(css("[data-testid=consent-allow]")),
	)
	var report map[string]any
	ana.step("report", check("the mini reported", func() error {
		deadline := time.Now().Add(20 * time.Second)
		for {
			rec, err := s.App.FindFirstRecordByFilter("mini_storage", "key = 'report' && mini = {:m}", map[string]any{"m": mini.Id})
			if err == nil {
				return json.Unmarshal([]byte(rec.GetString("value")), &report)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no report after 20 s: %w", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}))
	t.Logf("hostile mini report: %v", report)
	for key, want := range map[string]string{
		"parentDOM": "blocked", "parentCookie": "blocked", "fetchAPI": "blocked", "fetchChats": "blocked",
		"postSend": "blocked", "xhr": "blocked", "undeclared": "permission_not_declared", "afterFlood": "works",
		"malformed": "not_found,bad_request,not_found,too_large,not_found",
	} {
		if got := fmt.Sprint(report[key]); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	if c := fmt.Sprint(report["cookie"]); c != "blocked" && strings.Contains(c, "plaza_session") {
		t.Errorf("the mini read the session cookie: %s", c)
	}
	if ls := fmt.Sprint(report["localStorage"]); ls == "usable" {
		t.Log("localStorage is usable but opaque-origin: it is discarded with the frame")
	}
	// (sendBeacon may say "queued": the browser blocks it afterwards, and the
	// storage check below proves nothing arrived.)
	flood, _ := report["flood"].(map[string]any)
	if rl, _ := flood["rate_limited"].(float64); rl < 100 {
		t.Errorf("a flood of 400 calls was not limited: %v", flood)
	}
	// Still on the mini's page, still signed in, nothing written but the report.
	ana.step("still-here",
		ana.expectPath("/minis/hostile"),
		ana.open("/me"),
		expectText("main", "Ana Lima"),
	)
	if n := s.Count("mini_storage", "", nil); n != 1 {
		t.Errorf("%d storage rows, want just the report", n)
	}
	if n := s.Count("messages", "", nil) + s.Count("orders", "", nil); n != 0 {
		t.Errorf("the mini caused %d messages/orders", n)
	}
	_ = http.StatusOK
}

// waitVisible waits (up to 10 s) until an element matching sel is shown.
func waitVisible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		expr := fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && (el.open || el.offsetParent !== null); })()`, sel)
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		if err != nil {
			return fmt.Errorf("%s never showed: %w", sel, err)
		}
		return nil
	})
}

// miniFrame finds the mini's iframe on this member's page. The journeys
// that work inside a mini run Chromium with sandboxed frames in the page's
// process (startChromiumWith "IsolateSandboxedIframes"), so the test can
// reach into the frame; the sandbox itself (an opaque origin, no cookies,
// no network) is the same, and the hostile-mini test runs with the default.
func (b *Browser) miniFrame() *chromedp.Node {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(css("iframe[data-testid=mini-frame]")))
	if err != nil || len(nodes) == 0 {
		b.t.Fatalf("%s: no mini frame: %v", b.who, err)
	}
	return nodes[0]
}

// frameJS evaluates expr in the frame until it is truthy (up to 10 s) and
// returns its value as JSON.
func frameJS(ctx context.Context, frame *chromedp.Node, expr string) (string, error) {
	return chromedp.Run(ctx, chromedp.Poll[string]("JSON.stringify("+expr+")", chromedp.WithPollingInFrame(frame),
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
}

// miniAct is one thing done inside a mini: a JavaScript expression that is
// true once done (tried until it is, for up to 10 s).
type miniAct struct {
	what, expr string
}

func (b *Browser) inMini(frame *chromedp.Node, name string, acts ...miniAct) {
	b.t.Helper()
	for _, a := range acts {
		ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
		got, err := chromedp.Run(ctx, chromedp.Poll[bool](a.expr, chromedp.WithPollingInFrame(frame),
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
		cancel()
		if err != nil || !got {
			b.t.Fatalf("%s: in the mini, step %q: %s did not happen (%v)\n  screenshot: %s", b.who, name, a.what, err, b.screenshot(name))
		}
	}
}

// fill sets a field's value, as typing would.
func fill(sel, value string) miniAct {
	return miniAct{"fill " + sel, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false; el.focus(); el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, sel, value)}
}

// pick clicks the element sel.
func pick(sel string) miniAct {
	return miniAct{"click " + sel, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (el) el.click(); return !!el; })()`, sel)}
}

// clickButton clicks the first visible, enabled button whose text contains label.
func clickButton(label string) miniAct {
	return miniAct{"click " + label, fmt.Sprintf(`(() => { const b = [...document.querySelectorAll("button")].find(b => b.offsetParent !== null && !b.disabled && b.textContent.includes(%q)); if (b) b.click(); return !!b; })()`, label)}
}

// shows waits until the first element matching sel contains text.
func shows(sel, text string) miniAct {
	return miniAct{sel + " shows " + text, fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.textContent.includes(%q); })()`, sel, text)}
}

// allowAll accepts consent sheets as they come, until none shows for a second.
func (b *Browser) allowAll() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		quiet := time.Now()
		for time.Since(quiet) < 1500*time.Millisecond {
			open, err := chromedp.Evaluate[bool](`document.getElementById("mini-consent").open`)(ctx, t)
			if err != nil {
				return err
			}
			if open {
				if _, err := chromedp.Click(css("[data-testid=consent-allow]"))(ctx, t); err != nil {
					return err
				}
				quiet = time.Now()
			}
			time.Sleep(100 * time.Millisecond)
		}
		return nil
	})
}

// TestJourneyPoll: Ana creates a poll in the Poll mini and shares it to her
// chat with Ben; Ben opens it from the card in the chat; both vote; both see
// the same results.
func TestJourneyPoll(t *testing.T) {
	s := testkit.Start(t)
	anaRec, benRec := s.Member("Ana Lima", "ana@example.org"), s.Member("Ben Okafor", "ben@example.org")
	s.SignedIn(anaRec).PostForm("/friends/"+benRec.Id+"/request", nil)
	s.SignedIn(benRec).PostForm("/friends/"+anaRec.Id+"/accept", nil).ExpectRedirect("/u/" + anaRec.Id)
	room := s.SignedIn(anaRec).PostForm("/chats/direct/"+benRec.Id, nil).Location

	root := startChromiumWith(t, "IsolateSandboxedIframes")
	ana, ben := newBrowser(t, root, s.URL, "ana"), newBrowser(t, root, s.URL, "ben")
	ana.signIn("ana@example.org")
	ben.signIn("ben@example.org")

	ana.step("launcher",
		ana.open("/minis"),
		expectText("[data-testid=launcher]", "Poll", "Events", "Split the bill"),
		clickAndLoad("[data-slug=poll]", http.StatusOK),
		ana.allowAll(),
	)
	frame := ana.miniFrame()
	ana.inMini(frame, "create",
		clickButton("New poll"),
		fill("#q", "Where shall we eat on Friday?"),
		fill("#opt-0", "Noodles"),
		fill("#opt-1", "Tacos"),
		clickButton("Create poll"),
	)
	ana.step("consent-for-creating", ana.allowAll())
	ana.inMini(frame, "created", shows("h1", "Where shall we eat on Friday?"), clickButton("Share to a chat"))
	ana.step("share",
		ana.allowAll(),
		waitVisible("[data-testid=share-sheet]"),
		expectText("[data-testid=share-sheet]", "Ben Okafor"),
		chromedp.Click(css("[data-testid=share-confirm]")),
	)
	ana.inMini(frame, "shared", shows("#toast", "Shared"))

	ben.step("card",
		ben.open(room),
		expectText("[data-testid=mini-card]", "Where shall we eat on Friday?", "Poll · mini-program"),
		clickAndLoad("[data-testid=mini-card]", http.StatusOK),
		ben.expectPath("/minis/poll"),
		ben.allowAll(),
	)
	benFrame := ben.miniFrame()
	ben.inMini(benFrame, "vote",
		shows("h1", "Where shall we eat on Friday?"),
		pick("input[name=choice][value='1']"),
		clickButton("Vote"),
	)
	ben.step("consent-for-voting", ben.allowAll())
	ben.inMini(benFrame, "voted", shows(".total", "1 vote"))

	ana.inMini(frame, "ana-votes",
		pick("input[name=choice][value='0']"),
		clickButton("Vote"),
		shows(".total", "2 votes"),
	)
	// Ben's open poll catches up by itself, and both read the same results.
	ben.inMini(benFrame, "live-ish", shows(".total", "2 votes"))
	read := func(b *Browser, frame *chromedp.Node) string {
		ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
		defer cancel()
		out, err := frameJS(ctx, frame, `[...document.querySelectorAll(".result")].map(r => r.querySelector(".result__label strong").textContent + "=" + r.querySelector(".result__nums").textContent).join("; ")`)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if a, b := read(ana, frame), read(ben, benFrame); a != b || !strings.Contains(a, "Noodles") || !strings.Contains(a, "Tacos") {
		t.Fatalf("results differ: ana %q, ben %q", a, b)
	}
	if n := s.Count("messages", "kind = 'mini_card'", nil); n != 1 {
		t.Fatalf("%d poll cards in chats", n)
	}
}

// payerMini asks to be paid twice: first with an object read two ways
// (amount and AMOUNT), then with a plain one whose currency and
// description Plaza normalises; it keeps what came back in window.results.
const payerMini = `<!doctype html><meta charset="utf-8"><title>Payer</title>
<script src="/m/sdk/plaza.js"></script>
<p id="state">running</p>
<script>
window.results = {};
(async function () {
  try {
    await plaza.requestPayment({ amount: 100, description: "Coffee", currency: "usd", AMOUNT: 9999999 });
    results.hostile = "resolved";
  } catch (e) { results.hostile = e.code; }
  try {
    var r = await plaza.requestPayment({ amount: 100, currency: "USD", description: "  Coffee  " });
    results.pay = r.status;
  } catch (e) { results.pay = e.code; }
})();
</script>`

// TestMiniPaymentSheetShowsWhatIsCharged: a mini's two-faced payment
// object never reaches the sheet; a plain one shows exactly the payment
// the server prepared, and the order and Checkout are made from it.
func TestMiniPaymentSheetShowsWhatIsCharged(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	s.InstallMini(testkit.MiniZip(map[string]any{
		"slug": "payer", "name": "Payer", "description": "Test only.", "version": "1.0.0", "permissions": []string{"payments"},
	}, map[string]string{"index.html": payerMini}))
	s.Member("Ana Lima", "ana@example.org")

	root := startChromiumWith(t, "IsolateSandboxedIframes")
	ana := newBrowser(t, root, s.URL, "ana")
	ana.signIn("ana@example.org")
	ana.step("open", ana.open("/minis/payer"), waitVisible("[data-testid=consent-sheet]"), ana.allowAll())
	frame := ana.miniFrame()
	ana.inMini(frame, "two-faced object refused", miniAct{"the first payment refused", `results.hostile === "bad_request"`})
	if n := s.Count("mini_payments", "amount != 100", nil) + s.Count("orders", "", nil); n != 0 {
		t.Fatalf("%d payments/orders from the two-faced object", n)
	}
	var sheet struct{ Amount, Description, Mini string }
	ana.step("sheet",
		waitVisible("[data-testid=pay-sheet]"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			sheet.Amount, err = chromedp.Evaluate[string](`document.querySelector("[data-testid=pay-amount]").textContent`)(ctx, tg)
			if err == nil {
				sheet.Description, err = chromedp.Evaluate[string](`document.querySelector("[data-testid=pay-description]").textContent`)(ctx, tg)
			}
			if err == nil {
				sheet.Mini, err = chromedp.Evaluate[string](`document.querySelector("#mini-pay [data-fill=mini]").textContent`)(ctx, tg)
			}
			return err
		}),
	)
	p, err := s.App.FindFirstRecordByFilter("mini_payments", "id != ''")
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Amount != "$1.00" || sheet.Description != "Coffee" || sheet.Mini != "Payer" ||
		p.GetInt("amount") != 100 || p.GetString("currency") != "usd" || p.GetString("description") != "Coffee" {
		t.Fatalf("the sheet shows %+v; the server prepared %d %s %q", sheet, p.GetInt("amount"), p.GetString("currency"), p.GetString("description"))
	}
	if n := s.Count("orders", "", nil); n != 0 {
		t.Fatalf("%d orders before the member confirmed", n)
	}
	ana.step("confirm", chromedp.Click(css("[data-testid=pay-confirm]")))
	var order *core.Record
	ana.step("order", check("the order is the prepared payment", func() error {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			o, err := s.App.FindFirstRecordByFilter("orders", "id != ''")
			if err == nil && o.GetString("checkout_session") != "" {
				order = o
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no order with a Checkout session after 10 s (%v)", err)
			}
		}
	}))
	if order.GetInt("amount") != 100 || order.GetInt("unit_price") != 100 || order.GetString("currency") != "usd" ||
		order.GetString("title") != "Coffee (Payer)" || s.Count("orders", "", nil) != 1 {
		t.Fatalf("order %v", order.FieldsData())
	}
	if s.Reload(p).GetString("order") != order.Id {
		t.Fatal("the prepared payment doesn't name its order")
	}
	s.Webhook("evt_coffee", "checkout.session.completed", map[string]any{
		"id": order.GetString("checkout_session"), "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"metadata": map[string]string{"order": order.Id}, "payment_intent": "pi_coffee",
	}, time.Time{}).Expect(http.StatusOK)
	ana.inMini(frame, "paid", miniAct{"the mini hears it was paid", `results.pay === "paid"`})
}

// TestJourneyPaidTicket: Ana creates a paid event in Events; Ben buys a
// ticket through Plaza's sheet; once Stripe's webhook settles the order,
// Plaza's receipt makes it a ticket for Ben and a sale on Ana's list.
func TestJourneyPaidTicket(t *testing.T) {
	s := testkit.Start(t)
	s.Stripe()
	s.Member("Ana Lima", "ana@example.org")
	s.Member("Ben Okafor", "ben@example.org")

	root := startChromiumWith(t, "IsolateSandboxedIframes")
	ana, ben := newBrowser(t, root, s.URL, "ana"), newBrowser(t, root, s.URL, "ben")
	ana.signIn("ana@example.org")
	ben.signIn("ben@example.org")

	ana.step("open", ana.open("/minis/events"), ana.allowAll())
	frame := ana.miniFrame()
	ana.inMini(frame, "create",
		clickButton("New event"),
		fill("#title", "Spring gala"),
		fill("#place", "Town hall"),
		fill("#cap", "5"),
		fill("#price", "12.50"),
		fill("#currency", "eur"),
		clickButton("Create event"),
	)
	ana.step("consent-for-creating", ana.allowAll())
	ana.inMini(frame, "created", shows("h1", "Spring gala"))
	var id string
	ana.step("stored", check("the event is stored as Ana's", func() error {
		rec, err := s.App.FindFirstRecordByFilter("mini_storage", "scope = 'shared' && key ~ 'event:%' && key !~ ':taken'")
		if err != nil {
			return err
		}
		if rec.GetString("owner") == "" || rec.GetString("mode") != "value" {
			return fmt.Errorf("event stored with owner %q, mode %q", rec.GetString("owner"), rec.GetString("mode"))
		}
		id = strings.TrimPrefix(rec.GetString("key"), "event:")
		return nil
	}))

	ben.step("open", ben.open("/minis/events#event="+id), ben.allowAll())
	benFrame := ben.miniFrame()
	ben.inMini(benFrame, "buy", shows("h1", "Spring gala"), clickButton("Buy a ticket"))
	ben.step("sheet",
		ben.allowAll(),
		waitVisible("[data-testid=pay-sheet]"),
		expectText("[data-testid=pay-amount]", "€12.50"),
		expectText("[data-testid=pay-description]", "Ticket: Spring gala"),
		chromedp.Click(css("[data-testid=pay-confirm]")),
	)
	var order *core.Record
	ben.step("order", check("Ben's order is made", func() error {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			o, err := s.App.FindFirstRecordByFilter("orders", "id != ''")
			if err == nil && o.GetString("checkout_session") != "" {
				order = o
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no order after 10 s (%v)", err)
			}
		}
	}))
	if order.GetInt("amount") != 1250 || order.GetString("currency") != "eur" {
		t.Fatalf("order %v", order.FieldsData())
	}
	// Not paid yet: no ticket, the spot only held.
	ben.inMini(benFrame, "held", shows("#main", "Going (0)"))
	s.Webhook("evt_gala", "checkout.session.completed", map[string]any{
		"id": order.GetString("checkout_session"), "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"metadata": map[string]string{"order": order.Id}, "payment_intent": "pi_gala",
	}, time.Time{}).Expect(http.StatusOK)
	// Events then lists the event under Ben's own: it asks to keep data for him.
	ben.step("consent-for-list", frontTab(), waitOpen("mini-consent"), ben.allowAll())
	ben.inMini(benFrame, "ticket", shows("#main", "Your ticket is paid"), shows("#main", "Going (1)"))
	if n := s.Count("mini_storage", "key LIKE 'paid:ticket:%' AND mode = 'plaza'", nil); n != 1 {
		t.Fatalf("%d receipts", n)
	}
	ana.step("reopen", ana.open("/minis"), ana.open("/minis/events#event="+id), ana.allowAll())
	anaFrame := ana.miniFrame()
	ana.inMini(anaFrame, "sold", shows("#main", "Going (1)"), shows("#main", "1 ticket sold"), shows("#main", "Ben Okafor"))
}

// frontTab brings the member's Plaza tab back in front of the Checkout
// window it opened (as the member would, once they paid).
func frontTab() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.BringToFront, cdp.Empty{})
		return err
	})
}

// waitOpen waits (up to 10 s) until the host page's dialog id is open. It
// polls on a timer, not on animation frames, so it works while the page is
// behind the Checkout window it opened.
func waitOpen(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		expr := fmt.Sprintf(`(() => { const el = document.getElementById(%q); return !!el && el.open; })()`, id)
		if _, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))(ctx, t); err != nil {
			return fmt.Errorf("#%s never opened: %w", id, err)
		}
		return nil
	})
}
