package live

// Online reports whether the member has a tab open on /events: a live tab
// hears of things itself, so nothing needs pushing to their devices.
func (h *Hub) Online(user string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients[user]) > 0
}
