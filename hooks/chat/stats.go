package chat

import (
	"net/http"
	"runtime"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Stats is GET /api/plaza/stats (superusers only): live load for admins and
// benchmarks.
type Stats struct {
	Goroutines int    `json:"goroutines"`
	LiveTabs   int    `json:"live_tabs"`
	HeapBytes  uint64 `json:"heap_bytes"`
}

func bindStats(se *core.ServeEvent) {
	se.Router.GET("/api/plaza/stats", func(e *core.RequestEvent) error {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return e.JSON(http.StatusOK, Stats{Goroutines: runtime.NumGoroutine(), LiveTabs: HubOf(e.App).Tabs(), HeapBytes: ms.HeapInuse})
	}).Bind(apis.RequireSuperuserAuth())
}
