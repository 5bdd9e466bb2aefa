// Package live is Plaza's realtime layer: one event stream per open tab
// (GET /events), and the hub any feature publishes to. Features announce
// what changed with Publish; what a tab missed while away is replayed by the
// features registered with OnOpen, so a stream never skips an event.
package live

import (
	"bytes"
	"hash/maphash"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Event is one item on a member's /events stream.
type Event struct {
	ID   int64  // a replayable event's position (chat's gseq); 0 for state pushes
	Name string // what the page's script listens for: message, unread, notify, reload…
	Data []byte // one line of JSON
}

// clientBuffer is how many events a tab may fall behind before the hub drops
// it (the browser reconnects and replays from SQLite).
const clientBuffer = 64

// A client is one open tab. Events wait in its queue until they are written:
// by the hub's writers straight to the connection (HTTP/1.1: after the replay
// the request's goroutine and buffers are released, so an idle tab costs
// little more than its socket), or by the request's own goroutine (HTTP/2,
// where a connection can't be taken over).
type client struct {
	user    string
	session string // the signed-in device the tab belongs to

	mu        sync.Mutex
	queue     []*Event
	last      int64    // the newest event id written; older ids are skipped
	conn      net.Conn // set once the hub writes for this tab
	scheduled bool     // queued for a writer
	ping      bool     // a heartbeat is due

	wake chan struct{} // goroutine mode: something was queued
	gone chan struct{} // closed when the tab is dropped
	once sync.Once
}

func (c *client) drop() {
	c.once.Do(func() {
		close(c.gone)
		c.mu.Lock()
		if c.conn != nil {
			c.conn.Close()
		}
		c.mu.Unlock()
	})
}

// take empties the queue.
func (c *client) take() ([]*Event, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	evs, ping := c.queue, c.ping
	c.queue, c.ping, c.scheduled = nil, false, false
	return evs, ping
}

// Hub fans events out to members' open tabs. Publishing never blocks on a
// tab: one that falls clientBuffer events behind is dropped and catches up by
// replay when the browser reconnects.
type Hub struct {
	mu      sync.RWMutex
	clients map[string]map[*client]struct{}

	writers []chan *client // the hub's writer goroutines, by client
	seed    maphash.Seed
	stop    chan struct{}
	stopped sync.WaitGroup
}

const (
	hubKey         = "plaza.live.hub"
	hubWriters     = 4
	writeTimeout   = 2 * time.Second // a tab whose socket can't take a write in this long is dropped
	writerBacklogs = 4096
)

// Of is the app's hub.
func Of(app core.App) *Hub {
	return app.Store().GetOrSet(hubKey, func() any { return newHub() }).(*Hub)
}

func newHub() *Hub {
	h := &Hub{clients: map[string]map[*client]struct{}{}, seed: maphash.MakeSeed(), stop: make(chan struct{})}
	for range hubWriters {
		ch := make(chan *client, writerBacklogs)
		h.writers = append(h.writers, ch)
		h.stopped.Add(1)
		go h.write(ch)
	}
	h.stopped.Add(1)
	go h.heartbeat()
	return h
}

// close stops the writers and ends every tab (on app shutdown).
func (h *Hub) close() {
	select {
	case <-h.stop:
		return
	default:
	}
	close(h.stop)
	h.mu.Lock()
	var all []*client
	for _, set := range h.clients {
		for c := range set {
			all = append(all, c)
		}
	}
	h.clients = map[string]map[*client]struct{}{}
	h.mu.Unlock()
	for _, c := range all {
		c.drop()
	}
	h.stopped.Wait()
}

func (h *Hub) subscribe(user, session string) *client {
	c := &client{user: user, session: session, wake: make(chan struct{}, 1), gone: make(chan struct{})}
	h.mu.Lock()
	if h.clients[user] == nil {
		h.clients[user] = map[*client]struct{}{}
	}
	h.clients[user][c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *Hub) unsubscribe(c *client) {
	h.mu.Lock()
	if set := h.clients[c.user]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(h.clients, c.user)
		}
	}
	h.mu.Unlock()
	c.drop()
}

// DropSession ends the open tabs of one signed-in device (it was signed out).
func (h *Hub) DropSession(user, session string) {
	h.dropWhere(user, func(c *client) bool { return c.session == session })
}

// DropUser ends every open tab of a member (suspended, deleted, signed out
// everywhere).
func (h *Hub) DropUser(user string) {
	h.dropWhere(user, func(*client) bool { return true })
}

