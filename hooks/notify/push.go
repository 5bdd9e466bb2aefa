package notify

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/live"
	"plaza/hooks/web"
)

// Web Push: when a member has no Plaza tab open, a notification also goes
// to every browser they turned push on in (push_subscriptions), if they
// chose to hear of its kind there. Pushes leave in the background; a
// notification is stored whether or not they arrive.

const (
	pushTTL        = 24 * 60 * 60 // seconds a push service keeps an undelivered push
	pushTimeout    = 10 * time.Second
	maxPushPayload = 3 << 10
)

// pushing counts pushes still on their way (tests wait for it).
var pushing sync.WaitGroup

// pushClient posts to push services. Members name the endpoint, so it
// refuses every address that isn't on the public internet (checked on the
// address actually dialled, after DNS): a subscription can't make Plaza
// post into the organisation's own network. It never goes through an HTTP
// proxy from the environment: the check would then see only the proxy's
// address, and the proxy would reach whatever the endpoint names.
var pushClient = &http.Client{
	Timeout: pushTimeout,
	Transport: &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout: 10 * time.Second,
			Control: func(_, address string, _ syscall.RawConn) error {
				host, _, err := net.SplitHostPort(address)
				if err != nil {
					return err
				}
				ip, err := netip.ParseAddr(host)
				if err != nil {
					return errors.New("push: unresolved address " + host)
				}
				if allowLoopbackPush && ip.Unmap().IsLoopback() {
					return nil // tests run their push service on this machine
				}
				if !publicAddr(ip) {
					return errors.New("push: refusing to connect to " + host)
				}
				return nil
			},
		}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 4,
	},
}

// notPublic are the special-purpose ranges (IANA's registries) a push
// service is never in, beyond what net/netip's predicates cover.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (and many VPNs' internal ranges)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: reaches any IPv4 address, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/32"),       // Teredo: tunnels to an embedded IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: tunnels to an embedded IPv4 address
}

// publicAddr reports whether ip is a unicast address on the public internet.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// vapidMu serialises the first-need generation of the key pair.
var vapidMu sync.Mutex

// vapidKeys returns the organisation's VAPID key pair, made and stored in
// org_settings the first time it is needed.
func vapidKeys(app core.App) (public, private string, err error) {
	vapidMu.Lock()
	defer vapidMu.Unlock()
	org, err := app.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		return "", "", err
	}
	public, private = org.GetString("vapid_public"), org.GetString("vapid_private")
	if public != "" && private != "" {
		return public, private, nil
	}
	if private, public, err = webpush.GenerateVAPIDKeys(); err != nil {
		return "", "", err
	}
	org.Set("vapid_public", public)
	org.Set("vapid_private", private)
	if err := app.Save(org); err != nil {
		return "", "", err
	}
	return public, private, nil
}

// kindsOf reads a stored kinds list; null (never chosen) means every kind.
func kindsOf(r *core.Record, field string) []string {
	raw := r.GetString(field)
	if raw == "" || raw == "null" {
		return slices.Clone(Kinds)
	}
	var kinds []string
	if err := json.Unmarshal([]byte(raw), &kinds); err != nil {
		return slices.Clone(Kinds)
	}
	return kinds
}

type pushTarget struct {
	id  string
	sub webpush.Subscription
}

// push sends n to the member's devices unless a tab of theirs is open. Who
// to push to is settled here; the sending happens in the background.
func push(app core.App, n Event) {
	if live.Online(app, n.User) {
		return // the open tab hears of it live
	}
	subs, err := app.FindAllRecords("push_subscriptions", dbx.HashExp{"user": n.User})
	if err != nil {
		app.Logger().Error("push subscriptions not read", "user", n.User, "error", err)
		return
	}
	var targets []pushTarget
	for _, s := range subs {
		if slices.Contains(kindsOf(s, "kinds"), n.Kind) {
			targets = append(targets, pushTarget{id: s.Id, sub: webpush.Subscription{
				Endpoint: s.GetString("endpoint"),
				Keys:     webpush.Keys{P256dh: s.GetString("p256dh"), Auth: s.GetString("auth")},
			}})
		}
	}
	if len(targets) == 0 {
		return
	}
	pushing.Add(1)
	go func() {
		defer pushing.Done()
		sendPushes(app, n, targets)
	}()
}

// pushPayload is what the service worker shows.
type pushPayload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
}

func sendPushes(app core.App, n Event, targets []pushTarget) {
	public, private, err := vapidKeys(app)
	if err != nil {
		app.Logger().Error("push: no VAPID keys", "error", err)
		return
	}
	body := web.Clip(n.Text, 300)
	if n.Actor != "" {
		name := "Deleted member"
		if actor, err := app.FindRecordById("users", n.Actor); err == nil {
			name = actor.GetString("name")
		}
		body = name + " " + body
	}
	payload, err := json.Marshal(pushPayload{Title: appTitle(app), Body: body, URL: web.Clip(n.URL, 300)})
	if err != nil || len(payload) > maxPushPayload {
		app.Logger().Error("push: payload not made", "size", len(payload), "error", err)
		return
	}
	contact := app.Settings().Meta.SenderAddress
	if contact == "" {
		contact = "admin@localhost"
	}
	opts := &webpush.Options{
		HTTPClient:      pushClient,
		Subscriber:      contact, // the library writes it as a mailto: URI
		TTL:             pushTTL,
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  public,
		VAPIDPrivateKey: private,
	}
	for _, t := range targets {
		res, err := webpush.SendNotification(payload, &t.sub, opts)
		if err != nil {
			app.Logger().Warn("push not sent", "subscription", t.id, "error", err)
			continue
		}
		res.Body.Close()
		switch {
		case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
			// The browser dropped the subscription: so do we.
			if r, err := app.FindRecordById("push_subscriptions", t.id); err == nil {
				if err := app.Delete(r); err != nil {
					app.Logger().Error("expired push subscription not deleted", "subscription", t.id, "error", err)
				}
			}
		case res.StatusCode >= 300:
			app.Logger().Warn("push refused", "subscription", t.id, "status", res.StatusCode)
		}
	}
}

// appTitle is the organisation's name, or Plaza's while it has none.
func appTitle(app core.App) string {
	if name := web.OrgInfo(app).Name; name != "" {
		return name
	}
	return "Plaza"
}
