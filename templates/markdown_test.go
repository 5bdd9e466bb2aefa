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

// TestMarkdownImages: only Plaza's own media files load as images; an https
// image elsewhere is a link the viewer may open; anything else (Plaza's
// pages, which an image would make every viewer's browser call) is text.
func TestMarkdownImages(t *testing.T) {
	for _, tc := range []struct{ src, want, bad string }{
		// Plaza's media routes load.
		{"![cat](/api/files/listings/abc123/cat_x1.jpg?thumb=480x480)", `<img src="/api/files/listings/abc123/cat_x1.jpg?thumb=480x480" alt="cat" loading="lazy">`, ""},
		{"![](/chats/r1/files/m1/photo.png)", `<img src="/chats/r1/files/m1/photo.png" alt=""`, ""},
		{"![sea](/moments/p1/photos/sea_k2.webp?thumb=240x240)", `<img src="/moments/p1/photos/sea_k2.webp?thumb=240x240" alt="sea"`, ""},
		{"![pic *of* `me`](/api/files/_pb_users_auth_/u1/me.jpg)", `alt="pic of me"`, ""},
		// Plaza's pages and other routes: alt text only.
		{"![](/me/export)", "", "<img"},
		{"![export](/me/export)", "export", "/me/export"},
		{"![x](/signout)", "x", "<img"},
		{"![x](/chats/r1/messages)", "x", "<img"},
		{"![x](/api/collections/users/records)", "x", "<img"},
		{"![x](/moments/p1/like)", "x", "<img"},
		{"![x](me/export)", "x", "<img"},
		// Tricks a browser would turn into another path.
		{"![x](/api/files/../../me/export)", "x", "<img"},
		{"![x](/api/files/a/%2e%2e/%2e%2e/me/export)", "x", "<img"},
		{"![x](/moments/p1/photos/..)", "x", "<img"},
		{`![x](/api/files\..\..\me\export)`, "x", "<img"},
		{"![x](//evil.example/api/files/a/b/c.jpg)", "x", "<img"},
		{"![x](/api/files/a/b/c.jpg#frag)", "x", "<img"},
		{"![x](/api/files//b/c/d.jpg)", "x", "<img"},
		// Other sites: a link the viewer chooses to open, never loaded.
		{"![a cat](https://images.example.org/cat.png)", `<a class="md-image" href="https://images.example.org/cat.png" rel="nofollow noopener noreferrer" target="_blank" data-testid="md-image-link">Image: a cat</a>`, "<img"},
		{"![](https://images.example.org/cat.png)", "Image: from images.example.org", "<img"},
		{"![x](http://images.example.org/cat.png)", "x", "<img"},
		{"![x](javascript:alert(1))", "x", "javascript"},
		{"![x](data:image/png;base64,AAAA)", "x", "data:"},
		{"![x](https://user:pw@images.example.org/a.png)", "x", "<img"},
		{`![<b>"q"</b>](https://images.example.org/a.png)`, "Image: &quot;q&quot;</a>", "<b>"},
		// An image inside a link: no link in a link.
		{"[![x](https://img.example.org/a.png)](https://example.org/)", `<a href="https://example.org/">x</a>`, "md-image"},
		{"[![x](/me/export)](https://example.org/)", `<a href="https://example.org/">x</a>`, "<img"},
		// Reference-style images follow the same rule.
		{"![x][r]\n\n[r]: /me/export", "x", "<img"},
	} {
		out := render(t, tc.src)
		if tc.want != "" && !strings.Contains(out, tc.want) {
			t.Errorf("%q rendered %q, want %q", tc.src, out, tc.want)
		}
		if tc.bad != "" && strings.Contains(out, tc.bad) {
			t.Errorf("%q rendered %q, which has %q", tc.src, out, tc.bad)
		}
	}
}