func (h *Hub) dropWhere(user string, match func(*client) bool) {
	var gone []*client
	h.mu.RLock()
	for c := range h.clients[user] {
		if match(c) {
			gone = append(gone, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range gone {
		h.unsubscribe(c)
	}
}

// attach hands a tab's connection to the hub's writers; last is the newest
// event id already written to it.
func (h *Hub) attach(c *client, conn net.Conn, last int64) {
	c.mu.Lock()
	select {
	case <-c.gone: // dropped while replaying (it fell behind): the browser reconnects
		c.mu.Unlock()
		conn.Close()
		return
	default:
	}
	c.conn, c.last = conn, max(c.last, last)
	pending := len(c.queue) > 0 && !c.scheduled
	if pending {
		c.scheduled = true
	}
	c.mu.Unlock()
	if pending {
		h.schedule(c)
	}
	go h.watch(c, conn)
}

// watch notices at once when the browser closes a hub-written tab: a read on
// the connection returns (a browser sends nothing on an event stream), and
// the tab is dropped. Without it a closed tab would count as open until a
// heartbeat write failed, up to a minute later, and Web Push would hold back.
func (h *Hub) watch(c *client, conn net.Conn) {
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		h.unsubscribe(c)
		return
	}
	var b [1]byte
	for {
		if _, err := conn.Read(b[:]); err != nil {
			h.unsubscribe(c)
			return
		}
	}
}

func (h *Hub) schedule(c *client) {
	select {
	case h.writers[maphash.String(h.seed, c.user)%uint64(len(h.writers))] <- c:
	case <-h.stop:
	}
}

// Publish queues ev for every open tab of users.
func (h *Hub) Publish(users []string, ev Event) {
	e := &ev
	var behind, ready []*client
	h.mu.RLock()
	for _, u := range users {
		for c := range h.clients[u] {
			c.mu.Lock()
			switch {
			case len(c.queue) >= clientBuffer:
				behind = append(behind, c)
			default:
				c.queue = append(c.queue, e)
				if c.conn != nil && !c.scheduled {
					c.scheduled = true
					ready = append(ready, c)
				}
			}
			hubMode := c.conn != nil
			c.mu.Unlock()
			if !hubMode {
				select {
				case c.wake <- struct{}{}:
				default:
				}
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range behind {
		h.unsubscribe(c) // it reconnects and replays
	}
	for _, c := range ready {
		h.schedule(c)
	}
}

// write is one of the hub's writers: it flushes scheduled tabs' queues to
// their connections.
func (h *Hub) write(ch chan *client) {
	defer h.stopped.Done()
	var buf bytes.Buffer
	for {
		select {
		case <-h.stop:
			return
		case c := <-ch:
			evs, ping := c.take()
			buf.Reset()
			c.mu.Lock()
			last, conn := c.last, c.conn
			c.mu.Unlock()
			last = encodeEvents(&buf, evs, last)
			if ping {
				buf.WriteString(": ping\n\n")
			}
			if buf.Len() == 0 || conn == nil {
				continue
			}
			if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err == nil {
				_, err = conn.Write(buf.Bytes())
				if err == nil {
					c.mu.Lock()
					c.last = last
					c.mu.Unlock()
					continue
				}
			}
			h.unsubscribe(c) // gone or too slow; the browser reconnects
		}
	}
}

// heartbeat pings hub-written tabs so proxies keep them open and dead ones
// are noticed (the write fails).
func (h *Hub) heartbeat() {
	defer h.stopped.Done()
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		var due []*client
		h.mu.RLock()
		for _, set := range h.clients {
			for c := range set {
				c.mu.Lock()
				if c.conn != nil {
					c.ping = true
					if !c.scheduled {
						c.scheduled = true
						due = append(due, c)
					}
				}
				c.mu.Unlock()
			}
		}
		h.mu.RUnlock()
		for _, c := range due {
			h.schedule(c)
		}
	}
}

// encodeEvents writes evs in SSE framing, skipping ids at or below last, and
// returns the new last id. Data is one line of JSON, so framing never breaks.
func encodeEvents(buf *bytes.Buffer, evs []*Event, last int64) int64 {
	for _, ev := range evs {
		if ev.ID != 0 && ev.ID <= last {
			continue
		}
		if ev.ID != 0 {
			buf.WriteString("id: ")
			buf.WriteString(strconv.FormatInt(ev.ID, 10))
			buf.WriteByte('\n')
			last = ev.ID
		}
		buf.WriteString("event: ")
		buf.WriteString(ev.Name)
		buf.WriteString("\ndata: ")
		buf.Write(ev.Data)
		buf.WriteString("\n\n")
	}
	return last
}

// Tabs counts open streams.
func (h *Hub) Tabs() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, set := range h.clients {
		n += len(set)
	}
	return n
}
