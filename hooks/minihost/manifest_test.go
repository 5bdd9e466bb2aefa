package minihost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const goodManifest = `{
  "slug": "poll",
  "name": "Poll",
  "description": "Ask a question, share it to a chat, see the votes come in.",
  "version": "1.0.0",
  "icon": "icon.svg",
  "permissions": ["profile", "shared_storage", "share"]
}`

// manifestWith is goodManifest with one field's JSON value replaced, or the
// field removed when value is "".
func manifestWith(field, value string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(goodManifest), &m); err != nil {
		panic(err)
	}
	if value == "" {
		delete(m, field)
	} else {
		m[field] = json.RawMessage(value)
	}
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(out)
}

func TestParseManifestGood(t *testing.T) {
	m, err := ParseManifest([]byte(goodManifest))
	if err != nil {
		t.Fatal(err)
	}
	want := Manifest{
		Slug: "poll", Name: "Poll", Description: "Ask a question, share it to a chat, see the votes come in.",
		Version: "1.0.0", Icon: "icon.svg", Permissions: []string{"profile", "shared_storage", "share"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v, want %+v", m, want)
	}
	if !m.Has("share") || m.Has("payments") || m.Has("") {
		t.Error("Has")
	}
}

func TestParseManifestValid(t *testing.T) {
	for _, c := range []struct {
		name  string
		json  string
		check func(Manifest) bool
	}{
		{"slug of 2", manifestWith("slug", `"ab"`), nil},
		{"slug of 40", manifestWith("slug", `"a`+strings.Repeat("-", 38)+`9"`), nil},
		{"slug with digits and dashes", manifestWith("slug", `"split-bill2"`), nil},
		{"name of 40 runes", manifestWith("name", `"`+strings.Repeat("投", 40)+`"`), nil},
		{"name trimmed", manifestWith("name", `"  Poll  "`), func(m Manifest) bool { return m.Name == "Poll" }},
		{"name with emoji joiner", manifestWith("name", `"👨‍👩‍👧 Family"`), nil},
		{"no description", manifestWith("description", ""), func(m Manifest) bool { return m.Description == "" }},
		{"description of 200 runes", manifestWith("description", `"`+strings.Repeat("é", 200)+`"`), nil},
		{"description with a line break", manifestWith("description", `"one\ntwo"`), nil},
		{"version zeros", manifestWith("version", `"0.0.0"`), nil},
		{"version max", manifestWith("version", `"999999.999999.999999"`), nil},
		{"version 10.20.30", manifestWith("version", `"10.20.30"`), nil},
		{"icon in a folder", manifestWith("icon", `"img/icon.png"`), nil},
		{"icon webp upper case", manifestWith("icon", `"ICON.WEBP"`), nil},
		{"no permissions", manifestWith("permissions", ""), func(m Manifest) bool { return len(m.Permissions) == 0 }},
		{"empty permissions", manifestWith("permissions", `[]`), func(m Manifest) bool { return len(m.Permissions) == 0 }},
		{"null permissions", manifestWith("permissions", `null`), func(m Manifest) bool { return len(m.Permissions) == 0 }},
		{"every permission", manifestWith("permissions", `["notify","share","payments","shared_storage","storage","profile"]`), func(m Manifest) bool { return m.Has("notify") && m.Has("profile") }},
		{"byte-order mark", "\uFEFF" + goodManifest, nil},
		{"trailing whitespace", goodManifest + "\n\n  \t", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(c.json))
			if err != nil {
				t.Fatalf("ParseManifest: %v\n%s", err, c.json)
			}
			if c.check != nil && !c.check(m) {
				t.Errorf("got %+v", m)
			}
		})
	}
}

