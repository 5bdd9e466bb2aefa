package live

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// heartbeatEvery keeps idle streams (and proxies) from timing out.
const heartbeatEvery = 25 * time.Second

// hijackStreams lets an HTTP/1.1 stream hand its connection to the hub after
// the replay (tests turn it off to cover the goroutine path HTTP/2 uses).
var hijackStreams = true

// streamEvents is GET /events: one SSE stream per tab. It subscribes first,
// then lets the features' openers replay from SQLite everything after the
// tab's last event (the Last-Event-ID header on reconnects, ?last= from the
// page on first connect), then streams live events, skipping any the replay
// already sent.
func streamEvents(e *core.RequestEvent) error {
	last, err := lastEventID(e.Request)
	if err != nil {
		return e.BadRequestError("Bad event position.", err)
	}
	hub := Of(e.App)
	c := hub.subscribe(e.Auth.Id, web.SessionID(e))
	if !web.SessionLive(e.App, e.Auth.Id, c.session) { // signed out while this stream was starting
		hub.unsubscribe(c)
		return e.UnauthorizedError("Please sign in again.", nil)
	}

	// The start of the stream: reconnect delay, replay, state pushes.
	var head bytes.Buffer
	head.WriteString("retry: 2000\n\n: connected\n\n")
	reload := false
	for _, open := range openersOf(e.App) {
		evs, more, err := open(e.App, e.Auth.Id, last)
		if err != nil {
			e.App.Logger().Error("live: starting a stream failed", "member", e.Auth.Id, "error", err)
			more = true // no way to tell what was missed: the page reloads
		}
		last = encodeEvents(&head, evs, last)
		if more {
			reload = true
			break
		}
	}
	if reload {
		encodeEvents(&head, []*Event{{Name: "reload", Data: []byte(`{}`)}}, last)
	}

	if hijackStreams && e.Request.ProtoMajor == 1 && !reload {
		if conn, _, err := http.NewResponseController(e.Response).Hijack(); err == nil {
			return handOver(hub, c, conn, head.Bytes(), last)
		}
	}
	return streamHere(e, hub, c, head.Bytes(), last, reload)
}

// streamHeader starts a hijacked stream's response; its body ends when the
// connection closes.
const streamHeader = "HTTP/1.1 200 OK\r\n" +
	"Content-Type: text/event-stream\r\n" +
	"Cache-Control: no-store\r\n" +
	"X-Accel-Buffering: no\r\n" +
	"X-Content-Type-Options: nosniff\r\n\r\n"

// handOver writes the stream's start to the taken-over connection and gives
// it to the hub's writers: the request's goroutine and buffers are freed.
func handOver(hub *Hub, c *client, conn net.Conn, head []byte, last int64) error {
	out := append([]byte(streamHeader), head...)
	if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err == nil {
		_, err = conn.Write(out)
		if err == nil {
			hub.attach(c, conn, last)
			return nil
		}
	}
	conn.Close()
	hub.unsubscribe(c)
	return nil
}

// streamHere serves the stream from the request's own goroutine (HTTP/2).
func streamHere(e *core.RequestEvent, hub *Hub, c *client, head []byte, last int64, reload bool) error {
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
	if _, err := e.Response.Write(head); err != nil || rc.Flush() != nil || reload {
		return nil
	}

	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	var buf bytes.Buffer
	for {
		buf.Reset()
		select {
		case <-e.Request.Context().Done():
			return nil
		case <-c.gone:
			return nil // dropped for falling behind; the browser reconnects and replays
		case <-tick.C:
			buf.WriteString(": ping\n\n")
		case <-c.wake:
			evs, _ := c.take()
			last = encodeEvents(&buf, evs, last)
		}
		if buf.Len() == 0 {
			continue
		}
		if _, err := e.Response.Write(buf.Bytes()); err != nil || rc.Flush() != nil {
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
