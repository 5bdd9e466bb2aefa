package templates

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// md renders member-written markdown. It stays in goldmark's safe mode (no
// html.WithUnsafe): raw HTML is dropped and javascript:/data: links are
// blanked. Remote images are further blocked by the page CSP (img-src 'self').
var md = goldmark.New(
	goldmark.WithExtensions(extension.Strikethrough, extension.Linkify, extension.Table),
	goldmark.WithRendererOptions(html.WithHardWraps()),
)

// Markdown renders member-written markdown as HTML. It is the only source of
// raw HTML in Plaza's templates.
func Markdown(src string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var buf bytes.Buffer
		if err := md.Convert([]byte(src), &buf); err != nil {
			return err
		}
		return templ.Raw(buf.String()).Render(ctx, w)
	})
}
