package notify

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
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
	for _, u := range []string{srv.URL, "http://10.1.2.3:9/", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/",
		"http://100.64.1.2:9/",         // carrier-grade NAT
		"http://198.18.0.1:9/",         // benchmarking
		"http://[64:ff9b::a01:203]:9/", // NAT64 to 10.1.2.3
		"http://0.1.2.3:9/",            // "this network"
		"http://224.0.0.251:9/",        // multicast
		"http://[ff05::1]:9/",          // site-local multicast
		"http://[::ffff:10.1.2.3]:9/",  // IPv4-mapped private address
		"http://[2002:a01:203::1]:9/",  // 6to4 to 10.1.2.3
	} {
		res, err := pushClient.Post(u, "application/octet-stream", strings.NewReader("x"))
		if err == nil {
			res.Body.Close()
			t.Errorf("posted to %s", u)
		} else if !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, public := range map[string]bool{
		"8.8.8.8": true, "142.250.74.10": true, "2606:4700:4700::1111": true, "2a00:1450:4001:82b::200a": true,
		"10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false, "127.0.0.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "100.127.255.254": false, "198.18.0.1": false, "198.19.255.255": false, "0.0.0.0": false,
		"0.1.2.3": false, "224.0.0.1": false, "239.255.255.250": false, "255.255.255.255": false, "240.0.0.1": false,
		"::1": false, "::": false, "fe80::1": false, "fc00::1": false, "fd12:3456::1": false, "ff02::1": false, "ff0e::1": false,
		"64:ff9b::808:808": false, "::ffff:192.168.1.1": false, "2001:db8::1": false, "2001:0:4136:e378::1": false,
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != public {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, public)
		}
	}
}

// An HTTP proxy named by the environment (HTTP_PROXY, HTTPS_PROXY) is not
// used for pushes: through it, the address check would see only the proxy.
// The environment is read once per process, so the push runs in a child
// process started with the proxy set.
func TestPushClientIgnoresProxy(t *testing.T) {
	if os.Getenv("PLAZA_PUSH_PROXY_CHILD") == "1" {
		allowLoopbackPush = true // the proxy runs on this machine; 10.1.2.3 is still refused
		res, err := pushClient.Post("http://10.1.2.3:9/push", "application/octet-stream", strings.NewReader("x"))
		if err == nil {
			res.Body.Close()
		}
		return
	}
	var hits atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer proxy.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPushClientIgnoresProxy$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PLAZA_PUSH_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "HTTPS_PROXY="+proxy.URL,
		"http_proxy="+proxy.URL, "https_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the push went through the environment's proxy (%d requests)", n)
	}
}
