package moments_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"plaza/hooks/seed"
	"plaza/hooks/testkit"
)

// BenchmarkFeed loads GET /moments for many members at once on the bench's
// data shape (profiling aid; the figures that count live in bench/).
func BenchmarkFeed(b *testing.B) {
	s := testkit.Start(b)
	res, err := seed.Run(s.App, seed.Options{Members: 1000, Friends: 224, Posts: 20, Reactions: 4, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	var clients []*testkit.Client
	for _, id := range res.IDs[:200] {
		u, err := s.App.FindRecordById("users", id)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, s.SignedIn(u))
	}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := clients[int(n.Add(1))%len(clients)]
			if p := c.Get("/moments"); p.Status != http.StatusOK {
				b.Errorf("feed: %d", p.Status)
			}
		}
	})
}
