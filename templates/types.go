// Package templates holds every Plaza page and component (templ). Handlers
// build the plain view models below; templates never touch the database.
package templates

import "github.com/a-h/templ"

// Chrome is what every page shows around its content.
type Chrome struct {
	Org    Org
	Viewer *Person // nil for guests
	Flash  Flash
	Tab    string // active bottom tab: chats, moments, market, minis, me ("" for none)
	Badges Badges
}

// Badges are the unread counts on the bottom tabs.
type Badges struct {
	Chats   int // unread messages (muted rooms left out)
	Moments int // new likes, comments and replies (shown as a dot)
	Me      int // friend requests waiting for an answer
	// Notifications is unread notifications (friend requests aside: Me counts them).
	Notifications int
}

// Org is the organisation running this Plaza.
type Org struct {
	Name    string
	LogoURL string
}

// Person is a member as shown in lists and headers.
type Person struct {
	ID        string
	Name      string
	AvatarURL string // "" shows the initial
	Bio       string
	Status    string
}

// Flash is a one-off message shown at the top of the next page.
type Flash struct {
	Kind string // ok or error
	Text string
}

// FieldError is one problem with a submitted form. Field "" is about the
// form as a whole (e.g. wrong email or password).
type FieldError struct {
	Field   string
	Label   string
	Message string
}

// FormErrors lists a form's problems in the order the fields appear.
type FormErrors []FieldError

// Add records a problem with field.
func (fe *FormErrors) Add(field, label, message string) {
	*fe = append(*fe, FieldError{Field: field, Label: label, Message: message})
}

// Get is the message for field, or "".
func (fe FormErrors) Get(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Any reports whether the form has problems.
func (fe FormErrors) Any() bool { return len(fe) > 0 }

// ErrorVM is the error page.
type ErrorVM struct {
	Chrome
	Status  int
	Title   string
	Message string
	SignIn  string // a sign-in link for 401s
}

// Head is a page's top bar and title.
type Head struct {
	Title  string
	Back   string // URL of the back arrow; "" for none
	NoTabs bool   // hide the bottom tab bar (e.g. inside a room)
	Menu   string // URL of the "…" action on the right; "" for none
	// MenuLabel names that action for screen readers ("Chat details" when empty).
	MenuLabel string
	Live      int64 // on pages that update live: the newest event shown (see /events)
}

// Field describes one form input.
type Field struct {
	Name         string
	Label        string
	Type         string // text (default), email, password, search, url
	Value        string
	Help         string
	Autocomplete string
	Required     bool
	MaxLength    int
	Attrs        templ.Attributes // more input attributes (inputmode, min, max, step…)
}
