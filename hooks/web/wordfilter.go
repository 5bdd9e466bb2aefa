package web

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
)

// The word filter checks what members write (messages, moments, comments,
// listings) against the organisation's blocked words and phrases
// (org_settings.blocked_words, one per line, any case). Depending on
// org_settings.word_filter the text is refused with a clear message
// ("reject", the default) or stored hidden and held for moderators
// ("review").

// Verdict is what the word filter says about a text.
type Verdict struct {
	Word string // the first blocked word found; "" when the text is fine
	Hold bool   // store it hidden for review instead of refusing it
}

// Refused reports whether the text must not be stored.
func (v Verdict) Refused() bool { return v.Word != "" && !v.Hold }

// Held reports whether the text is stored hidden, for review.
func (v Verdict) Held() bool { return v.Word != "" && v.Hold }

// Message explains a refusal to the member.
func (v Verdict) Message() string {
	return "“" + v.Word + "” isn't allowed here by this organisation's rules. Please rephrase."
}

// HeldMessage tells the member their text waits for moderators.
const HeldMessage = "Posted, but held for review: moderators will look at it before others can see it."

// Screen checks texts against the blocked words.
func Screen(app core.App, texts ...string) Verdict {
	org := loadOrg(app)
	if len(org.blocked) == 0 {
		return Verdict{}
	}
	for _, t := range texts {
		if w := firstBlocked(strings.ToLower(t), org.blocked); w != "" {
			return Verdict{Word: w, Hold: org.holdForReview}
		}
	}
	return Verdict{}
}

// blockedList reads org_settings.blocked_words.
func blockedList(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if w := strings.ToLower(strings.Join(strings.Fields(line), " ")); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// firstBlocked finds a blocked entry in text as a whole word or phrase
// (so "ass" doesn't catch "class"), spaces in text normalised.
func firstBlocked(text string, blocked []string) string {
	text = strings.Join(strings.Fields(text), " ")
	for _, w := range blocked {
		for from := 0; ; {
			i := strings.Index(text[from:], w)
			if i < 0 {
				break
			}
			i += from
			if boundary(text, i-1, true) && boundary(text, i+len(w), false) {
				return w
			}
			from = i + 1
		}
	}
	return ""
}

// boundary reports whether the rune just outside a match (ending at i when
// before, starting at i otherwise) is not a letter or digit.
func boundary(text string, i int, before bool) bool {
	if i < 0 || i >= len(text) {
		return true
	}
	var r rune
	if before {
		r, _ = utf8.DecodeLastRuneInString(text[:i+1])
	} else {
		r, _ = utf8.DecodeRuneInString(text[i:])
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// HoldFunc puts stored, hidden content in front of moderators.
type HoldFunc func(app core.App, collection, id, word string) error

const holdKey = "plaza.web.hold"

// OnHold sets what happens to held content (moderation files a report).
func OnHold(app core.App, f HoldFunc) { app.Store().Set(holdKey, f) }

// Hold puts stored, hidden content in front of moderators.
func Hold(app core.App, collection, id, word string) error {
	if f, ok := app.Store().Get(holdKey).(HoldFunc); ok {
		return f(app, collection, id, word)
	}
	return nil
}
