package web

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/tools/router"
)

// A Problem is an error a member is told about: Message is written for them
// (a whole sentence, safe to show), Status is the HTTP status it answers
// with, and Cause, when there is one, is what went wrong underneath, for the
// log only.
//
// A feature declares the refusals it can give as sentinels,
//
//	var ErrNotFriends = web.Refusal(http.StatusForbidden, "You can only message friends.")
//
// tells them apart with errors.Is (never by matching error text), and shows
// them with MessageOf. A handler may return a Problem as it is: page routes
// render it as an error page with its status, fetches get it as JSON.
type Problem struct {
	Status  int
	Message string
	Cause   error
}

// Refusal is a Problem with no cause: bad input or a rule the member hit.
func Refusal(status int, message string) *Problem {
	return &Problem{Status: status, Message: message}
}

// Fail is a Problem with a cause: Message is what the member reads, cause
// goes to the log.
func Fail(status int, message string, cause error) *Problem {
	return &Problem{Status: status, Message: message, Cause: cause}
}

// Error is the message followed by the cause, for logs.
func (p *Problem) Error() string {
	if p.Cause == nil {
		return p.Message
	}
	return p.Message + ": " + p.Cause.Error()
}

// Unwrap is the cause.
func (p *Problem) Unwrap() error { return p.Cause }

// Is lets a sentinel match a copy of itself made by With.
func (p *Problem) Is(target error) bool {
	t, ok := target.(*Problem)
	return ok && t.sentinel() == p.sentinel()
}

// With is the same refusal carrying a cause for the log; errors.Is still
// matches the sentinel.
func (p *Problem) With(cause error) *Problem {
	return &Problem{Status: p.Status, Message: p.Message, Cause: &withCause{of: p.sentinel(), err: cause}}
}

// withCause marks a Problem made by With so Is can find its sentinel.
type withCause struct {
	of  *Problem
	err error
}

func (w *withCause) Error() string { return w.err.Error() }
func (w *withCause) Unwrap() error { return w.err }

func (p *Problem) sentinel() *Problem {
	if w, ok := p.Cause.(*withCause); ok {
		return w.of
	}
	return p
}

// ApiError is the Problem as PocketBase's error, with the cause kept as its
// raw data (logged by the error pages, never shown).
func (p *Problem) ApiError() *router.ApiError {
	status := p.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	var raw any
	if p.Cause != nil {
		raw = p.Cause
	}
	return router.NewApiError(status, p.Message, raw)
}

// MessageOf is the member-facing message of the first Problem in err's
// chain, and whether there was one. Errors without one are not for members'
// eyes: callers show a generic message and log err.
func MessageOf(err error) (string, bool) {
	var p *Problem
	if errors.As(err, &p) {
		return p.Message, true
	}
	return "", false
}

// StatusOf is the HTTP status of the first Problem in err's chain, or 500.
func StatusOf(err error) int {
	var p *Problem
	if errors.As(err, &p) && p.Status != 0 {
		return p.Status
	}
	return http.StatusInternalServerError
}

// AsApiError turns a handler's error into PocketBase's: a Problem keeps its
// status and message; anything else is returned unchanged.
func AsApiError(err error) error {
	var p *Problem
	if errors.As(err, &p) {
		return p.ApiError()
	}
	return err
}
