package templates

import (
	"bytes"
	"context"
	"html"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// md renders member-written markdown. It stays in goldmark's safe mode (no
// WithUnsafe): raw HTML is dropped and javascript:/data: links are
// blanked. Images follow imageRenderer's rule (markdown_images.go).
var md = goldmark.New(
	goldmark.WithExtensions(extension.Strikethrough, extension.Linkify, extension.Table),
	goldmark.WithRendererOptions(gmhtml.WithHardWraps(),
		renderer.WithNodeRenderers(util.Prioritized(imageRenderer{}, 100))), // before goldmark's own (1000)
)

// Markdown renders member-written markdown as HTML. It is the only source of
// raw HTML in Plaza's templates.
func Markdown(src string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		out, err := toHTML(src)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, out)
		return err
	})
}

// A feed page renders the same posts and comments for every viewer, so the
// HTML of recent sources is remembered (the output depends on the source
// alone). Bounded by bytes; it starts over when full.
var rendered = struct {
	sync.RWMutex
	m     map[string]string
	bytes int
}{m: map[string]string{}}

const renderedMaxBytes = 16 << 20

func toHTML(src string) (string, error) {
	rendered.RLock()
	out, ok := rendered.m[src]
	rendered.RUnlock()
	if ok {
		return out, nil
	}
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	out = buf.String()
	rendered.Lock()
	if rendered.bytes+len(src)+len(out) > renderedMaxBytes {
		clear(rendered.m)
		rendered.bytes = 0
	}
	rendered.m[src] = out
	rendered.bytes += len(src) + len(out)
	rendered.Unlock()
	return out, nil
}

// MarkdownWithMentions is Markdown with "@Name" highlighted for the given
// member names (longest first, so "@Ana Lima" wins over "@Ana"). Only text
// between tags is touched, never attributes.
func MarkdownWithMentions(src string, names []string) templ.Component {
	if len(names) == 0 || !strings.Contains(src, "@") {
		return Markdown(src)
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		out, err := toHTML(src)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, highlightMentions(out, names))
		return err
	})
}

var textBetweenTags = regexp.MustCompile(`>[^<]*<`)

func highlightMentions(out string, names []string) string {
	sorted := slices.Clone(names)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	var alts []string
	for _, n := range sorted {
		if n != "" {
			alts = append(alts, regexp.QuoteMeta(html.EscapeString(n)))
		}
	}
	if len(alts) == 0 {
		return out
	}
	re := regexp.MustCompile(`(^|[\s(>])@(` + strings.Join(alts, "|") + `)`)
	return textBetweenTags.ReplaceAllStringFunc(out, func(seg string) string {
		return re.ReplaceAllString(seg, `$1<span class="mention">@$2</span>`)
	})
}
