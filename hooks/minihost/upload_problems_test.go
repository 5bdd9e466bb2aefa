package minihost_test

import (
	"net/http"
	"testing"

	"plaza/hooks/testkit"
)

// The admin uploading a bad bundle reads the Problem's sentence under the
// bundle field, and nothing is stored.
func TestUploadShowsTheProblemSentence(t *testing.T) {
	s := testkit.Start(t)
	s.UploadMini("", []byte("hello")).Expect(http.StatusBadRequest, "bundle", "The bundle is not a zip file.")
	bad := testkit.MiniZip(map[string]any{"slug": "x1", "name": "X", "version": "1.0"}, map[string]string{"index.html": "x"})
	s.UploadMini("", bad).Expect(http.StatusBadRequest, "bundle", `must be MAJOR.MINOR.PATCH`)
	if n := s.Count("minis", "builtin = false", nil); n != 0 {
		t.Fatalf("%d refused bundles stored", n)
	}
}
