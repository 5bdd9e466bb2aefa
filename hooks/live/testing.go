package live

// StreamFromRequestGoroutine makes /events keep each stream on its request's
// goroutine (the path HTTP/2 takes, where a connection can't be taken over)
// until the returned func restores the default. For tests of both paths; not
// safe to call while streams are opening.
func StreamFromRequestGoroutine() (restore func()) {
	hijackStreams = false
	return func() { hijackStreams = true }
}
