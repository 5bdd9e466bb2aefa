package notify

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// pushGroups are the choices of the push settings form: each a group of
// notification kinds a member pushes or not.
var pushGroups = []struct {
	key, label string
	kinds      []string
}{
	{"friends", "Friend requests", []string{"friend_request", "friend_accept"}},
	{"mentions", "Mentions", []string{"mention"}},
	{"replies", "Replies", []string{"reply"}},
	{"moments", "Likes and comments", []string{"like", "comment"}},
	{"orders", "Orders", []string{"order"}},
	{"minis", "Mini-programs", []string{"mini"}},
	{"moderation", "Moderation", []string{"moderation"}},
}

// maxSubscriptionBody bounds a subscription's JSON (an endpoint of up to
// 2,000 characters and two short keys).
const maxSubscriptionBody = 4 << 10

// allowLoopbackPush lets subscriptions name an http:// push service on this
// machine (tests run one); real push services are https.
var allowLoopbackPush = false

// showPushSettings is GET /me/notifications.
func showPushSettings(e *core.RequestEvent) error {
	public, _, err := vapidKeys(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	me, err := e.App.FindRecordById("users", e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	var devices int
	if err := e.App.DB().NewQuery("SELECT COUNT(*) FROM push_subscriptions WHERE user = {:me}").
		Bind(dbx.Params{"me": me.Id}).Row(&devices); err != nil {
		return e.InternalServerError("", err)
	}
	kinds := kindsOf(me, "push_kinds")
	vm := templates.PushSettingsVM{PublicKey: public, Devices: devices}
	for _, g := range pushGroups {
		vm.Choices = append(vm.Choices, templates.PushChoice{Key: g.key, Label: g.label,
			On: slices.ContainsFunc(g.kinds, func(k string) bool { return slices.Contains(kinds, k) })})
	}
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, http.StatusOK, templates.PushSettingsPage(vm))
}

// savePushSettings is POST /me/notifications: the member's choice, kept on
// their account for devices they add later and copied to every device now.
func savePushSettings(e *core.RequestEvent) error {
	if err := e.Request.ParseForm(); err != nil {
		return e.BadRequestError("The form could not be read.", err)
	}
	chosen := e.Request.PostForm["kinds"]
	kinds := []string{}
	for _, g := range pushGroups {
		if slices.Contains(chosen, g.key) {
			kinds = append(kinds, g.kinds...)
		}
	}
	err := e.App.RunInTransaction(func(tx core.App) error {
		me, err := tx.FindRecordById("users", e.Auth.Id)
		if err != nil {
			return err
		}
		me.Set("push_kinds", kinds)
		if err := tx.Save(me); err != nil {
			return err
		}
		subs, err := tx.FindAllRecords("push_subscriptions", dbx.HashExp{"user": me.Id})
		if err != nil {
			return err
		}
		for _, s := range subs {
			s.Set("kinds", kinds)
			if err := tx.Save(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Notification settings saved.")
	return web.SeeOther(e, "/me/notifications")
}

// subscription is a browser's PushSubscription as its toJSON() writes it.
type subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// subscribePush is POST /me/push with a PushSubscription as JSON: this
// browser pushes to the member from now on (a browser already known
// follows whoever subscribed it last).
func subscribePush(e *core.RequestEvent) error {
	sub, err := readSubscription(e)
	if err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	if err := validSubscription(sub); err != nil {
		return e.BadRequestError("That push subscription can't be used: "+err.Error(), nil)
	}
	me, err := e.App.FindRecordById("users", e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	r, err := e.App.FindFirstRecordByData("push_subscriptions", "endpoint", sub.Endpoint)
	if err != nil {
		c, err := e.App.FindCachedCollectionByNameOrId("push_subscriptions")
		if err != nil {
			return e.InternalServerError("", err)
		}
		r = core.NewRecord(c)
		r.Set("endpoint", sub.Endpoint)
	}
	r.Set("user", me.Id)
	r.Set("p256dh", sub.Keys.P256dh)
	r.Set("auth", sub.Keys.Auth)
	r.Set("kinds", kindsOf(me, "push_kinds"))
	if err := e.App.Save(r); err != nil {
		return e.InternalServerError("", err)
	}
	if err := capPushDevices(e.App, me.Id); err != nil {
		return e.InternalServerError("", err)
	}
	return e.NoContent(http.StatusNoContent)
}

// unsubscribePush is POST /me/push/delete with {"endpoint": …} as JSON (or
// an endpoint form field): this browser no longer pushes to the member.
func unsubscribePush(e *core.RequestEvent) error {
	endpoint := ""
	if strings.HasPrefix(e.Request.Header.Get("Content-Type"), "application/json") {
		sub, err := readSubscription(e)
		if err != nil {
			return e.BadRequestError(err.Error(), nil)
		}
		endpoint = sub.Endpoint
	} else {
		endpoint = e.Request.PostFormValue("endpoint")
	}
	if endpoint == "" {
		return e.BadRequestError("Which device? The endpoint is missing.", nil)
	}
	if _, err := e.App.DB().Delete("push_subscriptions",
		dbx.HashExp{"user": e.Auth.Id, "endpoint": endpoint}).Execute(); err != nil {
		return e.InternalServerError("", err)
	}
	return e.NoContent(http.StatusNoContent)
}

func readSubscription(e *core.RequestEvent) (subscription, error) {
	var sub subscription
	body, err := io.ReadAll(http.MaxBytesReader(e.Response, e.Request.Body, maxSubscriptionBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return sub, errors.New("That push subscription is too large.")
	}
	if err != nil {
		return sub, errors.New("The push subscription could not be read.")
	}
	if err := json.Unmarshal(body, &sub); err != nil {
		return sub, errors.New("That is not a push subscription (malformed JSON).")
	}
	return sub, nil
}

// validSubscription checks what a push service needs: an https endpoint
// and the browser's P-256 public key and 16-byte secret.
func validSubscription(sub subscription) error {
	if sub.Endpoint == "" {
		return errors.New("the endpoint is missing")
	}
	if len(sub.Endpoint) > 2000 {
		return errors.New("the endpoint is longer than 2,000 characters")
	}
	u, err := url.Parse(sub.Endpoint)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("the endpoint is not a URL")
	}
	loopback := u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1"
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback && allowLoopbackPush) {
		return errors.New("the endpoint must be an https URL")
	}
	key, err := decodeKey(sub.Keys.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(key)
	}
	if err != nil {
		return errors.New("the p256dh key is not a P-256 public key")
	}
	if secret, err := decodeKey(sub.Keys.Auth); err != nil || len(secret) != 16 {
		return errors.New("the auth secret is not 16 bytes")
	}
	return nil
}

// decodeKey reads base64url, with or without padding.
func decodeKey(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
