package templates

import (
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// imageRenderer decides what a markdown image becomes. Every viewer's
// browser loads an <img> on its own, with the viewer's cookies, so an
// image may only be one of Plaza's media files (a GET that serves a file
// and does nothing else). An https image elsewhere becomes a link the
// viewer may choose to open, so no other site learns who reads what; any
// other destination (one of Plaza's pages such as /me/export, http:,
// data:) is shown as its alt text.
type imageRenderer struct{}

// RegisterFuncs implements goldmark's renderer.NodeRenderer.
func (imageRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, renderImage)
}

func renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := altText(n, source)
	dest := string(n.Destination)
	switch {
	case plazaMedia(dest):
		_, _ = w.WriteString(`<img src="`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(n.Destination, true)))
		_, _ = w.WriteString(`" alt="`)
		_, _ = w.Write(util.EscapeHTML([]byte(alt)))
		_, _ = w.WriteString(`" loading="lazy">`)
	case externalImage(dest) != "" && !insideLink(n):
		label := alt
		if label == "" {
			label = "from " + externalImage(dest)
		}
		_, _ = w.WriteString(`<a class="md-image" href="`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(n.Destination, true)))
		_, _ = w.WriteString(`" rel="nofollow noopener noreferrer" target="_blank" data-testid="md-image-link">Image: `)
		_, _ = w.Write(util.EscapeHTML([]byte(label)))
		_, _ = w.WriteString(`</a>`)
	default:
		_, _ = w.Write(util.EscapeHTML([]byte(alt)))
	}
	return ast.WalkSkipChildren, nil
}

// altText is an image's description as plain text (its children may carry
// emphasis or code).
func altText(n ast.Node, source []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch t := c.(type) {
			case *ast.Text:
				b.Write(t.Segment.Value(source))
				if t.SoftLineBreak() || t.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(t.Value)
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindLink || p.Kind() == ast.KindAutoLink {
			return true
		}
	}
	return false
}

// plazaMedia reports whether dest is one of the routes that serve Plaza's
// stored files, exactly as Plaza writes them: PocketBase's files
// (/api/files/{collection}/{record}/{file}: avatars, listing photos,
// announcement pictures), chat attachments (/chats/{room}/files/{message}/{name})
// and moment photos (/moments/{post}/photos/{name}). Anything a browser
// would rewrite into another path (dot segments, backslashes, escapes,
// doubled slashes) is refused.
func plazaMedia(dest string) bool {
	path, query, _ := strings.Cut(dest, "?")
	if !strings.HasPrefix(path, "/") || !plainChars(path[1:], "/") || !plainChars(query, "=&") {
		return false
	}
	segs := strings.Split(path[1:], "/")
	for _, s := range segs {
		if s == "" || strings.Trim(s, ".") == "" {
			return false
		}
	}
	switch {
	case len(segs) == 5 && segs[0] == "api" && segs[1] == "files":
		return true
	case len(segs) == 5 && segs[0] == "chats" && segs[2] == "files":
		return true
	case len(segs) == 4 && segs[0] == "moments" && segs[2] == "photos":
		return true
	}
	return false
}

// plainChars: letters, digits, "_", "-", "." and the extra characters only.
func plainChars(s, extra string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		case strings.ContainsRune(extra, r):
		default:
			return false
		}
	}
	return true
}

// externalImage returns the host of an https image URL on another site, or "".
func externalImage(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return u.Hostname()
}
