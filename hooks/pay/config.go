// Package pay is Plaza's Stripe integration: configuration and the client now;
// Checkout, the webhook, payment records and Connect onboarding build on it.
package pay

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// Config is how Plaza reaches Stripe, read from the environment.
type Config struct {
	SecretKey     string // STRIPE_SECRET_KEY; empty disables buying
	WebhookSecret string // STRIPE_WEBHOOK_SECRET; verifies POST /stripe/webhook
	APIBase       string // STRIPE_API_BASE; tests and demos point it at stripe-mock
}

// ConfigFromEnv reads the STRIPE_* variables.
func ConfigFromEnv() Config {
	return Config{
		SecretKey:     strings.TrimSpace(os.Getenv("STRIPE_SECRET_KEY")),
		WebhookSecret: strings.TrimSpace(os.Getenv("STRIPE_WEBHOOK_SECRET")),
		APIBase:       strings.TrimRight(strings.TrimSpace(os.Getenv("STRIPE_API_BASE")), "/"),
	}
}

// Enabled reports whether payments can be taken. Without a key everything
// else in Plaza works and "Buy" explains why it is off.
func (c Config) Enabled() bool { return c.SecretKey != "" }

// Client is a Stripe API client for this configuration: its own backend (so
// tests can run several side by side), a bounded timeout and a few retries
// (stripe-go reuses the idempotency key on retries).
func (c Config) Client() *client.API {
	cfg := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: 20 * time.Second},
		MaxNetworkRetries: stripe.Int64(2),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelError},
	}
	if c.APIBase != "" {
		cfg.URL = stripe.String(c.APIBase)
	}
	return client.New(c.SecretKey, &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg),
	})
}
