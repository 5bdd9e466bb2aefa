package minihost

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// fields maps the exact key names an object may have to where each value
// is decoded.
type fields map[string]any

// strictObject decodes a JSON object into dst, refusing what encoding/json
// would let through: a key that is not exactly one of dst's (it matches
// names in any letter case), a key given twice (it keeps the last) and
// anything after the object. So what Plaza acts on is what the object says,
// read the same way by the host page and by the server. It returns the keys
// that were there.
func strictObject(raw []byte, what string, dst fields) (map[string]bool, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, badRequest(what + " must be an object " + dst.shape() + ".")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, badRequest(what + " is not valid JSON.")
		}
		key, _ := tok.(string) // inside an object the decoder only yields string keys
		to, ok := dst[key]
		switch {
		case !ok:
			return nil, badRequest(what + " has the unknown key " + strconv.Quote(key) + ": it takes " + dst.shape() + ", spelled exactly so.")
		case seen[key]:
			return nil, badRequest(what + " has the key " + strconv.Quote(key) + " twice.")
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, badRequest(what + " is not valid JSON.")
		}
		if err := json.Unmarshal(v, to); err != nil {
			return nil, badRequest(what + "'s " + strconv.Quote(key) + " is not " + kind(to) + ".")
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, badRequest(what + " is not valid JSON.")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest(what + " has something after its end.")
	}
	return seen, nil
}

// shape names the keys, e.g. {amount, currency, description}.
func (f fields) shape() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return "{" + strings.Join(keys, ", ") + "}"
}

func kind(to any) string {
	switch to.(type) {
	case *int64, *int:
		return "a whole number"
	case *string:
		return "a string"
	case *[]json.RawMessage:
		return "a list"
	}
	return "of the right type"
}
