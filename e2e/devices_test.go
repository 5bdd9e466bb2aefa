//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"plaza/hooks/testkit"
)

// darkMode turns the page's prefers-color-scheme to dark (or back).
func darkMode(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		value := "light"
		if on {
			value = "dark"
		}
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}},
		})
		return err
	})
}

// TestJourneyDevices: Ana is signed in on her phone and her laptop; from the
// phone she opens Me → Devices, sees both (the phone marked as this device),
// signs the laptop out, and the laptop's next page asks it to sign in.
func TestJourneyDevices(t *testing.T) {
	s := testkit.Start(t)
	s.Member("Ana Lima", "ana@example.org")
	root := startChromium(t)
	phone, laptop := newBrowser(t, root, s.URL, "phone"), newBrowser(t, root, s.URL, "laptop")
	phone.signIn("ana@example.org")
	laptop.signIn("ana@example.org")

	phone.step("open devices",
		phone.open("/me"),
		expectCount(`a[href="/me/devices"]`, 2), // the list cell and the Session card
		phone.open("/me/devices"),
		phone.expectPath("/me/devices"),
		expectCount("[data-testid=device]", 2),
		expectText("[data-testid=device][data-current]", "This device", "Active now"),
	)
	phone.screenshot("devices-phone")
	phone.step("dark", darkMode(true))
	phone.screenshot("devices-phone-dark")
	phone.step("light", darkMode(false), chromedp.EmulateViewport(360, 740))
	phone.screenshot("devices-360")

	phone.step("sign the laptop out",
		clickAndLoad("[data-testid=device]:not([data-current]) form button", http.StatusOK),
		phone.expectPath("/me/devices"),
		expectCount("[data-testid=device]", 1),
	)
	laptop.step("laptop is signed out",
		laptop.open("/signin"),
		laptop.expectPath("/signin"),
	)
	laptop.step("desktop size", chromedp.EmulateViewport(1280, 800))
	phone.step("desktop size", chromedp.EmulateViewport(1280, 800), phone.open("/me/devices"))
	phone.screenshot("devices-desktop")
}
