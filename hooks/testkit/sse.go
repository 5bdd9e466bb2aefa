package testkit

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
)

// SSEEvent is one Server-Sent Event as a browser would assemble it.
type SSEEvent struct {
	ID   string
	Name string
	Data string
}

// SSE reads events from a stream in the background.
type SSE struct {
	Events chan SSEEvent
	body   io.Closer
	t      testing.TB
}

// ReadSSE starts reading events from body (comments and retry lines are skipped).
func ReadSSE(t testing.TB, body io.ReadCloser) *SSE {
	s := &SSE{Events: make(chan SSEEvent, 1024), body: body, t: t}
	go func() {
		defer close(s.Events)
		sc := bufio.NewScanner(body)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		var ev SSEEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" || ev.Data != "" {
					if ev.Name == "" {
						ev.Name = "message"
					}
					s.Events <- ev
				}
				ev = SSEEvent{}
			case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data += line[6:]
			}
		}
	}()
	return s
}

// Next waits up to 5 s for the next event named name, skipping others.
func (s *SSE) Next(name string) SSEEvent {
	s.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.Events:
			if !ok {
				s.t.Fatalf("stream ended while waiting for %q", name)
			}
			if ev.Name == name {
				return ev
			}
		case <-deadline:
			s.t.Fatalf("no %q event within 5s", name)
		}
	}
}

// Quiet fails if an event named name arrives within d.
func (s *SSE) Quiet(name string, d time.Duration) {
	s.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev, ok := <-s.Events:
			if !ok {
				return
			}
			if ev.Name == name {
				s.t.Fatalf("unexpected %q event: %s", name, ev.Data)
			}
		case <-deadline:
			return
		}
	}
}

// Close ends the stream, as a closed tab would.
func (s *SSE) Close() { _ = s.body.Close() }
