package web

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Device is one of a member's signed-in devices, for Me → Devices.
type Device struct {
	ID       string
	Label    string
	IP       string
	Created  time.Time
	LastSeen time.Time
}

// Devices lists member's signed-in devices, most recently used first.
func Devices(app core.App, member string) ([]Device, error) {
	recs, err := app.FindRecordsByFilter(SessionsCollection, "user = {:u}", "-last_seen,-created", 200, 0, dbx.Params{"u": member})
	if err != nil {
		return nil, err
	}
	out := make([]Device, 0, len(recs))
	for _, r := range recs {
		out = append(out, Device{
			ID: r.Id, Label: r.GetString("device"), IP: r.GetString("ip"),
			Created: r.GetDateTime("created").Time(), LastSeen: r.GetDateTime("last_seen").Time(),
		})
	}
	return out, nil
}

// DeviceLabel names a browser for Me → Devices ("Chrome on Android"), from
// its user agent; "" for none.
func DeviceLabel(ua string) string {
	if ua == "" {
		return "Unknown device"
	}
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "Browser on " + system
	}
	name, _, _ := strings.Cut(ua, "/")
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 40 {
		return "App or script"
	}
	return name + " (app or script)"
}

// IPPrefix keeps only the network part of an address — enough to recognise a
// place, not a household: /24 for IPv4, /48 for IPv6.
func IPPrefix(ip string) string {
	a := net.ParseIP(ip)
	if a == nil {
		return ""
	}
	if v4 := a.To4(); v4 != nil {
		return fmt.Sprintf("%d.%d.%d.0/24", v4[0], v4[1], v4[2])
	}
	return (&net.IPNet{IP: a.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}
