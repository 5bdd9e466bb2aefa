// Package static embeds Plaza's stylesheets, scripts and images and names them
// with content-hashed URLs.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS holds the named asset directories only (never the Go sources).
//
//go:embed css js img
var FS embed.FS

var hashes = func() map[string]string {
	m := map[string]string{}
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic("static: reading embedded assets: " + err.Error()) // the binary itself is broken
	}
	return m
}()

// Hash is the short content hash of an embedded asset ("" if unknown).
func Hash(name string) string { return hashes[name] }

// Path is the URL of an embedded asset, versioned by its content hash.
func Path(name string) string { return "/static/" + name + "?v=" + hashes[name] }
