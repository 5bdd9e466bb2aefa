package account

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// Me → Devices: every device signed in to the account (a session each), when
// it was last used and from which network, with sign-out for any one of them,
// all the others, or everywhere.

func showDevices(e *core.RequestEvent) error {
	devices, err := web.Devices(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.DevicesVM{Chrome: web.Chrome(e, "me")}
	now, current := time.Now(), web.SessionID(e)
	for _, d := range devices {
		row := templates.DeviceRow{
			ID: d.ID, Label: d.Label, Network: d.IP, Current: d.ID == current,
			Seen: seenLabel(d.LastSeen, now), SeenISO: d.LastSeen.UTC().Format(time.RFC3339),
			Since:  "Signed in " + d.Created.UTC().Format("2 Jan 2006"),
			Mobile: mobileDevice(d.Label),
		}
		if row.Current {
			row.Seen = "Active now"
			vm.Devices = append([]templates.DeviceRow{row}, vm.Devices...)
			continue
		}
		vm.Devices = append(vm.Devices, row)
	}
	return web.Render(e, http.StatusOK, templates.DevicesPage(vm))
}

// signOutDevice is POST /me/devices/{id}/signout: that device's token stops
// working at once, and its open tabs are disconnected.
func signOutDevice(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	if id == web.SessionID(e) {
		return signOut(e)
	}
	if err := web.RevokeSession(e.App, e.Auth.Id, id); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "That device is signed out.")
	return web.SeeOther(e, "/me/devices")
}

// signOutOthers is POST /me/devices/signout-others: every device but this one.
func signOutOthers(e *core.RequestEvent) error {
	if err := web.RevokeSessions(e.App, e.Auth.Id, web.SessionID(e)); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Your other devices are signed out.")
	return web.SeeOther(e, "/me/devices")
}

func seenLabel(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "Not used yet"
	case d < 15*time.Minute:
		return "Active now"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d/time.Minute))
	case d < 2*time.Hour:
		return "1 hour ago"
	case d < 24*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d/time.Hour))
	case d < 48*time.Hour:
		return "Yesterday"
	}
	return "Last used " + t.UTC().Format("2 Jan 2006")
}

func mobileDevice(label string) bool {
	for _, m := range []string{"Android", "iPhone", "iPad"} {
		if strings.Contains(label, m) {
			return true
		}
	}
	return false
}
