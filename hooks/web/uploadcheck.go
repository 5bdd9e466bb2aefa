package web

import (
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/tools/filesystem"
)

// An UploadRule is what one form field accepts, and the sentences a member
// reads when a file is refused. In the sentences, {name} is the file's name
// as uploaded, {size} its size and {limit} MaxBytes (both like "12.3 MB").
//
// Every upload checked against a rule is judged by its content (Sniff), never
// by what the browser claimed, and a picture declaring more pixels than Plaza
// decodes is refused whatever the rule (ImageRefusal's sentence).
type UploadRule struct {
	MaxBytes int64
	// Accept says whether a sniffed content type is taken; nil takes the
	// pictures in ImageTypes.
	Accept func(kind string) bool
	// TooBig is the sentence for a file over MaxBytes.
	TooBig string
	// NotAccepted is the sentence for a file of a type Accept refuses.
	NotAccepted string
}

// Check checks one upload against the rule and returns its sniffed content
// type. A refused file gives a Problem whose message is the rule's sentence:
// 413 for its size, 422 for its type or its pixels. err is an upload that
// couldn't be read.
func (r UploadRule) Check(fh *multipart.FileHeader) (kind string, refusal *Problem, err error) {
	if fh.Size > r.MaxBytes {
		return "", Refusal(http.StatusRequestEntityTooLarge, r.say(r.TooBig, fh)), nil
	}
	if kind, err = Sniff(fh); err != nil {
		return "", nil, err
	}
	accept := r.Accept
	if accept == nil {
		accept = func(kind string) bool { return ImageTypes[kind] }
	}
	if !accept(kind) {
		return "", Refusal(http.StatusUnprocessableEntity, r.say(r.NotAccepted, fh)), nil
	}
	msg, err := ImageRefusal(fh)
	if err != nil {
		return "", nil, err
	}
	if msg != "" {
		return "", Refusal(http.StatusUnprocessableEntity, msg), nil
	}
	return kind, nil, nil
}

// Files checks uploads in order and returns them ready to set on a record,
// or the first one's refusal (see Check). How many files a field takes is
// the caller's rule.
func (r UploadRule) Files(uploads []*multipart.FileHeader) ([]*filesystem.File, *Problem, error) {
	files := make([]*filesystem.File, 0, len(uploads))
	for _, fh := range uploads {
		if _, refusal, err := r.Check(fh); refusal != nil || err != nil {
			return nil, refusal, err
		}
		f, err := filesystem.NewFileFromMultipart(fh)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f)
	}
	return files, nil, nil
}

// say fills a sentence's {name}, {size} and {limit} for fh.
func (r UploadRule) say(sentence string, fh *multipart.FileHeader) string {
	return strings.NewReplacer("{name}", fh.Filename, "{size}", Megabytes(fh.Size), "{limit}", Megabytes(r.MaxBytes)).Replace(sentence)
}

// Megabytes writes a size of a megabyte or more as "12.3 MB".
func Megabytes(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}
