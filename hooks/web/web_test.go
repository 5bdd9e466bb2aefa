package web

import "testing"

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                     "/home",
		"/friends":             "/friends",
		"/u/abc?x=1":           "/u/abc?x=1",
		"//evil.example/x":     "/home",
		"/\\evil.example":      "/home",
		"https://evil.example": "/home",
		"javascript:alert(1)":  "/home",
		"/ok\r\nSet-Cookie: x": "/home",
	} {
		if got := SafeNext(next, "/home"); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
