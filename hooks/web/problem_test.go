package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"plaza/hooks/web"
)

var errFull = web.Refusal(http.StatusConflict, "The group is full.")

func TestProblemSentinels(t *testing.T) {
	cause := errors.New("constraint failed: UNIQUE")
	wrapped := fmt.Errorf("adding a member: %w", errFull.With(cause))

	if !errors.Is(wrapped, errFull) {
		t.Fatal("a sentinel with a cause no longer matches the sentinel")
	}
	if !errors.Is(wrapped, cause) {
		t.Fatal("the cause is lost")
	}
	if errors.Is(wrapped, web.Refusal(http.StatusConflict, "The group is full.")) {
		t.Fatal("a different Problem with the same text matches: sentinels must match by identity, not text")
	}
	msg, ok := web.MessageOf(wrapped)
	if !ok || msg != "The group is full." {
		t.Fatalf("MessageOf = %q, %v", msg, ok)
	}
	if got := web.StatusOf(wrapped); got != http.StatusConflict {
		t.Fatalf("StatusOf = %d", got)
	}
	if _, ok := web.MessageOf(cause); ok {
		t.Fatal("an internal error has a member-facing message")
	}
	if got := web.StatusOf(cause); got != http.StatusInternalServerError {
		t.Fatalf("StatusOf(internal) = %d", got)
	}
	api := web.AsApiError(wrapped)
	if s := fmt.Sprint(api); s != "The group is full." {
		t.Fatalf("the API error shows %q (the cause must stay in the log)", s)
	}
}
