package notify_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/notify"
	"plaza/hooks/testkit"
)

// device is a browser's side of a push subscription: its key pair and
// secret, to decrypt what Plaza sends.
type device struct {
	key      *ecdh.PrivateKey
	secret   []byte
	endpoint string
}

func newDevice(t *testing.T, endpoint string) *device {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	return &device{key: key, secret: secret, endpoint: endpoint}
}

func (d *device) json() []byte {
	b64 := base64.RawURLEncoding.EncodeToString
	b, _ := json.Marshal(map[string]any{"endpoint": d.endpoint, "expirationTime": nil,
		"keys": map[string]string{"p256dh": b64(d.key.PublicKey().Bytes()), "auth": b64(d.secret)}})
	return b
}

// decrypt opens an aes128gcm push body (RFC 8291) as the browser would.
func (d *device) decrypt(t *testing.T, body []byte) []byte {
	t.Helper()
	if len(body) < 21 || len(body) < 21+int(body[20]) {
		t.Fatalf("push body too short: %d bytes", len(body))
	}
	salt, idLen := body[:16], int(body[20])
	serverKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idLen])
	if err != nil {
		t.Fatal(err)
	}
	shared, err := d.key.ECDH(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	info := append(append([]byte("WebPush: info\x00"), d.key.PublicKey().Bytes()...), serverKey.Bytes()...)
	prk, err := hkdf.Extract(sha256.New, shared, d.secret)
	if err != nil {
		t.Fatal(err)
	}
	ikm, err := hkdf.Expand(sha256.New, prk, string(info), 32)
	if err != nil {
		t.Fatal(err)
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := gcm.Open(nil, nonce, body[21+idLen:], nil)
	if err != nil {
		t.Fatalf("push body does not decrypt: %v", err)
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		t.Fatal("push body lacks the last-record delimiter")
	}
	return plain[:len(plain)-1]
}

// received is one request to the fake push service.
type received struct {
	path   string
	header http.Header
	body   []byte
}

// pushService is a push service on 127.0.0.1: it answers 201, or 410 to
// paths starting /gone, and hands over what it got.
func pushService(t *testing.T) (*httptest.Server, chan received) {
	got := make(chan received, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{path: r.URL.Path, header: r.Header.Clone(), body: b}
		if strings.HasPrefix(r.URL.Path, "/gone") {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func postJSON(c *testkit.Client, s *testkit.Server, path string, body []byte) *testkit.Page {
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.Do(req)
}

// nextPush waits for the push service to be called.
func nextPush(t *testing.T, got chan received) received {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no push arrived")
	}
	return received{}
}

// noPush checks that nothing was pushed once every push under way is done.
func noPush(t *testing.T, got chan received, why string) {
	t.Helper()
	notify.WaitPushes()
	select {
	case r := <-got:
		t.Errorf("%s: pushed to %s", why, r.path)
	default:
	}
}

func TestWebPush(t *testing.T) {
	notify.AllowLoopbackPush()
	s := testkit.Start(t)
	srv, got := pushService(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)

	// The settings page: members only, linked from Me and the centre, with the
	// organisation's VAPID key, made once and never shown by the REST API.
	s.Client().Get("/me/notifications").ExpectRedirect("/signin?next=%2Fme%2Fnotifications")
	if !b.Get("/me").Has(`a[href="/me/notifications"]`) || !b.Get("/notifications").Has(`a[href="/me/notifications"]`) {
		t.Error("push settings not linked from Me and Notifications")
	}
	page := b.Get("/me/notifications").Expect(http.StatusOK, "Turn on notifications on this device", "Notifications are off on all your devices.")
	key, _ := page.Doc.Find("[data-push]").Attr("data-key")
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	if key == "" || key != org.GetString("vapid_public") || org.GetString("vapid_private") == "" {
		t.Fatalf("page key %q, stored %q", key, org.GetString("vapid_public"))
	}
	if again, _ := a.Get("/me/notifications").Doc.Find("[data-push]").Attr("data-key"); again != key {
		t.Error("VAPID keys made again")
	}
	for _, tok := range []string{"", s.Token(ana)} {
		api := s.API(http.MethodGet, "/api/collections/org_settings/records", tok, "", nil)
		if api.Status != http.StatusOK || strings.Contains(api.Body, "vapid") || strings.Contains(api.Body, org.GetString("vapid_private")) {
			t.Errorf("org_settings through the API (%d): %s", api.Status, api.Body)
		}
	}

	// Bad subscriptions are refused with a reason, nothing stored.
	good := newDevice(t, srv.URL+"/ben")
	with := func(change func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(good.json(), &m)
		change(m)
		out, _ := json.Marshal(m)
		return out
	}
	for _, bad := range []struct {
		name, body, says string
	}{
		{"malformed", `{"endpoint": "https://push.example/x", "keys": `, "malformed JSON"},
		{"plain http", string(with(func(m map[string]any) { m["endpoint"] = "http://push.example.org/x" })), "https"},
		{"no endpoint", string(with(func(m map[string]any) { delete(m, "endpoint") })), "endpoint is missing"},
		{"long endpoint", string(with(func(m map[string]any) { m["endpoint"] = "https://push.example/" + strings.Repeat("x", 2000) })), "2,000"},
		{"oversized", string(with(func(m map[string]any) { m["padding"] = strings.Repeat("x", 5000) })), "too large"},
		{"bad key", string(with(func(m map[string]any) {
			m["keys"] = map[string]string{"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}
		})), "p256dh"},
		{"short secret", string(with(func(m map[string]any) { m["keys"].(map[string]any)["auth"] = "AAAA" })), "auth secret"},
	} {
		postJSON(b, s, "/me/push", []byte(bad.body)).Expect(http.StatusBadRequest, bad.says)
	}
	if n := s.Count("push_subscriptions", "", nil); n != 0 {
		t.Fatalf("%d subscriptions stored from bad input", n)
	}
	if p := postJSON(s.Client(), s, "/me/push", good.json()); p.Status != http.StatusUnauthorized {
		t.Errorf("guest subscribed: %d", p.Status)
	}

	// Subscribed, Ben hears of a friend request while no tab is open.
	postJSON(b, s, "/me/push", good.json()).Expect(http.StatusNoContent)
	stored, err := s.App.FindFirstRecordByData("push_subscriptions", "endpoint", good.endpoint)
	if err != nil || stored.GetString("user") != ben.Id {
		t.Fatalf("subscription not stored for Ben: %v", err)
	}
	b.Get("/me/notifications").Expect(http.StatusOK, "Notifications are on for 1 device.")
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	r := nextPush(t, got)
	if r.path != "/ben" {
		t.Fatalf("pushed to %s", r.path)
	}
	if r.header.Get("Content-Encoding") != "aes128gcm" || r.header.Get("TTL") != "86400" {
		t.Errorf("push headers %v", r.header)
	}
	auth := r.header.Get("Authorization")
	if !strings.HasPrefix(auth, "vapid t=") || !strings.HasSuffix(auth, ", k="+key) {
		t.Errorf("Authorization %q lacks the VAPID key %s", auth, key)
	}
	if bytes.Contains(r.body, []byte("friend request")) {
		t.Error("push body is not encrypted")
	}
	var msg struct{ Title, Body, URL string }
	plain := good.decrypt(t, r.body)
	if err := json.Unmarshal(plain, &msg); err != nil {
		t.Fatalf("push payload %q: %v", plain, err)
	}
	if msg.Title != "Plaza" || msg.Body != "Ana sent you a friend request" || msg.URL != "/u/"+ana.Id {
		t.Errorf("push payload %+v", msg)
	}

	// Kinds turned off don't push; the choice applies to devices added later.
	b.PostForm("/me/notifications", url.Values{"kinds": {"friends", "replies"}}).ExpectRedirect("/me/notifications")
	page = b.Get("/me/notifications")
	if !page.Has(`input[value=replies]:checked`) || page.Has(`input[value=moments]:checked`) {
		t.Error("saved choices not shown")
	}
	notify.Send(s.App, notify.Event{User: ben.Id, Kind: "like", Actor: ana.Id, Text: "liked your moment", URL: "/moments"})
	noPush(t, got, "likes turned off")
	notify.Send(s.App, notify.Event{User: ben.Id, Kind: "reply", Actor: ana.Id, Text: "replied to your comment", URL: "/moments"})
	if r := nextPush(t, got); r.path != "/ben" {
		t.Errorf("reply pushed to %s", r.path)
	}
	gone := newDevice(t, srv.URL+"/gone")
	postJSON(b, s, "/me/push", gone.json()).Expect(http.StatusNoContent)
	var kinds []string
	if err := s.Reload(mustFind(t, s, gone.endpoint)).UnmarshalJSONField("kinds", &kinds); err != nil ||
		strings.Join(kinds, ",") != "friend_request,friend_accept,reply" {
		t.Errorf("new device kinds %v (%v)", kinds, err)
	}

	// A push service answering 410 Gone: that subscription is deleted.
	notify.Send(s.App, notify.Event{User: ben.Id, Kind: "reply", Actor: ana.Id, Text: "replied to your message", URL: "/chats"})
	paths := map[string]bool{nextPush(t, got).path: true, nextPush(t, got).path: true}
	notify.WaitPushes()
	if !paths["/ben"] || !paths["/gone"] {
		t.Errorf("pushed to %v", paths)
	}
	if _, err := s.App.FindFirstRecordByData("push_subscriptions", "endpoint", gone.endpoint); err == nil {
		t.Error("gone subscription kept")
	}

	// With a tab open the tab hears of it, so nothing is pushed.
	live := testkit.ReadSSE(t, b.Open("/events", nil).Body)
	live.Next("unread")
	notify.Send(s.App, notify.Event{User: ben.Id, Kind: "reply", Actor: ana.Id, Text: "replied to your message", URL: "/chats"})
	live.Next("notify")
	noPush(t, got, "tab open")
	live.Close()

	// Turning off: only one's own devices.
	postJSON(a, s, "/me/push/delete", good.json()).Expect(http.StatusNoContent)
	if n := s.Count("push_subscriptions", "", nil); n != 1 {
		t.Errorf("another member turned Ben's device off (%d left)", n)
	}
	postJSON(b, s, "/me/push/delete", []byte(`{"endpoint":"`+good.endpoint+`"}`)).Expect(http.StatusNoContent)
	if n := s.Count("push_subscriptions", "", nil); n != 0 {
		t.Errorf("%d subscriptions after turning off", n)
	}

	// The service worker shows pushes and opens them.
	s.Client().Get("/sw.js").Expect(http.StatusOK, `addEventListener("push"`, `addEventListener("notificationclick"`, "showNotification", "openWindow")
}

func mustFind(t *testing.T, s *testkit.Server, endpoint string) *core.Record {
	t.Helper()
	r, err := s.App.FindFirstRecordByData("push_subscriptions", "endpoint", endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPushDeviceCap: a member has at most 10 push devices; turning on an
// 11th turns the one turned on longest ago off. Others' devices stay.
func TestPushDeviceCap(t *testing.T) {
	notify.AllowLoopbackPush()
	s := testkit.Start(t)
	srv, got := pushService(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	postJSON(a, s, "/me/push", newDevice(t, srv.URL+"/ana").json()).Expect(http.StatusNoContent)

	var devices []*device
	for i := range 12 {
		d := newDevice(t, srv.URL+"/ben/"+string(rune('a'+i)))
		devices = append(devices, d)
		postJSON(b, s, "/me/push", d.json()).Expect(http.StatusNoContent)
		time.Sleep(2 * time.Millisecond) // distinct times, so "oldest" is well defined
	}
	if n := s.Count("push_subscriptions", "user = {:u}", map[string]any{"u": ben.Id}); n != 10 {
		t.Fatalf("Ben has %d devices, want 10", n)
	}
	for i, d := range devices {
		_, err := s.App.FindFirstRecordByData("push_subscriptions", "endpoint", d.endpoint)
		if kept := err == nil; kept != (i >= 2) {
			t.Errorf("device %d kept = %v", i, kept)
		}
	}
	if n := s.Count("push_subscriptions", "user = {:u}", map[string]any{"u": ana.Id}); n != 1 {
		t.Errorf("Ana has %d devices, want 1", n)
	}
	b.Get("/me/notifications").Expect(http.StatusOK, "Notifications are on for 10 devices.")

	// Turning an old device on again makes it the newest.
	postJSON(b, s, "/me/push", devices[2].json()).Expect(http.StatusNoContent)
	time.Sleep(2 * time.Millisecond)
	postJSON(b, s, "/me/push", newDevice(t, srv.URL+"/ben/new").json()).Expect(http.StatusNoContent)
	if _, err := s.App.FindFirstRecordByData("push_subscriptions", "endpoint", devices[2].endpoint); err != nil {
		t.Error("the device turned on again was dropped")
	}
	if _, err := s.App.FindFirstRecordByData("push_subscriptions", "endpoint", devices[3].endpoint); err == nil {
		t.Error("the oldest device was kept")
	}

	// A push reaches the 10 devices, once each.
	notify.Send(s.App, notify.Event{User: ben.Id, Kind: "reply", Actor: ana.Id, Text: "replied to your message", URL: "/chats"})
	seen := map[string]bool{}
	for range 10 {
		seen[nextPush(t, got).path] = true
	}
	noPush(t, got, "an 11th push")
	if len(seen) != 10 || seen["/ben/d"] {
		t.Errorf("pushed to %v", seen)
	}
}
