package hooks

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// DBConns is how many SQLite connections Plaza opens for reads, and keeps
// open: PocketBase's default keeps 15 of up to 120, so a busy server closes
// and reopens connections all the time.
const DBConns = 32

// DBConnect opens Plaza's SQLite files with PocketBase's pragmas but a 4 MB
// page cache per connection instead of 32 MB: with DBConns connections kept
// open that bounds the caches to 128 MB, and the OS file cache serves the
// rest (Plaza is meant to fit a few hundred MB, DESIGN §8).
func DBConnect(dbPath string) (*dbx.DB, error) {
	// busy_timeout comes first: the connection must wait on a busy database
	// before it switches to WAL mode.
	const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-4000)"
	return dbx.Open("sqlite", dbPath+pragmas)
}

var _ core.DBConnectFunc = DBConnect
