package chat

import "github.com/pocketbase/pocketbase/core"

// SendForTest sends as author without the HTTP layer (bulk history in tests).
func SendForTest(app core.App, room, author, body string) (*core.Record, bool, error) {
	return Send(app, room, Draft{Author: author, Kind: "text", Body: body})
}

// CommitStats reports the committer's transactions and the writes in them.
func CommitStats(app core.App) (commits, writes int64) {
	c := committerOf(app)
	return c.commits.Load(), c.ops.Load()
}
