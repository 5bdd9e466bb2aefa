package chat_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"plaza/hooks/chat"
	"plaza/hooks/seed"
	"plaza/hooks/testkit"
)

// BenchmarkSendHTTP measures acknowledged sends through the real route with
// many members sending at once (profiling aid; figures live in bench/).
func BenchmarkSendHTTP(b *testing.B) {
	s := testkit.Start(b)
	res, err := seed.Run(s.App, seed.Options{Members: 400, Friends: 6, Groups: 150, GroupSize: 6, Messages: 0, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	type sender struct {
		c    *testkit.Client
		room string
	}
	var senders []sender
	for _, id := range res.IDs {
		var room string
		if err := s.App.DB().NewQuery("SELECT room FROM room_members WHERE user = {:u} LIMIT 1").
			Bind(map[string]any{"u": id}).Row(&room); err != nil {
			continue
		}
		u, err := s.App.FindRecordById("users", id)
		if err != nil {
			b.Fatal(err)
		}
		senders = append(senders, sender{s.SignedIn(u), room})
	}
	var n atomic.Int64
	b.Cleanup(func() {
		commits, writes := chat.CommitStats(s.App)
		b.ReportMetric(float64(writes)/float64(max(commits, 1)), "writes/commit")
	})
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			snd := senders[int(i)%len(senders)]
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/chats/"+snd.room+"/messages",
				stringsReader(url.Values{"body": {"bench " + strconv.FormatInt(i, 10)}, "client_id": {"c" + strconv.FormatInt(i, 10)}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Plaza-Fetch", "1")
			if p := snd.c.Do(req); p.Status != http.StatusOK && p.Status != http.StatusTooManyRequests {
				b.Errorf("send: %d %s", p.Status, p.Body)
			}
		}
	})
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
