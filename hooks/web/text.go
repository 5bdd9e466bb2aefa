package web

import "strings"

// Clip cuts s to at most max runes, ending in "…" when it was cut.
func Clip(s string, max int) string {
	n := 0
	for i := range s {
		if n == max-1 && len(s) > i {
			// Cut here only if more than one rune is left: a text of exactly
			// max runes fits whole.
			rest := s[i:]
			if runeCountAtMost(rest, 1) {
				return s
			}
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// runeCountAtMost reports whether s holds at most n runes.
func runeCountAtMost(s string, n int) bool {
	for range s {
		if n == 0 {
			return false
		}
		n--
	}
	return true
}

// OneLine puts text on one line (runs of spaces and line breaks become one
// space) of at most max runes.
func OneLine(s string, max int) string {
	return Clip(strings.Join(strings.Fields(s), " "), max)
}
