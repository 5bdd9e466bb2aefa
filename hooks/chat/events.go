package chat

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// heartbeat keeps idle streams (and proxies) from timing out.
const heartbeat = 25 * time.Second

// streamEvents is GET /events: one SSE stream per tab. It subscribes first,
// then replays from SQLite everything after the tab's last event (the
// Last-Event-ID header on reconnects, ?last= from the page on first
// connect), then streams live events, skipping any the replay already sent.
func streamEvents(e *core.RequestEvent) error {
	last, err := lastEventID(e.Request)
	if err != nil {
		return e.BadRequestError("Bad event position.", err)
	}
	hub := HubOf(e.App)
	c := hub.subscribe(e.Auth.Id)
	defer hub.unsubscribe(c)

	rc := http.NewResponseController(e.Response)
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		return e.InternalServerError("", err)
	}
	h := e.Response.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	e.Response.WriteHeader(http.StatusOK)

	w := &sseWriter{w: e.Response}
	w.write("retry: 2000\n\n") // reconnect soon after a drop
	w.comment("connected")
	if last > 0 {
		replayed, more, err := replay(e.App, e.Auth.Id, last)
		if err != nil {
			e.App.Logger().Error("chat: replay failed", "member", e.Auth.Id, "error", err)
			w.event(Event{Name: "reload", Data: []byte(`{}`)})
			return w.flush(rc)
		}
		for _, ev := range replayed {
			w.event(ev)
			last = ev.ID
		}
		if more {
			// Too much was missed to replay: the page reloads instead.
			w.event(Event{Name: "reload", Data: []byte(`{}`)})
			return w.flush(rc)
		}
	}
	if ev, err := unreadEventFor(e.App, e.Auth.Id); err == nil {
		w.event(ev)
	}
	if err := w.flush(rc); err != nil {
		return nil
	}

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-e.Request.Context().Done():
			return nil
		case <-c.gone:
			return nil // dropped for falling behind; the browser reconnects and replays
		case <-tick.C:
			w.comment("ping")
		case ev := <-c.ch:
			if ev.ID != 0 && ev.ID <= last {
				continue // already sent by the replay
			}
			w.event(ev)
			if ev.ID != 0 {
				last = ev.ID
			}
			// Send whatever else is already queued in the same write.
			for drained := false; !drained; {
				select {
				case ev := <-c.ch:
					if ev.ID == 0 || ev.ID > last {
						w.event(ev)
						if ev.ID != 0 {
							last = ev.ID
						}
					}
				default:
					drained = true
				}
			}
		}
		if err := w.flush(rc); err != nil {
			return nil // the tab went away
		}
	}
}

func lastEventID(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("last")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("last event id %q", v)
	}
	return n, nil
}

// replay loads, in gseq order, the member's message events after last —
// across all their rooms — up to replayLimit (more reports there were more).
func replay(app core.App, member string, last int64) ([]Event, bool, error) {
	var msgs []*core.Record
	err := app.RecordQuery("messages").
		AndWhere(dbx.NewExp("gseq > {:last} AND room IN (SELECT room FROM room_members WHERE user = {:me})",
			dbx.Params{"last": last, "me": member})).
		OrderBy("gseq").Limit(replayLimit + 1).All(&msgs)
	if err != nil {
		return nil, false, err
	}
	more := len(msgs) > replayLimit
	if more {
		msgs = msgs[:replayLimit]
	}
	events := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		ev, _, err := messageEventFor(app, m)
		if err != nil {
			return nil, false, err
		}
		events = append(events, ev)
	}
	return events, more, nil
}

// sseWriter writes Server-Sent Events; data is one line of JSON, so framing
// never breaks. Write errors are kept and reported by flush.
type sseWriter struct {
	w   http.ResponseWriter
	err error
}

func (s *sseWriter) write(str string) {
	if s.err == nil {
		_, s.err = s.w.Write([]byte(str))
	}
}

func (s *sseWriter) event(ev Event) {
	if ev.ID != 0 {
		s.write("id: " + strconv.FormatInt(ev.ID, 10) + "\n")
	}
	s.write("event: " + ev.Name + "\ndata: ")
	s.write(string(ev.Data))
	s.write("\n\n")
}

func (s *sseWriter) comment(text string) { s.write(": " + text + "\n\n") }

func (s *sseWriter) flush(rc *http.ResponseController) error {
	if s.err != nil {
		return s.err
	}
	return rc.Flush()
}
