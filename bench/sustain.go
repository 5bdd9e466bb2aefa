package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// throughput is one closed-loop test: concurrency workers, each sending its
// next request as soon as the previous one is answered.
type throughput struct {
	name        string
	concurrency int
	window      time.Duration
	ok          int // acknowledged in the window
	refused     int // 429 in the window
	failed      int
	firstErr    string
	rate        float64 // acknowledged per second
	lat         []time.Duration
	rssPeak     int64
	gorPeak     int
	cpu         cpuUse
}

type sustainResult struct {
	members int
	stored  int // messages already in the database when the Plaza test began
	plaza   throughput
	pb      throughput
}

const notesCollection = "bench_notes"

// sustainedPhase measures acknowledged Plaza sends per second against
// PocketBase's JSON record create API at the same concurrency, each on a
// fresh server with no stream open.
func (b *bench) sustainedPhase(ctx context.Context, ds *dataset) (*sustainResult, error) {
	res := &sustainResult{members: len(ds.members)}
	pairs := senderRooms(ds, 3)
	if len(pairs) == 0 {
		return nil, fmt.Errorf("no member has a room")
	}

	b.logf("sustained sends: Plaza, %d in flight for %s", b.cfg.concurrency, b.cfg.sustain)
	if err := b.startServer(ctx, ds); err != nil {
		return nil, err
	}
	var page struct {
		TotalItems int `json:"totalItems"`
	}
	if err := b.api(ctx, "GET", "/api/collections/messages/records?perPage=1&fields=id", b.su, nil, &page); err != nil {
		return nil, err
	}
	res.stored = page.TotalItems
	var next atomic.Int64
	plaza, err := b.closedLoop(ctx, "Plaza POST /chats/{room}/messages", b.cfg.concurrency, func(ctx context.Context) (int, error) {
		k := next.Add(1) - 1
		p := pairs[int(k)%len(pairs)]
		marker := nextMarker.Add(1)
		form := url.Values{
			"body":      {"sustained " + markerText(marker)},
			"client_id": {"sustain-" + strconv.FormatInt(marker, 10)},
		}
		req, err := http.NewRequestWithContext(ctx, "POST", b.srv.base+"/chats/"+ds.rooms[p.room].ID+"/messages", strings.NewReader(form.Encode()))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "plaza_session="+ds.members[p.sender].Token)
		req.Header.Set("X-Plaza-Fetch", "1")
		return do(req)
	})
	b.stopServer()
	if err != nil {
		return nil, err
	}
	res.plaza = plaza

	b.logf("sustained sends: PocketBase create API, %d in flight for %s", b.cfg.concurrency, b.cfg.sustain)
	if err := b.startServer(ctx, ds); err != nil {
		return nil, err
	}
	defer b.stopServer()
	if err := b.ensureNotes(ctx); err != nil {
		return nil, err
	}
	next.Store(0)
	pb, err := b.closedLoop(ctx, "PocketBase POST /api/collections/"+notesCollection+"/records", b.cfg.concurrency, func(ctx context.Context) (int, error) {
		k := next.Add(1) - 1
		p := pairs[int(k)%len(pairs)]
		marker := nextMarker.Add(1)
		raw, _ := json.Marshal(map[string]string{
			"room":   ds.rooms[p.room].ID,
			"author": ds.members[p.sender].ID,
			"body":   "sustained " + markerText(marker),
		})
		req, err := http.NewRequestWithContext(ctx, "POST", b.srv.base+"/api/collections/"+notesCollection+"/records", bytes.NewReader(raw))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", ds.members[p.sender].Token)
		return do(req)
	})
	if err != nil {
		return nil, err
	}
	res.pb = pb
	return res, nil
}

func do(req *http.Request) (int, error) { return doWith(sendHTTP, req) }

// doWith sends req and reads the answer through (bounded); only the status matters.
func doWith(client *http.Client, req *http.Request) (int, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// ensureNotes creates the plain base collection the create API is measured
// on: text fields like a message, anyone may create.
func (b *bench) ensureNotes(ctx context.Context) error {
	if err := b.api(ctx, "GET", "/api/collections/"+notesCollection, b.su, nil, nil); err == nil {
		return nil
	}
	return b.api(ctx, "POST", "/api/collections", b.su, map[string]any{
		"name": notesCollection,
		"type": "base",
		"fields": []map[string]any{
			{"name": "room", "type": "text"},
			{"name": "author", "type": "text"},
			{"name": "body", "type": "text"},
		},
		"createRule": "",
	}, nil)
}

// closedLoop runs one warm-up second, then counts answers over the window,
// with concurrency requests in flight.
func (b *bench) closedLoop(ctx context.Context, name string, concurrency int, fn func(ctx context.Context) (int, error)) (throughput, error) {
	t := throughput{name: name, concurrency: concurrency, window: b.cfg.sustain}
	var measuring, stop atomic.Bool
	var mu sync.Mutex
	var wg sync.WaitGroup
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var started time.Time
	var cpu0 cpuSnap
	for w := 0; w < t.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Bounded: the loop ends when stop is set (after the window) or
			// the context ends; each request has the client's 30 s timeout.
			for !stop.Load() && lctx.Err() == nil {
				begin := time.Now()
				status, err := fn(lctx)
				took := time.Since(begin)
				mu.Lock()
				if !measuring.Load() || stop.Load() {
					mu.Unlock()
					continue
				}
				switch {
				case err != nil:
					if lctx.Err() == nil {
						t.failed++
						if t.firstErr == "" {
							t.firstErr = err.Error()
						}
					}
				case status == http.StatusOK:
					t.ok++
					t.lat = append(t.lat, took)
				case status == http.StatusTooManyRequests:
					t.refused++
				default:
					t.failed++
					if t.firstErr == "" {
						t.firstErr = "HTTP " + strconv.Itoa(status)
					}
				}
				mu.Unlock()
			}
		}()
	}
	samp := b.startSampler(ctx)
	err := sleepCtx(ctx, time.Second) // warm-up
	if err == nil {
		mu.Lock()
		started = time.Now()
		measuring.Store(true)
		mu.Unlock()
		cpu0 = b.cpuNow()
		err = sleepCtx(ctx, t.window)
	}
	mu.Lock()
	stop.Store(true)
	elapsed := time.Since(started)
	mu.Unlock()
	t.cpu = cpuBetween(cpu0, b.cpuNow())
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(35 * time.Second):
		cancel()
		<-done
	}
	t.rssPeak, _, t.gorPeak = samp.finish()
	if err != nil {
		return t, err
	}
	if !b.srv.alive() {
		return t, fmt.Errorf("%s: the server exited: %v", name, b.srv.err)
	}
	t.rate = float64(t.ok) / elapsed.Seconds()
	b.logf("%s: %.0f/s answered 200 (%d refused, %d failed)", name, t.rate, t.refused, t.failed)
	return t, nil
}
