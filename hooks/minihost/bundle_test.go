package minihost

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"
)

// zipEntry is one entry of a test zip.
type zipEntry struct {
	name string
	body string
	mode fs.FileMode // 0 for a plain file
}

// goodFiles is a minimal valid bundle.
func goodFiles() []zipEntry {
	return []zipEntry{
		{name: "manifest.json", body: goodManifest},
		{name: "index.html", body: "<!doctype html><title>Poll</title>"},
		{name: "icon.svg", body: "<svg xmlns='http://www.w3.org/2000/svg'/>"},
		{name: "js/poll.js", body: "console.log('poll')"},
	}
}

// makeZip builds a zip of entries, compressed with deflate.
func makeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombZip is a valid bundle plus a file whose headers claim claimed bytes
// while its deflate stream expands to real bytes of zeros.
func bombZip(t *testing.T, claimed uint64, real int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range goodFiles() {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	zeros := make([]byte, real)
	var packed bytes.Buffer
	fw, err := flate.NewWriter(&packed, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(zeros); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "bomb.txt",
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(zeros),
		CompressedSize64:   uint64(packed.Len()),
		UncompressedSize64: claimed,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(packed.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func inFolder(folder string, entries []zipEntry) []zipEntry {
	out := make([]zipEntry, 0, len(entries)+1)
	out = append(out, zipEntry{name: folder + "/", mode: fs.ModeDir | 0o755})
	for _, e := range entries {
		e.name = folder + "/" + e.name
		out = append(out, e)
	}
	return out
}

func without(entries []zipEntry, name string) []zipEntry {
	var out []zipEntry
	for _, e := range entries {
		if e.name != name {
			out = append(out, e)
		}
	}
	return out
}

func with(entries []zipEntry, more ...zipEntry) []zipEntry {
	return append(append([]zipEntry{}, entries...), more...)
}

func TestReadZipGood(t *testing.T) {
	for _, c := range []struct {
		name    string
		entries []zipEntry
	}{
		{"at the root", goodFiles()},
		{"in one folder", inFolder("poll", goodFiles())},
		{"in one folder without its entry", inFolder("poll", goodFiles())[1:]},
		{"with directory entries", with(goodFiles(), zipEntry{name: "js/", mode: fs.ModeDir | 0o755}, zipEntry{name: "img/"})},
		{"from the macOS Finder", with(inFolder("poll", goodFiles()),
			zipEntry{name: "__MACOSX/"}, zipEntry{name: "__MACOSX/poll/._index.html", body: "\x00\x05\x16\x07"})},
		{"with the most files", func() []zipEntry {
			e := goodFiles()
			for i := len(e); i < MaxBundleFiles; i++ {
				e = append(e, zipEntry{name: "f/" + strings.Repeat("x", i), body: "x"})
			}
			return e
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, m, err := ReadZip(makeZip(t, c.entries))
			if err != nil {
				t.Fatal(err)
			}
			if m.Slug != "poll" || m.Icon != "icon.svg" || !m.Has("share") {
				t.Errorf("manifest %+v", m)
			}
			for _, e := range goodFiles() {
				got, err := b.ReadFile(e.name)
				if err != nil || string(got) != e.body {
					t.Errorf("ReadFile(%q) = %q, %v; want %q", e.name, got, err, e.body)
				}
			}
			for _, name := range []string{"missing.js", "poll/index.html", "js", "js/", "/index.html", "__MACOSX/poll/._index.html"} {
				if _, err := b.ReadFile(name); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("ReadFile(%q): %v, want fs.ErrNotExist", name, err)
				}
			}
		})
	}
}

func TestReadZipStored(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range goodFiles() {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadZip(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestReadZipInvalid(t *testing.T) {
	badManifest := with(without(goodFiles(), "manifest.json"), zipEntry{name: "manifest.json", body: manifestWith("version", `"1.0"`)})
	tooMany := goodFiles()
	for i := len(tooMany); i <= MaxBundleFiles; i++ {
		tooMany = append(tooMany, zipEntry{name: "f/" + strings.Repeat("x", i), body: "x"})
	}
	big := make([]byte, MaxBundleBytes+1)
	copy(big, makeZip(t, goodFiles()))

	for _, c := range []struct {
		name string
		zip  []byte
		want string
	}{
		{"not a zip", []byte("this is not a zip"), "The bundle is not a zip file."},
		{"empty", nil, "The bundle is not a zip file."},
		{"no files", makeZip(t, nil), "The bundle has no manifest.json at its root."},
		{"larger than 5 MB", big, "The bundle is larger than 5 MB."},
		{"no index.html", makeZip(t, without(goodFiles(), "index.html")), "The bundle has no index.html at its root."},
		{"no manifest", makeZip(t, without(goodFiles(), "manifest.json")), "The bundle has no manifest.json at its root."},
		{"manifest too deep", makeZip(t, inFolder("a", inFolder("poll", goodFiles()))), `The bundle has no manifest.json at its root (there is one at "a/poll/manifest.json"`},
		{"index.html only in a folder", makeZip(t, with(without(goodFiles(), "index.html"), zipEntry{name: "web/index.html"})), `The bundle has no index.html at its root (there is one at "web/index.html"`},
		{"two top-level folders", makeZip(t, with(inFolder("poll", goodFiles()), zipEntry{name: "other/x.txt"})), "The bundle has no manifest.json at its root"},
		{"bad manifest", makeZip(t, badManifest), `manifest.json: "version" must be MAJOR.MINOR.PATCH`},
		{"missing icon", makeZip(t, without(goodFiles(), "icon.svg")), `manifest.json: "icon" is "icon.svg", but the bundle has no such file.`},
		{"icon only in another folder", makeZip(t, with(without(goodFiles(), "icon.svg"), zipEntry{name: "img/icon.svg"})), `"icon" is "icon.svg", but the bundle has no such file`},
		{"parent path", makeZip(t, with(goodFiles(), zipEntry{name: "../x", body: "x"})), `The bundle has a file path that leads outside it ("../x").`},
		{"parent path inside", makeZip(t, with(goodFiles(), zipEntry{name: "js/../../x", body: "x"})), `leads outside it ("js/../../x")`},
		{"parent directory", makeZip(t, with(goodFiles(), zipEntry{name: "../"})), `leads outside it ("..")`},
		{"absolute path", makeZip(t, with(goodFiles(), zipEntry{name: "/abs", body: "x"})), `The bundle has an absolute file path ("/abs")`},
		{"backslash", makeZip(t, with(goodFiles(), zipEntry{name: `a\b`, body: "x"})), `The bundle has a file path with a backslash ("a\\b")`},
		{"windows traversal", makeZip(t, with(goodFiles(), zipEntry{name: `..\..\evil`, body: "x"})), `backslash`},
		{"dot path", makeZip(t, with(goodFiles(), zipEntry{name: "./x", body: "x"})), `The bundle has an invalid file path ("./x").`},
		{"empty element", makeZip(t, with(goodFiles(), zipEntry{name: "js//x", body: "x"})), `invalid file path`},
		{"control character", makeZip(t, with(goodFiles(), zipEntry{name: "x\ny", body: "x"})), `invalid file path`},
		{"not UTF-8", makeZip(t, with(goodFiles(), zipEntry{name: "caf\xe9.txt", body: "x"})), `invalid file path`},
		{"long path", makeZip(t, with(goodFiles(), zipEntry{name: strings.Repeat("x", 256), body: "x"})), `longer than 255 bytes`},
		{"junk folder traversal", makeZip(t, with(goodFiles(), zipEntry{name: "__MACOSX/../../x", body: "x"})), `leads outside it`},
		{"symlink", makeZip(t, with(goodFiles(), zipEntry{name: "link", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777})), `The bundle contains a link or special file ("link"): only plain files are allowed.`},
		{"symlinked index", makeZip(t, with(without(goodFiles(), "index.html"), zipEntry{name: "index.html", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777})), `link or special file ("index.html")`},
		{"named pipe", makeZip(t, with(goodFiles(), zipEntry{name: "fifo", mode: fs.ModeNamedPipe | 0o644})), `link or special file ("fifo")`},
		{"device", makeZip(t, with(goodFiles(), zipEntry{name: "dev", mode: fs.ModeDevice | 0o644})), `link or special file ("dev")`},
		{"duplicate names", makeZip(t, with(goodFiles(), zipEntry{name: "index.html", body: "again"})), `The bundle has two files named "index.html".`},
		{"duplicate in a folder", makeZip(t, with(inFolder("poll", goodFiles()), zipEntry{name: "poll/js/poll.js", body: "again"})), `two files named "poll/js/poll.js"`},
		{"too many files", makeZip(t, tooMany), "The bundle has more than 200 files."},
		{"headers say too large", bombZip(t, MaxUnpackedBytes+1, 10), "The bundle is larger than 20 MB unpacked."},
		{"headers claim the most there is", bombZip(t, math.MaxUint64, 10), "The bundle is larger than 20 MB unpacked."},
		{"headers lie about a bomb", bombZip(t, 10, MaxUnpackedBytes+1), `The bundle's file "bomb.txt" can't be read: the zip is damaged.`},
		{"headers lie a little", bombZip(t, 1000, 1001), `"bomb.txt" can't be read`},
		{"too large unpacked, honestly", makeZip(t, with(goodFiles(),
			zipEntry{name: "a.bin", body: strings.Repeat("a", MaxUnpackedBytes/2)},
			zipEntry{name: "b.bin", body: strings.Repeat("b", MaxUnpackedBytes/2)})), "The bundle is larger than 20 MB unpacked."},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, m, err := ReadZip(c.zip)
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if b != nil || m.Slug != "" {
				t.Errorf("an error came with a bundle or manifest")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
		})
	}
}

func TestReadZipDamaged(t *testing.T) {
	data := makeZip(t, []zipEntry{
		{name: "manifest.json", body: goodManifest},
		{name: "index.html", body: "<!doctype html>" + strings.Repeat("<p>hello</p>", 100)},
		{name: "icon.svg", body: "<svg/>"},
	})
	// Corrupt the middle of index.html's compressed data; the central
	// directory at the end stays intact.
	i := bytes.Index(data, []byte("index.html")) + len("index.html") + 5
	data[i] ^= 0xff
	data[i+1] ^= 0xff
	_, _, err := ReadZip(data)
	if err == nil || !strings.Contains(err.Error(), `"index.html" can't be read`) {
		t.Errorf("got %v", err)
	}
}

func TestReadZipUnknownMethod(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range goodFiles() {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(e.body)),
			CompressedSize64: uint64(len(e.body)), UncompressedSize64: uint64(len(e.body))}
		if e.name == "icon.svg" {
			h.Method = 14 // LZMA, which archive/zip doesn't read
		}
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadZip(buf.Bytes())
	if err == nil || !strings.Contains(err.Error(), `"icon.svg" is compressed in a way Plaza can't read`) {
		t.Errorf("got %v", err)
	}
}

func TestReadZipEncrypted(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range goodFiles() {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		if e.name == "index.html" {
			h.Flags |= 0x1
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadZip(buf.Bytes())
	if err == nil || !strings.Contains(err.Error(), `password-protected file ("index.html")`) {
		t.Errorf("got %v", err)
	}
}

func TestReadLimited(t *testing.T) {
	for _, c := range []struct {
		size, hint, budget int64
		ok                 bool
	}{
		{0, 0, 0, true}, {10, 10, 10, true}, {11, 10, 10, false}, {11, 0, 10, false},
		{5, 1 << 40, 10, true}, {5, -1, 10, true}, {1000, 1, 999, false},
	} {
		got, err := readLimited(bytes.NewReader(make([]byte, c.size)), c.hint, c.budget)
		switch {
		case c.ok && (err != nil || int64(len(got)) != c.size):
			t.Errorf("%+v: %d bytes, %v", c, len(got), err)
		case !c.ok && !errors.Is(err, errUnpacked):
			t.Errorf("%+v: %v, want errUnpacked", c, err)
		}
	}
}

func goodFS() fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, e := range goodFiles() {
		fsys["minis/poll/"+e.name] = &fstest.MapFile{Data: []byte(e.body)}
	}
	return fsys
}

func TestFSBundle(t *testing.T) {
	b, m, err := FSBundle(goodFS(), "minis/poll")
	if err != nil {
		t.Fatal(err)
	}
	if m.Slug != "poll" {
		t.Errorf("manifest %+v", m)
	}
	for _, e := range goodFiles() {
		if got, err := b.ReadFile(e.name); err != nil || string(got) != e.body {
			t.Errorf("ReadFile(%q) = %q, %v", e.name, got, err)
		}
	}
	if _, err := b.ReadFile("minis/poll/index.html"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile with the directory: %v", err)
	}

	sub := fstest.MapFS{}
	for _, e := range goodFiles() {
		sub[e.name] = &fstest.MapFile{Data: []byte(e.body)}
	}
	if _, _, err := FSBundle(sub, "."); err != nil {
		t.Errorf("the root as a bundle: %v", err)
	}
}

func TestFSBundleInvalid(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"no index.html", func(f fstest.MapFS) { delete(f, "minis/poll/index.html") }, "minis/poll: The bundle has no index.html at its root."},
		{"no manifest", func(f fstest.MapFS) { delete(f, "minis/poll/manifest.json") }, "minis/poll: The bundle has no manifest.json at its root."},
		{"bad manifest", func(f fstest.MapFS) {
			f["minis/poll/manifest.json"] = &fstest.MapFile{Data: []byte(manifestWith("permisions", `[]`))}
		}, `minis/poll: manifest.json: unknown field "permisions"`},
		{"missing icon", func(f fstest.MapFS) { delete(f, "minis/poll/icon.svg") }, `"icon" is "icon.svg", but the bundle has no such file`},
		{"symlink", func(f fstest.MapFS) {
			f["minis/poll/link"] = &fstest.MapFile{Data: []byte("/etc/passwd"), Mode: fs.ModeSymlink | 0o777}
		}, `link or special file ("link")`},
		{"backslash", func(f fstest.MapFS) { f[`minis/poll/a\b`] = &fstest.MapFile{} }, "backslash"},
		{"too many files", func(f fstest.MapFS) {
			for i := 0; i <= MaxBundleFiles; i++ {
				f["minis/poll/f/"+strings.Repeat("x", i+1)] = &fstest.MapFile{}
			}
		}, "The bundle has more than 200 files."},
		{"too large unpacked", func(f fstest.MapFS) {
			f["minis/poll/big.bin"] = &fstest.MapFile{Data: make([]byte, MaxUnpackedBytes)}
		}, "The bundle is larger than 20 MB unpacked."},
		{"no such directory", func(f fstest.MapFS) {}, "minis/nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := goodFS()
			c.change(fsys)
			dir := "minis/poll"
			if c.name == "no such directory" {
				dir = "minis/nope"
			}
			b, _, err := FSBundle(fsys, dir)
			if err == nil || b != nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"index.html":       "text/html; charset=utf-8",
		"INDEX.HTML":       "text/html; charset=utf-8",
		"js/app.js":        "text/javascript; charset=utf-8",
		"js/app.mjs":       "text/javascript; charset=utf-8",
		"css/site.css":     "text/css; charset=utf-8",
		"data.json":        "application/json",
		"js/app.js.map":    "application/json",
		"icon.svg":         "image/svg+xml",
		"img/a.png":        "image/png",
		"img/a.jpg":        "image/jpeg",
		"img/a.jpeg":       "image/jpeg",
		"img/a.gif":        "image/gif",
		"img/a.webp":       "image/webp",
		"favicon.ico":      "image/x-icon",
		"f/a.woff2":        "font/woff2",
		"f/a.woff":         "font/woff",
		"LICENSE.txt":      "text/plain; charset=utf-8",
		"LICENSE":          "application/octet-stream",
		"app.wasm":         "application/octet-stream",
		"index.html.bak":   "application/octet-stream",
		"dir.html/file":    "application/octet-stream",
		".html":            "text/html; charset=utf-8",
		"script.php":       "application/octet-stream",
		"page.htm":         "application/octet-stream",
		"archive.tar.gz":   "application/octet-stream",
		"noext.":           "application/octet-stream",
		"img/photo.JPEG":   "image/jpeg",
		"fonts/x.WOFF2":    "font/woff2",
		"styles/main.Css":  "text/css; charset=utf-8",
		"deep/a/b/c/d.svg": "image/svg+xml",
	} {
		if got := ContentType(name); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzReadZip checks that ReadZip never panics, and that a bundle it accepts
// holds its manifest, index.html and icon.
func FuzzReadZip(f *testing.F) {
	f.Add(makeZip(f, goodFiles()))
	f.Add(makeZip(f, inFolder("poll", goodFiles())))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, m, err := ReadZip(data)
		if err != nil {
			return
		}
		for _, name := range []string{"manifest.json", "index.html", m.Icon} {
			if _, err := b.ReadFile(name); err != nil {
				t.Errorf("accepted a bundle without %s: %v", name, err)
			}
		}
	})
}
