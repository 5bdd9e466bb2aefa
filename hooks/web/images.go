package web

import (
	"errors"
	"image"
	_ "image/gif"  // formats Plaza accepts, registered for image.DecodeConfig
	_ "image/jpeg" //
	_ "image/png"  //
	"io"
	"mime/multipart"
	"strconv"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	_ "golang.org/x/image/webp" // WebP's header, so its canvas size is checked too
)

// The largest picture Plaza decodes. Thumbnailing decodes the whole image into
// memory (4 bytes a pixel, then copies): a small file declaring 20,000 ×
// 20,000 pixels would cost gigabytes. 40 megapixels covers any phone camera.
const (
	MaxImagePixels = 40_000_000
	MaxImageSide   = 12_000
)

// ImageTooLargeError is a picture refused for its pixel size; its Error is the
// sentence to show the member.
type ImageTooLargeError struct {
	Name          string // the file's name as uploaded ("" when unknown)
	Width, Height int
}

func (e *ImageTooLargeError) Error() string {
	size := thousands(e.Width) + " × " + thousands(e.Height) + " pixels"
	if e.Name == "" { // a stored picture, to someone viewing it
		return "This picture is " + size + ", more than Plaza shows (at most 40 megapixels and 12,000 pixels wide or high)."
	}
	return "“" + e.Name + "” is " + size + ". Pictures can be at most 40 megapixels and 12,000 pixels wide or high: make it smaller and try again."
}

// CheckImage refuses an upload whose header declares more pixels than Plaza
// decodes, with an *ImageTooLargeError. Only the header is read. A file that
// isn't a picture in a format Go can decode passes: nothing will decode it.
func CheckImage(fh *multipart.FileHeader) error {
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	return CheckImageReader(fh.Filename, f)
}

// CheckImageFile is CheckImage for a file about to be saved on a record.
func CheckImageFile(file *filesystem.File) error {
	if file == nil || file.Reader == nil {
		return nil
	}
	r, err := file.Reader.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return CheckImageReader(file.OriginalName, r)
}

// CheckImageReader is CheckImage for a picture read from r, named name in
// the message.
func CheckImageReader(name string, r io.Reader) error {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		// Not a picture, or a header no decoder accepts: thumbnailing fails
		// on the same header before allocating anything.
		return nil
	}
	if TooManyPixels(cfg.Width, cfg.Height) {
		return &ImageTooLargeError{Name: name, Width: cfg.Width, Height: cfg.Height}
	}
	return nil
}

// TooManyPixels reports whether a width × height picture is over the limits.
func TooManyPixels(width, height int) bool {
	return width > MaxImageSide || height > MaxImageSide || int64(width)*int64(height) > MaxImagePixels
}

// bindImageChecks refuses oversized pictures on every collection's file
// fields when a record is saved, however it is saved: the dashboard, the REST
// API or Go code. Plaza's forms check first, with their own message; this is
// for the paths that don't go through them (the org logo, avatars or listing
// photos set in the dashboard). The dashboard shows the error under the field.
func bindImageChecks(app core.App) {
	app.OnRecordValidate().BindFunc(func(e *core.RecordEvent) error {
		errs := validation.Errors{}
		for _, f := range e.Record.Collection().Fields {
			if f.Type() != core.FieldTypeFile {
				continue
			}
			for _, file := range e.Record.GetUnsavedFiles(f.GetName()) {
				err := CheckImageFile(file)
				var big *ImageTooLargeError
				switch {
				case errors.As(err, &big):
					errs[f.GetName()] = validation.NewError("validation_image_too_large", big.Error())
				case err != nil:
					return err
				}
				if errs[f.GetName()] != nil {
					break
				}
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return e.Next()
	})
}

// thousands writes n with comma separators (20000 → "20,000").
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ImageRefusal is CheckImage for a form: the sentence to show the member
// when the picture is refused, or the error when it couldn't be read.
func ImageRefusal(fh *multipart.FileHeader) (string, error) {
	err := CheckImage(fh)
	var big *ImageTooLargeError
	if errors.As(err, &big) {
		return big.Error(), nil
	}
	return "", err
}