func TestParseManifestInvalid(t *testing.T) {
	for _, c := range []struct {
		name string
		json string
		want string // in the error
	}{
		// slug
		{"no slug", manifestWith("slug", ""), `"slug" is missing`},
		{"empty slug", manifestWith("slug", `""`), `"slug" is missing`},
		{"slug of 1", manifestWith("slug", `"a"`), `"slug" must be 2–40 lowercase letters, digits or "-", starting with a letter.`},
		{"slug of 41", manifestWith("slug", `"`+strings.Repeat("a", 41)+`"`), `"slug" must be`},
		{"slug upper case", manifestWith("slug", `"Poll"`), `"slug" must be`},
		{"slug starting with a digit", manifestWith("slug", `"1poll"`), `"slug" must be`},
		{"slug starting with a dash", manifestWith("slug", `"-poll"`), `"slug" must be`},
		{"slug with underscore", manifestWith("slug", `"my_poll"`), `"slug" must be`},
		{"slug with slash", manifestWith("slug", `"a/b"`), `"slug" must be`},
		{"slug with newline", manifestWith("slug", `"poll\n"`), `"slug" must be`},
		{"slug a number", manifestWith("slug", `42`), `"slug" must be a string`},
		// name
		{"no name", manifestWith("name", ""), `"name" is missing`},
		{"blank name", manifestWith("name", `"   "`), `"name" is missing`},
		{"name of 41", manifestWith("name", `"`+strings.Repeat("n", 41)+`"`), `"name" must be at most 40 characters`},
		{"name with a tab", manifestWith("name", `"Po\tll"`), `"name" must not contain control characters`},
		{"name with NUL", manifestWith("name", `"Po\u0000ll"`), `"name" must not contain control characters`},
		{"name with bidi override", manifestWith("name", `"Poll\u202Egnp.exe"`), `"name" must not contain control characters`},
		{"name a list", manifestWith("name", `["Poll"]`), `"name" must be a string`},
		// description
		{"description of 201", manifestWith("description", `"`+strings.Repeat("d", 201)+`"`), `"description" must be at most 200 characters`},
		{"description with escape", manifestWith("description", `"\u001b[31mred"`), `"description" must not contain control characters`},
		{"description an object", manifestWith("description", `{}`), `"description" must be a string`},
		// version
		{"no version", manifestWith("version", ""), `"version" is missing`},
		{"version 1.0", manifestWith("version", `"1.0"`), `"version" must be MAJOR.MINOR.PATCH`},
		{"version 1.0.0.0", manifestWith("version", `"1.0.0.0"`), `"version" must be`},
		{"version leading zero", manifestWith("version", `"1.02.0"`), `"version" must be`},
		{"version 00", manifestWith("version", `"00.1.0"`), `"version" must be`},
		{"version too big", manifestWith("version", `"1000000.0.0"`), `"version" must be`},
		{"version with v", manifestWith("version", `"v1.0.0"`), `"version" must be`},
		{"version prerelease", manifestWith("version", `"1.0.0-beta"`), `"version" must be`},
		{"version negative", manifestWith("version", `"1.-1.0"`), `"version" must be`},
		{"version spaces", manifestWith("version", `" 1.0.0"`), `"version" must be`},
		{"version a number", manifestWith("version", `1.0`), `"version" must be a string`},
		// icon
		{"no icon", manifestWith("icon", ""), `"icon" is missing`},
		{"icon jpg", manifestWith("icon", `"icon.jpg"`), `"icon" must be the path of an .svg, .png or .webp file`},
		{"icon no extension", manifestWith("icon", `"icon"`), `"icon" must be`},
		{"icon absolute", manifestWith("icon", `"/icon.svg"`), `"icon" must be`},
		{"icon outside", manifestWith("icon", `"../icon.svg"`), `"icon" must be`},
		{"icon dot-dot inside", manifestWith("icon", `"img/../../icon.svg"`), `"icon" must be`},
		{"icon backslash", manifestWith("icon", `"img\\icon.svg"`), `"icon" must be`},
		{"icon dot slash", manifestWith("icon", `"./icon.svg"`), `"icon" must be`},
		{"icon double slash", manifestWith("icon", `"img//icon.svg"`), `"icon" must be`},
		{"icon URL", manifestWith("icon", `"https://example.com/icon.svg"`), `"icon" must be`},
		{"icon too long", manifestWith("icon", `"`+strings.Repeat("a/", 130)+`i.svg"`), `"icon" must be`},
		// permissions
		{"unknown permission", manifestWith("permissions", `["profile", "camera"]`), `"permissions" has an unknown permission "camera" (the permissions are "profile", "storage", "shared_storage", "payments", "share" and "notify").`},
		{"permission in capitals", manifestWith("permissions", `["Profile"]`), `unknown permission "Profile"`},
		{"empty permission", manifestWith("permissions", `[""]`), `unknown permission ""`},
		{"duplicate permission", manifestWith("permissions", `["share", "profile", "share"]`), `"permissions" lists "share" twice`},
		{"permissions a string", manifestWith("permissions", `"profile"`), `"permissions" must be a list of names`},
		{"permissions of numbers", manifestWith("permissions", `[1]`), `"permissions" must be a list of names`},
		// the document
		{"unknown field", manifestWith("permisions", `["profile"]`), `unknown field "permisions" (the fields are "slug", "name", "description", "version", "icon" and "permissions").`},
		{"field in another case", strings.Replace(goodManifest, `"slug"`, `"Slug"`, 1), `unknown field "Slug"`},
		{"field twice", strings.Replace(goodManifest, `"name": "Poll"`, `"name": "Poll", "name": "Pole"`, 1), `"name" appears twice`},
		{"empty", "", "manifest.json is empty"},
		{"only spaces", "  \n", "manifest.json is empty"},
		{"array", `["slug"]`, "must be a JSON object"},
		{"string", `"poll"`, "must be a JSON object"},
		{"null", `null`, "must be a JSON object"},
		{"number", `42`, "must be a JSON object"},
		{"two objects", goodManifest + goodManifest, "something after its closing }"},
		{"trailing garbage", goodManifest + " x", "something after its closing }"},
		{"trailing comma", goodManifest + ",", "something after its closing }"},
		{"cut short", goodManifest[:40], "manifest.json is"},
		{"syntax error", `{"slug": "poll",}`, "manifest.json is not valid JSON"},
		{"single quotes", `{'slug': 'poll'}`, "manifest.json is not valid JSON"},
		{"larger than 64 KB", manifestWith("description", `"`+strings.Repeat(" ", 64<<10)+`"`), "manifest.json is larger than 64 KB."},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(c.json))
			if err == nil {
				t.Fatalf("accepted %+v\n%s", m, c.json)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "manifest.json") || !strings.HasSuffix(err.Error(), ".") {
				t.Errorf("error %q is not a sentence about manifest.json", err)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"1.0.0", "1.0.1", -1},
		{"1.0.1", "1.0.0", 1},
		{"1.2.0", "1.10.0", -1}, // numerically, not as text
		{"2.0.0", "1.999999.999999", 1},
		{"0.9.9", "1.0.0", -1},
		{"10.0.0", "9.0.0", 1},
		{"0.0.0", "0.0.0", 0},
		{"999999.999999.999999", "999999.999999.999998", 1},
	} {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareVersions(c.b, c.a); got != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

// TestFuzzSeeds checks that the seeds named valid-* parse and the others
// don't, so the corpus keeps covering both sides.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseManifest")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 10 {
		t.Errorf("only %d seeds", len(entries))
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		header, lit, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		lit, ok := strings.CutPrefix(lit, "[]byte(")
		lit, ok2 := strings.CutSuffix(lit, ")")
		data, err := strconv.Unquote(lit)
		if header != "go test fuzz v1" || !ok || !ok2 || err != nil {
			t.Errorf("%s is not a fuzz corpus file", e.Name())
			continue
		}
		_, err = ParseManifest([]byte(data))
		if valid := strings.HasPrefix(e.Name(), "valid-"); valid != (err == nil) {
			t.Errorf("%s: ParseManifest error %v", e.Name(), err)
		}
	}
}

// FuzzParseManifest checks that ParseManifest never panics and that what it
// accepts survives a round trip through JSON. Seeds are in
// testdata/fuzz/FuzzParseManifest.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(goodManifest))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if m.Slug != "" || m.Permissions != nil {
				t.Errorf("an error came with a manifest: %+v", m)
			}
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Errorf("round trip changed the manifest:\n%+v\n%+v", m, again)
		}
	})
}
