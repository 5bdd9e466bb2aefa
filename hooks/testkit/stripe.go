package testkit

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"plaza/hooks/pay"
)

// WebhookSecret signs the webhook events tests send.
const WebhookSecret = "whsec_plaza_test"

// stripeMockPath finds the stripe-mock binary: $STRIPE_MOCK, $PATH, or
// `go install`'s directory (make stripe-mock installs the pinned version).
func stripeMockPath() string {
	if p := os.Getenv("STRIPE_MOCK"); p != "" {
		return p
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	dir := os.Getenv("GOBIN")
	if dir == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		dir = filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "bin")
	}
	return filepath.Join(dir, "stripe-mock")
}

// Stripe starts the real stripe-mock server (strict about the API version
// stripe-go speaks) for this test and points the app's payments at it. It
// returns the mock's base URL.
func (s *Server) Stripe() string {
	s.t.Helper()
	base := StartStripeMock(s.t)
	pay.Configure(s.App, pay.Config{SecretKey: "sk_test_plaza", WebhookSecret: WebhookSecret, APIBase: base})
	return base
}

// StartStripeMock runs stripe-mock on free loopback ports until the test ends.
func StartStripeMock(t testing.TB) string {
	t.Helper()
	bin := stripeMockPath()
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("stripe-mock not found at %s: run `make stripe-mock` (go install github.com/stripe/stripe-mock@v0.183.0)", bin)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0", "-strict-version-check")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				found <- "http://" + strings.TrimSpace(addr)
			}
		}
	}()
	select {
	case base := <-found:
		return base
	case <-time.After(15 * time.Second):
		t.Fatal("stripe-mock did not start within 15 s")
		return ""
	}
}

// Webhook sends a Stripe event of type kind about object to POST
// /stripe/webhook, signed with WebhookSecret at time at (zero: now).
func (s *Server) Webhook(id, kind string, object any, at time.Time) *Page {
	s.t.Helper()
	raw, err := json.Marshal(object)
	if err != nil {
		s.t.Fatal(err)
	}
	payload, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": kind, "api_version": stripe.APIVersion,
		"created": time.Now().Unix(), "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": json.RawMessage(raw)},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: WebhookSecret, Timestamp: at})
	return s.PostWebhook(payload, signed.Header)
}

// PostWebhook posts a raw payload with a Stripe-Signature header (or none).
func (s *Server) PostWebhook(payload []byte, signature string) *Page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/stripe/webhook", strings.NewReader(string(payload)))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	return s.Client().Do(req)
}
