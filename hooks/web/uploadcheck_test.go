package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"plaza/hooks/testkit"
	"plaza/hooks/web"
)

// posted is what a server reads from a multipart form with these files in
// field "f", as the forms get them from web.Uploads.
func posted(t *testing.T, files ...testkit.Upload) []*multipart.FileHeader {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range files {
		fw, err := w.CreateFormFile("f", f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	form, err := multipart.NewReader(&b, w.Boundary()).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = form.RemoveAll() })
	return form.File["f"]
}

var photos = web.UploadRule{
	MaxBytes:    1 << 20,
	TooBig:      "“{name}” is {size}; the limit is {limit}.",
	NotAccepted: "“{name}” is not a picture.",
}

// notPages takes any file but a web page, as chat's attachments do.
var notPages = web.UploadRule{
	MaxBytes:    1 << 20,
	Accept:      func(kind string) bool { return kind != "text/html" },
	TooBig:      "“{name}” is too big.",
	NotAccepted: "“{name}” can't be sent.",
}

// refused checks that uploads are refused with status and a message holding
// each of want, and that no file comes back.
func refused(t *testing.T, rule web.UploadRule, uploads []*multipart.FileHeader, status int, want ...string) {
	t.Helper()
	files, refusal, err := rule.Files(uploads)
	if err != nil {
		t.Fatal(err)
	}
	if refusal == nil || files != nil {
		t.Fatalf("want a refusal and no files, got %v, %d files", refusal, len(files))
	}
	if refusal.Status != status {
		t.Errorf("status %d, want %d (%q)", refusal.Status, status, refusal.Message)
	}
	for _, w := range want {
		if !strings.Contains(refusal.Message, w) {
			t.Errorf("message %q lacks %q", refusal.Message, w)
		}
	}
}

// A good picture comes back ready to store, named as uploaded, with its
// content intact; its sniffed type is told.
func TestUploadRuleAcceptsPicture(t *testing.T) {
	data := testkit.PNG(t, 40, 30)
	uploads := posted(t, testkit.Upload{Name: "lamp.png", Data: data}, testkit.Upload{Name: "notes.txt", Data: []byte("plain words")})

	kind, refusal, err := photos.Check(uploads[0])
	if err != nil || refusal != nil || kind != "image/png" {
		t.Fatalf("Check: %q %v %v", kind, refusal, err)
	}
	files, refusal, err := photos.Files(uploads[:1])
	if err != nil || refusal != nil || len(files) != 1 {
		t.Fatalf("Files: %d files, %v, %v", len(files), refusal, err)
	}
	if files[0].OriginalName != "lamp.png" || files[0].Size != int64(len(data)) {
		t.Errorf("file %q of %d bytes", files[0].OriginalName, files[0].Size)
	}
	r, err := files[0].Reader.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("content changed (%v)", err)
	}

	// A rule with its own Accept takes other files too.
	files, refusal, err = notPages.Files(uploads)
	if err != nil || refusal != nil || len(files) != 2 {
		t.Fatalf("notPages: %d files, %v, %v", len(files), refusal, err)
	}
}

// A file over the limit is refused with 413, before anything else is read,
// naming the file, its size and the limit.
func TestUploadRuleRefusesSize(t *testing.T) {
	big := append(testkit.PNG(t, 40, 30), bytes.Repeat([]byte{0}, 1<<20+1<<19)...)
	refused(t, photos, posted(t, testkit.Upload{Name: "huge.png", Data: big}), http.StatusRequestEntityTooLarge,
		"“huge.png” is 1.5 MB; the limit is 1.0 MB.")
	// The file's name is said as it is, even when it looks like a placeholder.
	refused(t, photos, posted(t, testkit.Upload{Name: "{limit}.png", Data: big}), http.StatusRequestEntityTooLarge,
		"“{limit}.png” is 1.5 MB")
}

// The type is judged by content: a page named like a picture is refused with
// 422 and the rule's sentence; a picture named like a page is taken.
func TestUploadRuleRefusesType(t *testing.T) {
	page := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	refused(t, photos, posted(t, testkit.Upload{Name: "cat.png", Data: page}), http.StatusUnprocessableEntity, "“cat.png” is not a picture.")
	refused(t, photos, posted(t, testkit.Upload{Name: "notes.txt", Data: []byte("plain words")}), http.StatusUnprocessableEntity, "“notes.txt” is not a picture.")
	refused(t, notPages, posted(t, testkit.Upload{Name: "cat.png", Data: page}), http.StatusUnprocessableEntity, "“cat.png” can't be sent.")

	files, refusal, err := photos.Files(posted(t, testkit.Upload{Name: "page.html", Data: testkit.PNG(t, 8, 8)}))
	if err != nil || refusal != nil || len(files) != 1 {
		t.Fatalf("picture named page.html: %d files, %v, %v", len(files), refusal, err)
	}
}

// A small file declaring 20,000 × 20,000 pixels is refused with 422 in every
// accepted format, whatever the rule's Accept, naming the file.
func TestUploadRuleRefusesPixelBombs(t *testing.T) {
	for _, f := range testkit.BombFormats {
		bomb := testkit.Bomb(t, f.Format, 20000)
		for _, rule := range []web.UploadRule{photos, notPages} {
			refused(t, rule, posted(t, testkit.Upload{Name: f.Name, Data: bomb}), http.StatusUnprocessableEntity,
				"“"+f.Name+"” "+refusal)
		}
	}
}

// Files stops at the first refused upload and names it, not the good ones
// before it.
func TestUploadRuleNamesRefusedFile(t *testing.T) {
	uploads := posted(t,
		testkit.Upload{Name: "first.png", Data: testkit.PNG(t, 20, 20)},
		testkit.Upload{Name: "second.gif", Data: testkit.Bomb(t, "gif", 20000)},
		testkit.Upload{Name: "third.txt", Data: []byte("not a picture")},
	)
	refused(t, photos, uploads, http.StatusUnprocessableEntity, "“second.gif” "+refusal)
	_, p, _ := photos.Files(uploads)
	if strings.Contains(p.Message, "first.png") || strings.Contains(p.Message, "third.txt") {
		t.Errorf("message names other files: %q", p.Message)
	}
}
