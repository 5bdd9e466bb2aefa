package pay

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stripe/stripe-go/v76"
)

func TestConfigFromEnv(t *testing.T) {
	t.Setenv("STRIPE_SECRET_KEY", "")
	if ConfigFromEnv().Enabled() {
		t.Fatal("enabled without a key")
	}
	t.Setenv("STRIPE_SECRET_KEY", " sk_test_123 ")
	t.Setenv("STRIPE_WEBHOOK_SECRET", "whsec_abc")
	t.Setenv("STRIPE_API_BASE", "http://127.0.0.1:12111/")
	c := ConfigFromEnv()
	if !c.Enabled() || c.SecretKey != "sk_test_123" || c.WebhookSecret != "whsec_abc" || c.APIBase != "http://127.0.0.1:12111" {
		t.Fatalf("%+v", c)
	}
}

// The client talks to STRIPE_API_BASE with the secret key.
func TestClientUsesAPIBase(t *testing.T) {
	var gotPath, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.Path, r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"cus_1","object":"customer"}`))
	}))
	defer srv.Close()

	cus, err := Config{SecretKey: "sk_test_123", APIBase: srv.URL}.Client().Customers.New(&stripe.CustomerParams{Name: stripe.String("Ana")})
	if err != nil {
		t.Fatal(err)
	}
	if cus.ID != "cus_1" || gotPath != "/v1/customers" || gotAuth != "Bearer sk_test_123" {
		t.Fatalf("id %q path %q auth %q", cus.ID, gotPath, gotAuth)
	}
}
