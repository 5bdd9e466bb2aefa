package minihost

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"plaza/hooks/web"
)

// Bundle is a mini-program's files, by slash-separated path relative to its root ("index.html", "img/logo.png").
type Bundle interface {
	// ReadFile returns a file's bytes, or fs.ErrNotExist.
	ReadFile(name string) ([]byte, error)
}

// Limits of a bundle.
const (
	MaxBundleBytes   = 5 << 20 // the zip as uploaded
	MaxBundleFiles   = 200
	MaxUnpackedBytes = 20 << 20 // all files, uncompressed
)

// memBundle is a checked bundle held in memory.
type memBundle map[string][]byte

// ReadFile returns the file's bytes, shared with the bundle: callers must not
// modify them.
func (b memBundle) ReadFile(name string) ([]byte, error) {
	data, ok := b[name]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return data, nil
}

// A bundle or manifest is refused with a sentence for the admin who
// uploaded it: a *web.Problem (400), shown with web.MessageOf. The fixed
// refusals are sentinels, told apart with errors.Is.
var (
	errUnpacked = invalid("The bundle is larger than 20 MB unpacked.") // over MaxUnpackedBytes
	errTooBig   = invalid("The bundle is larger than 5 MB.")           // over MaxBundleBytes
	errNotZip   = invalid("The bundle is not a zip file.")
)

// invalid is a refusal of an uploaded bundle, its message a whole sentence.
func invalid(msg string) *web.Problem { return web.Refusal(http.StatusBadRequest, msg) }

// invalidf is invalid with the message formatted as fmt.Sprintf does.
func invalidf(format string, a ...any) *web.Problem { return invalid(fmt.Sprintf(format, a...)) }

// macJunk is the folder of resource forks the macOS Finder adds to zips.
const macJunk = "__MACOSX/"

// ReadZip checks an uploaded zip and returns its files and manifest: size ≤
// MaxBundleBytes, ≤ MaxBundleFiles files, ≤ MaxUnpackedBytes unpacked (counted
// while decompressing, since a zip's headers may lie), relative paths inside
// the bundle only, plain files only, no duplicate names, manifest.json and
// index.html at the root, a valid manifest, and its icon in the bundle.
//
// A zip whose files all sit in one top-level folder (as zipping a folder in a
// file manager produces) is accepted with that folder stripped. Directory
// entries and the Finder's __MACOSX folder are ignored. Errors are sentences
// for the admin.
func ReadZip(data []byte) (Bundle, Manifest, error) {
	if len(data) > MaxBundleBytes {
		return nil, Manifest{}, errTooBig
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	// ErrInsecurePath comes with a usable reader; the path checks below
	// refuse the same names with a clearer message.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, Manifest{}, errNotZip
	}

	var files []*zip.File
	seen := map[string]bool{}
	var declared uint64
	for _, f := range zr.File {
		name := f.Name
		isDir := f.Mode().IsDir() || strings.HasSuffix(name, "/")
		if err := checkEntryPath(strings.TrimSuffix(name, "/")); err != nil {
			return nil, Manifest{}, err
		}
		if isDir || strings.HasPrefix(name, macJunk) {
			continue
		}
		if !f.Mode().IsRegular() {
			return nil, Manifest{}, invalidf("The bundle contains a link or special file (%q): only plain files are allowed.", name)
		}
		if f.Flags&0x1 != 0 {
			return nil, Manifest{}, invalidf("The bundle has a password-protected file (%q): zip it without a password.", name)
		}
		if seen[name] {
			return nil, Manifest{}, invalidf("The bundle has two files named %q.", name)
		}
		seen[name] = true
		files = append(files, f)
		if len(files) > MaxBundleFiles {
			return nil, Manifest{}, invalidf("The bundle has more than %d files.", MaxBundleFiles)
		}
		// The headers' sizes are a cheap first refusal; the real sizes are
		// counted while reading.
		if f.UncompressedSize64 > MaxUnpackedBytes-declared {
			return nil, Manifest{}, errUnpacked
		}
		declared += f.UncompressedSize64
	}

	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	prefix := commonFolder(names)

	b := memBundle{}
	budget := int64(MaxUnpackedBytes)
	for _, f := range files {
		rc, err := f.Open()
		if err != nil {
			if errors.Is(err, zip.ErrAlgorithm) {
				return nil, Manifest{}, invalidf("The bundle's file %q is compressed in a way Plaza can't read: zip it with the usual \"deflate\" method.", f.Name)
			}
			return nil, Manifest{}, invalidf("The bundle's file %q can't be read: the zip is damaged.", f.Name)
		}
		content, err := readLimited(rc, int64(f.UncompressedSize64), budget)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		if errors.Is(err, errUnpacked) {
			return nil, Manifest{}, err
		}
		if err != nil {
			return nil, Manifest{}, invalidf("The bundle's file %q can't be read: the zip is damaged.", f.Name)
		}
		budget -= int64(len(content))
		b[strings.TrimPrefix(f.Name, prefix)] = content
	}
	m, err := checkBundle(b, prefix)
	if err != nil {
		return nil, Manifest{}, err
	}
	return b, m, nil
}

