//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	// actionTimeout bounds every single browser action, so a broken page
	// fails the journey in seconds instead of hanging it.
	actionTimeout = 15 * time.Second
	// startTimeout bounds starting Chromium and opening a tab.
	startTimeout = 30 * time.Second
	phoneWidth   = 390
	phoneHeight  = 844
)

// chromiumPath is the browser the journeys drive.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// startChromium runs a headless Chromium for the test and returns the context
// that owns it. A missing Chromium fails the test: with the e2e tag set, the
// journeys must run.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	return startChromiumWith(t)
}

// startChromiumWith is startChromium with more Chrome features turned off.
func startChromiumWith(t *testing.T, disable ...string) context.Context {
	t.Helper()
	path := chromiumPath()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("Chromium is needed for the e2e journeys but was not found at %s (install it, or set CHROMIUM to its path): %v", path, err)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("Chromium at %s is not an executable file (set CHROMIUM to the browser's path)", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-features", strings.Join(append([]string{"Translate", "MediaRouter", "OptimizationHints"}, disable...), ",")),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(phoneWidth, phoneHeight),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelRoot)
	if err := within(startTimeout, func() error { return chromedp.Do(root) }); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return root
}

// within runs f, giving up after d. The first Run on a chromedp context binds
// the browser or tab to that context, so it cannot take a timeout context;
// this bounds it from outside instead (the test's cleanup cancels it).
func within(d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer within %s", d)
	}
}

// Browser is one member's phone: a tab in its own browser context, so its
// cookies never mix with another member's.
type Browser struct {
	t    *testing.T
	ctx  context.Context
	who  string
	base string
}

// newBrowser opens a fresh, cookie-less browser context on Chromium root,
// for the member who (used in step names and screenshots).
func newBrowser(t *testing.T, root context.Context, base, who string) *Browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("open a tab for %s: %v", who, err)
	}
	b := &Browser{t: t, ctx: ctx, who: who, base: base}
	b.step("viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	return b
}

// step runs actions in order, each within actionTimeout. On the first error
// it saves a full-page screenshot as screenshots/<Test>-<who>-<name>.png and
// fails the test.
func (b *Browser) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	for i, a := range actions {
		ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
		err := chromedp.Do(ctx, a)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("gave up after %s: %w", actionTimeout, err)
			}
			shot := b.screenshot(name)
			b.t.Fatalf("%s: step %q, action %d of %d: %v\n  page: %s\n  screenshot: %s",
				b.who, name, i+1, len(actions), err, b.location(), shot)
		}
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshot saves the whole page and returns where, or why it could not.
func (b *Browser) screenshot(step string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "(none: " + err.Error() + ")"
	}
	dir, err := filepath.Abs("screenshots")
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return "(none: " + err.Error() + ")"
	}
	name := unsafeName.ReplaceAllString(b.t.Name()+"-"+b.who+"-"+step, "_") + ".png"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return "(none: " + err.Error() + ")"
	}
	return path
}

func (b *Browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// --- actions -----------------------------------------------------------

// css selects the first element matching a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// open loads path on the app and waits for the page to load.
func (b *Browser) open(path string) chromedp.Action[chromedp.Void] {
	return expectLoad(http.StatusOK, chromedp.Navigate(b.base+path))
}

// typeInto types text into an input, as a member would.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(css(sel), text)
}

// clickAndLoad clicks sel (a link or a submit button) and waits for the page
// it leads to, after any redirects, checking the final HTTP status.
func clickAndLoad(sel string, status int) chromedp.Action[chromedp.Void] {
	return expectLoad(status, chromedp.Click(css(sel)))
}

// expectLoad runs trigger, waits for the page load it causes and checks the
// final document's status.
func expectLoad(status int, trigger chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		resp, err := chromedp.RunResponse(ctx, trigger)
		if err != nil {
			return fmt.Errorf("waiting for the page to load: %w", err)
		}
		if resp == nil {
			return errors.New("no page loaded")
		}
		if resp.Status != int64(status) {
			return fmt.Errorf("%s answered %d, want %d", resp.URL, resp.Status, status)
		}
		return nil
	})
}

// expectPath checks the address bar shows path (query and fragment ignored).
func (b *Browser) expectPath(path string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		loc, err := chromedp.Location()(ctx, t)
		if err != nil {
			return err
		}
		got := strings.TrimPrefix(loc, b.base)
		if i := strings.IndexAny(got, "?#"); i >= 0 {
			got = got[:i]
		}
		if got != path {
			return fmt.Errorf("address is %s, want %s%s", loc, b.base, path)
		}
		return nil
	})
}

// expectText checks the visible text of the first element matching sel
// contains every want (whitespace-normalised).
func expectText(sel string, want ...string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		got, err := chromedp.Text(css(sel), chromedp.NodeVisible)(ctx, t)
		if err != nil {
			return fmt.Errorf("text of %s: %w", sel, err)
		}
		got = strings.Join(strings.Fields(got), " ")
		for _, w := range want {
			if !strings.Contains(got, w) {
				return fmt.Errorf("%s shows %q, want it to contain %q", sel, got, w)
			}
		}
		return nil
	})
}

// expectAttr checks an attribute of the first element matching sel.
func expectAttr(sel, attr, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		got, err := chromedp.AttributeValue(css(sel), attr)(ctx, t)
		if err != nil {
			return fmt.Errorf("%s[%s]: %w", sel, attr, err)
		}
		if !got.Exists || got.Value != want {
			return fmt.Errorf("%s has %s=%q (present: %v), want %q", sel, attr, got.Value, got.Exists, want)
		}
		return nil
	})
}

// expectValue checks what a form field currently holds.
func expectValue(sel, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		got, err := chromedp.Value(css(sel))(ctx, t)
		if err != nil {
			return fmt.Errorf("value of %s: %w", sel, err)
		}
		if got != want {
			return fmt.Errorf("%s holds %q, want %q", sel, got, want)
		}
		return nil
	})
}

// expectCount checks how many elements match sel right now (no waiting).
func expectCount(sel string, want int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		n, err := chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel))(ctx, t)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("%d elements match %s, want %d", n, sel, want)
		}
		return nil
	})
}

// expectFocused checks keyboard focus is on the first element matching sel.
func expectFocused(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ok, err := chromedp.Evaluate[bool](fmt.Sprintf("document.activeElement === document.querySelector(%q)", sel))(ctx, t)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("focus is not on %s", sel)
		}
		return nil
	})
}

// expectImageLoaded checks the first img matching sel is visible and its
// picture really loaded (a broken src has naturalWidth 0).
func expectImageLoaded(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.WaitVisible(css(sel))(ctx, t); err != nil {
			return fmt.Errorf("%s not visible: %w", sel, err)
		}
		js := fmt.Sprintf(`(async () => {
			const img = document.querySelector(%q);
			img.loading = "eager";
			if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
			return img.naturalWidth;
		})()`, sel)
		w, err := chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return err
		}
		if w == 0 {
			src, _ := chromedp.AttributeValue(css(sel), "src")(ctx, t)
			return fmt.Errorf("%s (src %q) shows no picture: it did not load", sel, src.Value)
		}
		return nil
	})
}

// check runs a Go-side assertion (say, on the database) as part of a step,
// so its failure gets a screenshot of the page the member was looking at.
func check(what string, f func() error) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(context.Context, *chromedp.Target) error {
		if err := f(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// writePNG writes a small real PNG picture into dir and returns its path.
func writePNG(t *testing.T, dir, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 4), B: 160, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
