package minihost

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Permissions a manifest may ask for, in the order consent sheets list them.
var Permissions = []string{"profile", "storage", "shared_storage", "payments", "share", "notify"}

// Manifest is a mini-program's manifest.json.
type Manifest struct {
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Version     string   `json:"version"`
	Icon        string   `json:"icon"`
	Permissions []string `json:"permissions"`
}

// Limits of a manifest (minis/README.md).
const (
	maxManifestBytes = 64 << 10
	maxNameRunes     = 40
	maxDescRunes     = 200
	maxPathBytes     = 255 // a file path in a bundle, the icon's included
)

// manifestFields are manifest.json's keys, in the order error messages list them.
var manifestFields = []string{"slug", "name", "description", "version", "icon", "permissions"}

var (
	slugRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)
	versionRe = regexp.MustCompile(`^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$`)
	iconExts  = []string{".svg", ".png", ".webp"}
)

// errManifestTooBig refuses a manifest over maxManifestBytes.
var errManifestTooBig = invalid("manifest.json is larger than 64 KB.")

// ParseManifest reads and checks manifest.json. Errors are sentences an admin
// reads in the dashboard, naming the field. The name and description come
// back with surrounding spaces trimmed. Its errors are *web.Problem
// sentences for the admin.
func ParseManifest(data []byte) (Manifest, error) {
	if len(data) > maxManifestBytes {
		return Manifest{}, errManifestTooBig
	}
	// Editors on Windows like to start files with a byte-order mark.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if err := checkManifestShape(data); err != nil {
		return Manifest{}, err
	}
	// The shape check has vetted the keys exactly (encoding/json alone would
	// take "Slug" for "slug" and keep the last of two "slug"s); decoding
	// strictly once more still guards against the two drifting apart.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, jsonError(err)
	}
	m.Name = strings.TrimSpace(m.Name)
	m.Description = strings.TrimSpace(m.Description)
	if err := m.check(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// checkManifestShape checks that data is one JSON object, with nothing after
// it, whose keys are manifest fields, each once.
func checkManifestShape(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	switch {
	case err == io.EOF:
		return invalid("manifest.json is empty.")
	case err != nil:
		return jsonError(err)
	case tok != json.Delim('{'):
		return invalid(`manifest.json must be a JSON object, like {"slug": "poll", …}.`)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		key, _ := tok.(string) // inside an object the decoder only yields string keys
		if !slices.Contains(manifestFields, key) {
			return invalidf("manifest.json: unknown field %q (the fields are %s).", key, listWords(manifestFields))
		}
		if seen[key] {
			return invalidf("manifest.json: %q appears twice.", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return jsonError(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("manifest.json has something after its closing }.")
	}
	return nil
}

// jsonError turns a decoding error into a sentence for the admin.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return invalidf("manifest.json is not valid JSON: %s (at byte %d).", strings.TrimPrefix(syntax.Error(), "json: "), syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		field, _, _ := strings.Cut(typ.Field, ".")
		if field == "permissions" {
			return invalid(`manifest.json: "permissions" must be a list of names, like ["profile", "share"].`)
		}
		return invalidf("manifest.json: %q must be a string.", field)
	case errors.As(err, &typ):
		return invalid(`manifest.json must be a JSON object, like {"slug": "poll", …}.`)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("manifest.json is cut short: it ends before its closing }.")
	}
	return invalidf("manifest.json is not valid: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// check applies the field rules of minis/README.md.
func (m Manifest) check() error {
	if m.Slug == "" {
		return invalid(`manifest.json: "slug" is missing.`)
	}
	if !slugRe.MatchString(m.Slug) {
		return invalid(`manifest.json: "slug" must be 2–40 lowercase letters, digits or "-", starting with a letter.`)
	}
	if m.Name == "" {
		return invalid(`manifest.json: "name" is missing.`)
	}
	if utf8.RuneCountInString(m.Name) > maxNameRunes {
		return invalid(`manifest.json: "name" must be at most 40 characters.`)
	}
	if strings.IndexFunc(m.Name, badNameRune) >= 0 {
		return invalid(`manifest.json: "name" must not contain control characters.`)
	}
	if utf8.RuneCountInString(m.Description) > maxDescRunes {
		return invalid(`manifest.json: "description" must be at most 200 characters.`)
	}
	if strings.IndexFunc(m.Description, badDescRune) >= 0 {
		return invalid(`manifest.json: "description" must not contain control characters (other than line breaks and tabs).`)
	}
	if m.Version == "" {
		return invalid(`manifest.json: "version" is missing.`)
	}
	if !versionRe.MatchString(m.Version) {
		return invalid(`manifest.json: "version" must be MAJOR.MINOR.PATCH, like "1.0.0" (numbers up to 999999, without leading zeros).`)
	}
	if m.Icon == "" {
		return invalid(`manifest.json: "icon" is missing.`)
	}
	if !validPath(m.Icon) || !slices.Contains(iconExts, strings.ToLower(path.Ext(m.Icon))) {
		return invalid(`manifest.json: "icon" must be the path of an .svg, .png or .webp file in the bundle, like "icon.svg" or "img/icon.png".`)
	}
	for i, p := range m.Permissions {
		if !slices.Contains(Permissions, p) {
			return invalidf("manifest.json: %q has an unknown permission %q (the permissions are %s).", "permissions", p, listWords(Permissions))
		}
		if slices.Contains(m.Permissions[:i], p) {
			return invalidf("manifest.json: %q lists %q twice.", "permissions", p)
		}
	}
	return nil
}

// badNameRune refuses control characters and the bidirectional overrides
// that could make a name on a consent sheet read as another.
func badNameRune(r rune) bool {
	return unicode.IsControl(r) || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

func badDescRune(r rune) bool {
	return r != '\n' && r != '\t' && unicode.IsControl(r)
}

// validPath reports whether name is a clean relative path inside a bundle:
// slash-separated, no leading or trailing "/", no "", "." or ".." element,
// no backslash, no control character, valid UTF-8 and not too long.
func validPath(name string) bool {
	return len(name) <= maxPathBytes && utf8.ValidString(name) && fs.ValidPath(name) &&
		!strings.ContainsRune(name, '\\') && strings.IndexFunc(name, unicode.IsControl) < 0
}

// listWords lists words quoted and joined: "a", "b" and "c".
func listWords(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = strconv.Quote(w)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// Has reports whether the manifest declares permission p.
func (m Manifest) Has(p string) bool {
	return slices.Contains(m.Permissions, p)
}

// CompareVersions compares two MAJOR.MINOR.PATCH versions numerically (-1, 0, 1); both must already be valid.
// A part that is not a number counts as 0.
func CompareVersions(a, b string) int {
	pa, pb := strings.SplitN(a, ".", 3), strings.SplitN(b, ".", 3)
	for i := range 3 {
		if c := cmp.Compare(versionPart(pa, i), versionPart(pb, i)); c != 0 {
			return c
		}
	}
	return 0
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, err := strconv.Atoi(parts[i])
	if err != nil {
		return 0
	}
	return n
}
