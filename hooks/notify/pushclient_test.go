package notify

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The push client won't post into the server's own network, whatever a
// member's subscription names.
func TestPushClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) }))
	defer srv.Close()
	was := allowLoopbackPush
	allowLoopbackPush = false
	defer func() { allowLoopbackPush = was }()
	for _, u := range []string{srv.URL, "http://10.1.2.3:9/", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/"} {
		res, err := pushClient.Post(u, "application/octet-stream", strings.NewReader("x"))
		if err == nil {
			res.Body.Close()
			t.Errorf("posted to %s", u)
		} else if !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
