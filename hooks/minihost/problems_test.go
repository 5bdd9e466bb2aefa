package minihost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"plaza/hooks/web"
)

// Every refusal of a bundle or manifest is a web.Problem: the admin's
// sentence comes from web.MessageOf, with status 400, and the fixed ones are
// sentinels errors.Is can tell apart.
func TestBundleRefusalsAreProblems(t *testing.T) {
	big := make([]byte, MaxBundleBytes+1)
	for _, c := range []struct {
		name     string
		err      func() error
		want     string
		sentinel error
	}{
		{"not a zip", func() error { _, _, err := ReadZip([]byte("hello")); return err }, "The bundle is not a zip file.", errNotZip},
		{"over 5 MB", func() error { _, _, err := ReadZip(big); return err }, "The bundle is larger than 5 MB.", errTooBig},
		{"over 20 MB unpacked", func() error { _, _, err := ReadZip(bombZip(t, MaxUnpackedBytes+1, 10)); return err }, "The bundle is larger than 20 MB unpacked.", errUnpacked},
		{"unpacked, counted while reading", func() error { _, err := readLimited(strings.NewReader("abcd"), 0, 3); return err }, "The bundle is larger than 20 MB unpacked.", errUnpacked},
		{"manifest over 64 KB", func() error { _, err := ParseManifest(make([]byte, maxManifestBytes+1)); return err }, "manifest.json is larger than 64 KB.", errManifestTooBig},
		{"no index.html", func() error { _, _, err := ReadZip(makeZip(t, without(goodFiles(), "index.html"))); return err }, "The bundle has no index.html at its root.", nil},
		{"two files named alike", func() error {
			_, _, err := ReadZip(makeZip(t, with(goodFiles(), zipEntry{name: "index.html", body: "again"})))
			return err
		}, `The bundle has two files named "index.html".`, nil},
		{"path outside", func() error { return checkEntryPath("../x") }, `The bundle has a file path that leads outside it ("../x").`, nil},
		{"bad version", func() error { _, err := ParseManifest([]byte(manifestWith("version", `"1.0"`))); return err },
			`manifest.json: "version" must be MAJOR.MINOR.PATCH, like "1.0.0" (numbers up to 999999, without leading zeros).`, nil},
		{"unknown permission", func() error { _, err := ParseManifest([]byte(manifestWith("permissions", `["camera"]`))); return err },
			`manifest.json: "permissions" has an unknown permission "camera"`, nil},
		{"not JSON", func() error { _, err := ParseManifest([]byte(`{"slug": }`)); return err }, "manifest.json is not valid JSON", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			msg, ok := web.MessageOf(err)
			if !ok {
				t.Fatalf("error %v (%T) is not a web.Problem", err, err)
			}
			if !strings.HasPrefix(msg, c.want) {
				t.Errorf("message %q\nwant %q", msg, c.want)
			}
			if got := web.StatusOf(err); got != http.StatusBadRequest {
				t.Errorf("status %d, want 400", got)
			}
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Errorf("errors.Is(%v, %v) is false", err, c.sentinel)
			}
			if c.sentinel != errNotZip && errors.Is(err, errNotZip) {
				t.Errorf("%v matches errNotZip", err)
			}
		})
	}
}

// A launch token's payload is the JSON it has always been, byte for byte,
// signed with the mini's secret.
func TestLaunchTokenPayload(t *testing.T) {
	m := &Mini{Slug: "poll", Secret: "s3cret"}
	tok := LaunchToken(m, "member123", time.Unix(1700000000, 0))
	payload, sig, ok := strings.Cut(tok, ".")
	if !ok {
		t.Fatalf("token %q has no signature", tok)
	}
	claims, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"iat":1700000000,"mini":"poll","sub":"` + PseudonymousID(m, "member123") + `"}`
	if string(claims) != want {
		t.Errorf("claims %s\nwant %s", claims, want)
	}
	mac := hmac.New(sha256.New, []byte(m.Secret))
	mac.Write([]byte(payload))
	if sig != base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q doesn't match the payload", sig)
	}
}
