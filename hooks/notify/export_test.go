package notify

// AllowLoopbackPush lets tests subscribe a push service on 127.0.0.1.
func AllowLoopbackPush() { allowLoopbackPush = true }

// WaitPushes waits for pushes on their way.
func WaitPushes() { pushing.Wait() }
