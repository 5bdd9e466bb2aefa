package web

import (
	"sync"
	"time"
)

// Limiter is a token bucket per key (a member, a member and a mini): a
// burst, then refilled at a steady rate. Full buckets are forgotten.
type Limiter struct {
	burst, rate float64 // tokens; tokens per second
	mu          sync.Mutex
	buckets     map[string]*bucket
	swept       time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter allows burst actions at once per key, then rate a second.
func NewLimiter(burst int, rate float64) *Limiter {
	return &Limiter{burst: float64(burst), rate: rate, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket, if there is one.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
