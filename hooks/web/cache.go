package web

import "sync"

// Cache is a bounded in-memory map of derived data (a member's friends, a
// post's likes) that record hooks drop when the rows behind it change.
//
// A load that overlaps a drop is not stored: readers take the cache's
// generation before they query and Put refuses if any Drop or Reset came in
// between. So an entry is never older than the last change that dropped it,
// without holding a lock across the query.
type Cache[V any] struct {
	mu  sync.RWMutex
	gen uint64
	m   map[string]V
	max int
}

// NewCache makes a cache of at most max entries (it starts over when full:
// simple, and rare at the sizes Plaza is for).
func NewCache[V any](max int) *Cache[V] {
	return &Cache[V]{m: make(map[string]V), max: max}
}

// Get returns the entry for key and the generation to pass to Put on a miss.
func (c *Cache[V]) Get(key string) (v V, ok bool, gen uint64) {
	c.mu.RLock()
	v, ok = c.m[key]
	gen = c.gen
	c.mu.RUnlock()
	return v, ok, gen
}

// Put stores v unless something was dropped since gen was read.
func (c *Cache[V]) Put(gen uint64, key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = v
}

// Load returns the entry for key, filling it with load on a miss.
func (c *Cache[V]) Load(key string, load func() (V, error)) (V, error) {
	v, ok, gen := c.Get(key)
	if ok {
		return v, nil
	}
	v, err := load()
	if err == nil {
		c.Put(gen, key, v)
	}
	return v, err
}

// Drop forgets keys.
func (c *Cache[V]) Drop(keys ...string) {
	c.mu.Lock()
	c.gen++
	for _, k := range keys {
		delete(c.m, k)
	}
	c.mu.Unlock()
}

// Reset forgets everything.
func (c *Cache[V]) Reset() {
	c.mu.Lock()
	c.gen++
	clear(c.m)
	c.mu.Unlock()
}

// Len is the number of entries.
func (c *Cache[V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
