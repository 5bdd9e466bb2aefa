package chat

import (
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// Event is one item on a member's /events stream.
type Event struct {
	ID   int64  // the message gseq for replayable events; 0 for state pushes
	Name string // message, unread, reload
	Data []byte // one line of JSON
}

// clientBuffer is how many events a tab may fall behind before the hub drops
// it (the browser reconnects and replays from SQLite).
const clientBuffer = 256

type client struct {
	user string
	ch   chan Event
	gone chan struct{} // closed when the hub dropped this client
	once sync.Once
}

func (c *client) drop() { c.once.Do(func() { close(c.gone) }) }

// Hub fans events out to members' open tabs. Publishing never blocks: a tab
// whose buffer is full is dropped and catches up by replay on reconnect.
type Hub struct {
	mu      sync.RWMutex
	clients map[string]map[*client]struct{}
}

func newHub() *Hub { return &Hub{clients: map[string]map[*client]struct{}{}} }

const hubKey = "plaza.chat.hub"

// HubOf is the app's hub.
func HubOf(app core.App) *Hub {
	return app.Store().GetOrSet(hubKey, func() any { return newHub() }).(*Hub)
}

func (h *Hub) subscribe(user string) *client {
	c := &client{user: user, ch: make(chan Event, clientBuffer), gone: make(chan struct{})}
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

// Publish sends ev to every open tab of users.
func (h *Hub) Publish(users []string, ev Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, u := range users {
		for c := range h.clients[u] {
			select {
			case c.ch <- ev:
			default:
				c.drop() // fell behind: it reconnects and replays
			}
		}
	}
}

// Online reports whether member has a tab open.
func (h *Hub) Online(member string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients[member]) > 0
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
