package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// maxFormMemory is how much of a multipart form is kept in memory (the rest
// spills to temp files); PocketBase's body limit caps the whole request.
const maxFormMemory = 32 << 20

// Uploads returns the non-empty files posted in field. Checking them is the
// caller's: size against its limit, type with Sniff, and a picture's pixels
// with ImageRefusal (the record hook refuses them too, less kindly).
func Uploads(e *core.RequestEvent, field string) ([]*multipart.FileHeader, error) {
	if e.Request.MultipartForm == nil {
		if err := e.Request.ParseMultipartForm(maxFormMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return nil, err
		}
	}
	if e.Request.MultipartForm == nil {
		return nil, nil
	}
	var out []*multipart.FileHeader
	for _, fh := range e.Request.MultipartForm.File[field] {
		if fh.Size > 0 { // an empty file input posts a nameless, empty part
			out = append(out, fh)
		}
	}
	return out, nil
}

// Sniff is an upload's content type judged from its first bytes, never from
// what the browser claimed.
func Sniff(fh *multipart.FileHeader) (string, error) {
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	return sniffReader(f)
}

// sniffReader judges content from the first 512 bytes of r.
func sniffReader(r io.Reader) (string, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	t, _, _ := strings.Cut(http.DetectContentType(head[:n]), ";")
	return t, nil
}

// ImageTypes are the picture formats Plaza accepts and shows.
var ImageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}