// FSBundle wraps a directory of an fs.FS (the embedded built-ins) with the
// same checks as ReadZip (except the zip size), reading files into memory
// once. Its errors start with dir.
func FSBundle(fsys fs.FS, dir string) (Bundle, Manifest, error) {
	b, m, err := readFS(fsys, dir)
	if err != nil {
		return nil, Manifest{}, fmt.Errorf("%s: %w", dir, err)
	}
	return b, m, nil
}

func readFS(fsys fs.FS, dir string) (memBundle, Manifest, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, Manifest{}, err
	}
	b := memBundle{}
	budget := int64(MaxUnpackedBytes)
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return invalidf("The bundle contains a link or special file (%q): only plain files are allowed.", name)
		}
		if err := checkEntryPath(name); err != nil {
			return err
		}
		if len(b) == MaxBundleFiles {
			return invalidf("The bundle has more than %d files.", MaxBundleFiles)
		}
		f, err := sub.Open(name)
		if err != nil {
			return err
		}
		var size int64 // only a hint: without it the buffer grows as it reads
		if info, err := f.Stat(); err == nil {
			size = info.Size()
		}
		content, err := readLimited(f, size, budget)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		budget -= int64(len(content))
		b[name] = content
		return nil
	})
	if err != nil {
		return nil, Manifest{}, err
	}
	m, err := checkBundle(b, "")
	if err != nil {
		return nil, Manifest{}, err
	}
	return b, m, nil
}

// readLimited reads r to its end, refusing more than budget bytes with
// errUnpacked. sizeHint (a header's size, possibly a lie) only presizes the
// buffer.
func readLimited(r io.Reader, sizeHint, budget int64) ([]byte, error) {
	if sizeHint < 0 || sizeHint > budget {
		sizeHint = budget
	}
	buf := bytes.NewBuffer(make([]byte, 0, sizeHint+bytes.MinRead))
	n, err := buf.ReadFrom(io.LimitReader(r, budget+1))
	if err != nil {
		return nil, err
	}
	if n > budget {
		return nil, errUnpacked
	}
	return buf.Bytes(), nil
}

// checkEntryPath refuses a file path that is not a clean relative path
// inside the bundle, saying what is wrong with it.
func checkEntryPath(name string) error {
	switch {
	case validPath(name):
		return nil
	case strings.ContainsRune(name, '\\'):
		return invalidf("The bundle has a file path with a backslash (%q): folders must be separated by \"/\".", name)
	case strings.HasPrefix(name, "/"):
		return invalidf("The bundle has an absolute file path (%q): every path must be relative to the bundle.", name)
	case name == ".." || strings.HasPrefix(name, "../") || strings.HasSuffix(name, "/..") || strings.Contains(name, "/../"):
		return invalidf("The bundle has a file path that leads outside it (%q).", name)
	case len(name) > maxPathBytes:
		return invalidf("The bundle has a file path longer than %d bytes (%.40q…).", maxPathBytes, name)
	}
	return invalidf("The bundle has an invalid file path (%q).", name)
}

// commonFolder is "folder/" when every name sits inside that one top-level
// folder, else "".
func commonFolder(names []string) string {
	if len(names) == 0 {
		return ""
	}
	first, _, ok := strings.Cut(names[0], "/")
	if !ok {
		return ""
	}
	prefix := first + "/"
	for _, n := range names[1:] {
		if !strings.HasPrefix(n, prefix) {
			return ""
		}
	}
	return prefix
}

// checkBundle checks what every bundle needs at its root and returns its
// manifest. prefix is the folder stripped from the uploaded paths, to name
// them in errors as the admin sees them.
func checkBundle(b memBundle, prefix string) (Manifest, error) {
	raw, ok := b["manifest.json"]
	if !ok {
		return Manifest{}, missingAtRoot(b, prefix, "manifest.json")
	}
	if _, ok := b["index.html"]; !ok {
		return Manifest{}, missingAtRoot(b, prefix, "index.html")
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return Manifest{}, err
	}
	if _, ok := b[m.Icon]; !ok {
		return Manifest{}, invalidf("manifest.json: \"icon\" is %q, but the bundle has no such file.", m.Icon)
	}
	// Every member's browser decodes the icon in the launcher.
	if err := web.CheckImageReader(prefix+m.Icon, bytes.NewReader(b[m.Icon])); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// missingAtRoot says a root file is missing, and where it is if it sits deeper.
func missingAtRoot(b memBundle, prefix, name string) error {
	var found string // the shallowest, for a stable message
	for p := range b {
		if path.Base(p) == name && (found == "" || len(p) < len(found) || len(p) == len(found) && p < found) {
			found = p
		}
	}
	if found != "" {
		return invalidf("The bundle has no %s at its root (there is one at %q: zip the folder's contents, or the folder alone).", name, prefix+found)
	}
	return invalidf("The bundle has no %s at its root.", name)
}

// contentTypes maps file extensions to Content-Types. It is fixed here rather
// than taken from the mime package, whose table depends on the host system.
var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".txt":   "text/plain; charset=utf-8",
}

// ContentType is the Content-Type to serve a bundle file with, by extension
// (html, js, mjs, css, json, svg, png, jpg/jpeg, gif, webp, ico, woff2, woff, txt, map); "application/octet-stream" otherwise.
// The extension's case does not matter.
func ContentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}
