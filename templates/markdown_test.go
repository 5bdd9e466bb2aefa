package templates

import (
	"context"
	"strings"
	"testing"
)

func render(t *testing.T, src string) string {
	t.Helper()
	var b strings.Builder
	if err := Markdown(src).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownIsSafe(t *testing.T) {
	for _, tc := range []struct{ src, bad string }{
		{`<script>alert(1)</script>`, "<script"},
		{`<img src=x onerror=alert(1)>`, "onerror"},
		{`[click](javascript:alert(1))`, "javascript:"},
		{`[click](data:text/html;base64,PHNjcmlwdD4=)`, "data:text"},
		{"<iframe src=\"/\"></iframe>", "<iframe"},
		{`<a href="/x" onclick="steal()">x</a>`, "onclick"},
	} {
		if out := render(t, tc.src); strings.Contains(out, tc.bad) {
			t.Errorf("%q rendered %q", tc.src, out)
		}
	}
}

func TestMarkdownFormats(t *testing.T) {
	for src, want := range map[string]string{
		"**bold** and _it_":               "<strong>bold</strong> and <em>it</em>",
		"line one\nline two":              "line one<br>",
		"see https://example.org":         `<a href="https://example.org">https://example.org</a>`,
		"~~gone~~":                        "<del>gone</del>",
		"a < b & c":                       "a &lt; b &amp; c",
		"| a | b |\n|---|---|\n| 1 | 2 |": "<table>",
	} {
		if out := render(t, src); !strings.Contains(out, want) {
			t.Errorf("%q rendered %q, want %q", src, out, want)
		}
	}
}
