package web_test

import (
	"testing"

	"plaza/hooks/web"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven runes", 10, "eleven ru…"},
		{"北京欢迎你们大家", 5, "北京欢迎…"},
		{"北京欢迎你", 5, "北京欢迎你"},
		{"word   word", 6, "word…"}, // no space left before the ellipsis
		{"", 3, ""},
	} {
		if got := web.Clip(c.in, c.max); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	if got := web.OneLine("a\n\n  b\tc", 20); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}
