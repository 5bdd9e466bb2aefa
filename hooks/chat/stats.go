package chat

import (
	"net/http"
	"runtime"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/live"
)

// Stats is GET /api/plaza/stats (superusers only): live load for admins and
// benchmarks.
type Stats struct {
	Goroutines int    `json:"goroutines"`
	LiveTabs   int    `json:"live_tabs"`
	HeapBytes  uint64 `json:"heap_bytes"`
	Commits    int64  `json:"chat_commits"` // write transactions of the chat committer
	Writes     int64  `json:"chat_writes"`  // chat writes they carried (writes ÷ commits = batching)
}

func bindStats(se *core.ServeEvent) {
	se.Router.GET("/api/plaza/stats", func(e *core.RequestEvent) error {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := Stats{Goroutines: runtime.NumGoroutine(), LiveTabs: live.Of(e.App).Tabs(), HeapBytes: ms.HeapInuse}
		if c, ok := e.App.Store().Get(committerKey).(*committer); ok {
			st.Commits, st.Writes = c.commits.Load(), c.ops.Load()
		}
		return e.JSON(http.StatusOK, st)
	}).Bind(apis.RequireSuperuserAuth())
}
