package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type kind int

const (
	plazaKind kind = iota // Plaza's GET /events
	pbKind                // PocketBase's /api/realtime subscribed to "messages"
)

func (k kind) String() string {
	if k == plazaKind {
		return "Plaza /events"
	}
	return "PocketBase /api/realtime"
}

// phaseResult is what one realtime phase measured.
type phaseResult struct {
	kind    kind
	members int // members asked to connect
	window  time.Duration
	rate    int
	rooms   int

	connected    int
	connectFails int
	connectErr   string
	connectTook  time.Duration

	rss0, rssIdle, rssPeak    int64
	rssCold                   int64 // before the warm-up round (see runPhase)
	heap0, heapIdle, heapPeak uint64
	gor0, gorIdle, gorPeak    int
	tabs                      int // Plaza's live_tabs when idle

	planned, dispatched, acked, refused, failed, skipped int
	unanswered                                           int // no HTTP answer by the end of the drain
	sendErr                                              string
	ackLat                                               []time.Duration
	achievedRate                                         float64

	lat                    []time.Duration // send → delivery, every unique delivery
	censored               []time.Duration // missing deliveries: how long they had waited when the drain ended
	expected, delivered    int64           // for acknowledged and unanswered sends
	unackedDelivered       int64           // deliveries of sends that were refused
	dups, order, stray     int
	wrongRoom              int // delivered to a client whose member is not in the room
	reloads, earlyClosed   int
	drained                bool
	drainTook              time.Duration // from the last send to the last delivery
	cpu                    cpuUse        // during the sends and the drain
	fullyDeliveredMessages int
}

// phase is the live state of one realtime phase.
type phase struct {
	b     *bench
	ds    *dataset
	kind  kind
	sched schedule
	base  int64 // marker of sends[0]; markers are unique across the run
	epoch time.Time

	sendAt    []atomic.Int64 // ns since epoch when send i was dispatched
	status    []atomic.Int32 // 0 not dispatched, -1 no answer (cancelled at the drain's end, timeout), else HTTP status
	delivered []atomic.Int32
	expected  []int32 // connected members in the room at plan time

	totalDelivered atomic.Int64
	expectedAcked  atomic.Int64
	inflight       atomic.Int64
	closing        atomic.Bool

	roomMember []map[int]bool // per planned send: its room's member set
	clients    []*client
}

// markers: a body carries "QZB<n>QZE"; n is unique in the whole run.
// (Upper case: record ids, which the HTML also holds, are lower case.)
var nextMarker atomic.Int64

func markerText(n int64) string { return "QZB" + strconv.FormatInt(n, 10) + "QZE" }

func markerOf(s string) (int64, bool) {
	for {
		i := strings.Index(s, "QZB")
		if i < 0 {
			return 0, false
		}
		s = s[i+3:]
		j := strings.Index(s, "QZE")
		if j < 0 {
			return 0, false
		}
		if n, err := strconv.ParseUint(s[:j], 10, 63); err == nil {
			return int64(n), true
		}
	}
}

// client is one connected member tab.
type client struct {
	ph     *phase
	member int
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{}
	pbID   string // PocketBase realtime client id

	mu      sync.Mutex
	readyOK bool
	last    int64
	seen    map[string]struct{}
	lat     []time.Duration
	dups    int
	order   int
	stray   int
	wrong   int
	reloads int
	lastAt  time.Duration // last delivery, since the epoch
	err     error         // why the stream ended early
}

func (c *client) markReady() {
	if !c.readyOK {
		c.readyOK = true
		close(c.ready)
	}
}

// deliver records one message arriving at c.
func (c *client) deliver(msgID string, gseq, marker int64, at time.Time) {
	ph := c.ph
	i := marker - ph.base
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= int64(len(ph.sched.sends)) {
		if os.Getenv("BENCH_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "stray marker %d (base %d, n %d) msg %s gseq %d\n", marker, ph.base, len(ph.sched.sends), msgID, gseq)
		}
		c.stray++
		return
	}
	if _, dup := c.seen[msgID]; dup {
		c.dups++
		return
	}
	c.seen[msgID] = struct{}{}
	if gseq <= c.last {
		c.order++
	} else {
		c.last = gseq
	}
	if !ph.roomMember[i][c.member] {
		c.wrong++
		return
	}
	since := at.Sub(ph.epoch)
	c.lat = append(c.lat, since-time.Duration(ph.sendAt[i].Load()))
	c.lastAt = max(c.lastAt, since)
	ph.delivered[i].Add(1)
	ph.totalDelivered.Add(1)
}

func (c *client) onPlazaEvent(ev *sseEvent, at time.Time) {
	switch ev.name {
	case "message":
		var m struct {
			ID   string `json:"id"`
			HTML string `json:"html"`
		}
		gseq, err := strconv.ParseInt(ev.id, 10, 64)
		if err != nil || json.Unmarshal(ev.data, &m) != nil {
			if os.Getenv("BENCH_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "stray: id %q data %.300s\n", ev.id, ev.data)
			}
			c.mu.Lock()
			c.stray++
			c.mu.Unlock()
			return
		}
		marker, ok := markerOf(m.HTML)
		if !ok {
			if os.Getenv("BENCH_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "stray: %s\n", ev.data)
			}
			c.mu.Lock()
			c.stray++
			c.mu.Unlock()
			return
		}
		c.deliver(m.ID, gseq, marker, at)
	case "reload":
		c.mu.Lock()
		c.reloads++
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.markReady()
	c.mu.Unlock()
}

func (c *client) onPBEvent(ev *sseEvent, at time.Time) {
	switch ev.name {
	case "PB_CONNECT":
		var d struct {
			ClientID string `json:"clientId"`
		}
		if json.Unmarshal(ev.data, &d) == nil && d.ClientID != "" {
			c.mu.Lock()
			c.pbID = d.ClientID
			c.markReady()
			c.mu.Unlock()
		}
	case "messages":
		var d struct {
			Action string `json:"action"`
			Record struct {
				ID   string `json:"id"`
				Body string `json:"body"`
				Gseq int64  `json:"gseq"`
			} `json:"record"`
		}
		if json.Unmarshal(ev.data, &d) != nil || d.Action != "create" {
			c.mu.Lock()
			c.stray++
			c.mu.Unlock()
			return
		}
		marker, ok := markerOf(d.Record.Body)
		if !ok {
			c.mu.Lock()
			c.stray++
			c.mu.Unlock()
			return
		}
		c.deliver(d.Record.ID, d.Record.Gseq, marker, at)
	}
}

// connect opens the member's stream and waits until it is live.
func (ph *phase) connect(ctx context.Context, m int) (*client, error) {
	b := ph.b
	cctx, cancel := context.WithCancel(context.Background())
	c := &client{ph: ph, member: m, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}), seen: map[string]struct{}{}}
	path := "/events"
	if ph.kind == pbKind {
		path = "/api/realtime"
	}
	req, err := http.NewRequestWithContext(cctx, "GET", b.srv.base+path, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if ph.kind == plazaKind {
		req.Header.Set("Cookie", "plaza_session="+ph.ds.members[m].Token)
	}
	resp, err := sseHTTP.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("GET %s: %s %s: %s", path, resp.Status, resp.Header.Get("Content-Type"), bytes.TrimSpace(body))
	}
	onEvent := c.onPlazaEvent
	var onComment func(string)
	if ph.kind == pbKind {
		onEvent = c.onPBEvent
	} else {
		onComment = func(text string) {
			if text == "connected" {
				c.mu.Lock()
				c.markReady()
				c.mu.Unlock()
			}
		}
	}
	go func() {
		defer close(c.done)
		defer resp.Body.Close()
		err := readSSE(resp.Body, onEvent, onComment)
		if !ph.closing.Load() {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
		}
	}()
	fail := func(err error) (*client, error) {
		cancel()
		<-c.done
		return nil, err
	}
	select {
	case <-c.ready:
	case <-c.done:
		return fail(fmt.Errorf("stream ended before it was ready: %v", c.err))
	case <-time.After(30 * time.Second):
		return fail(errors.New("stream not ready after 30s"))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	if ph.kind == pbKind {
		c.mu.Lock()
		id := c.pbID
		c.mu.Unlock()
		raw, _ := json.Marshal(map[string]any{"clientId": id, "subscriptions": []string{"messages"}})
		sreq, err := http.NewRequestWithContext(ctx, "POST", b.srv.base+"/api/realtime", bytes.NewReader(raw))
		if err != nil {
			return fail(err)
		}
		sreq.Header.Set("Content-Type", "application/json")
		sreq.Header.Set("Authorization", ph.ds.members[m].Token)
		sresp, err := sendHTTP.Do(sreq)
		if err != nil {
			return fail(err)
		}
		body, _ := io.ReadAll(io.LimitReader(sresp.Body, 512))
		sresp.Body.Close()
		if sresp.StatusCode != http.StatusNoContent {
			return fail(fmt.Errorf("POST /api/realtime: %s: %s", sresp.Status, bytes.TrimSpace(body)))
		}
	}
	return c, nil
}

// connectAll connects every member (bounded parallelism), in member order.
func (ph *phase) connectAll(ctx context.Context, res *phaseResult) {
	n := len(ph.ds.members)
	clients := make([]*client, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	start := time.Now()
	for m := 0; m < n && ctx.Err() == nil; m++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			clients[m], errs[m] = ph.connect(ctx, m)
		}()
	}
	wg.Wait()
	res.connectTook = time.Since(start)
	for m, c := range clients {
		if c != nil {
			ph.clients = append(ph.clients, c)
		} else {
			res.connectFails++
			if res.connectErr == "" && errs[m] != nil {
				res.connectErr = errs[m].Error()
			}
		}
	}
	res.connected = len(ph.clients)
}

// closeAll ends every stream and waits (bounded) for the readers.
func (ph *phase) closeAll() {
	ph.closing.Store(true)
	for _, c := range ph.clients {
		c.cancel()
	}
	deadline := time.After(15 * time.Second)
	for _, c := range ph.clients {
		select {
		case <-c.done:
		case <-deadline:
			return
		}
	}
}

// sample tracks the server's peak RSS, heap and goroutines.
type sampler struct {
	mu   sync.Mutex
	rss  int64
	heap uint64
	gor  int
	stop chan struct{}
	done chan struct{}
}

func (b *bench) startSampler(ctx context.Context) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	srv := b.srv
	go func() {
		defer close(s.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			r := srv.rss()
			var st plazaStats
			var err error = errors.New("skipped")
			if i%4 == 0 {
				st, err = b.stats(ctx)
			}
			s.mu.Lock()
			s.rss = max(s.rss, r)
			if err == nil {
				s.heap = max(s.heap, st.HeapBytes)
				s.gor = max(s.gor, st.Goroutines)
			}
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) finish() (int64, uint64, int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rss, s.heap, s.gor
}

// realtimePhase runs one system at one scale on a fresh server: connect
// every member, measure idle memory, run the open-loop plan, wait for the
// deliveries, and tally.
func (b *bench) realtimePhase(ctx context.Context, ds *dataset, k kind, sched schedule, window time.Duration) (*phaseResult, error) {
	res := &phaseResult{kind: k, members: len(ds.members), window: window, rate: sched.rate, rooms: sched.rooms, planned: len(sched.sends)}
	b.logf("%s, %d members: starting server", k, len(ds.members))
	if err := b.startServer(ctx, ds); err != nil {
		return nil, err
	}
	defer b.stopServer()

	n := len(sched.sends)
	ph := &phase{b: b, ds: ds, kind: k, sched: sched,
		sendAt: make([]atomic.Int64, n), status: make([]atomic.Int32, n), delivered: make([]atomic.Int32, n),
		expected: make([]int32, n), roomMember: make([]map[int]bool, n)}
	ph.base = nextMarker.Add(int64(n)) - int64(n)
	byRoom := map[int]map[int]bool{}
	for i, s := range sched.sends {
		set := byRoom[s.room]
		if set == nil {
			set = map[int]bool{}
			for _, m := range ds.rooms[s.room].idx {
				set[m] = true
			}
			byRoom[s.room] = set
		}
		ph.roomMember[i] = set
	}

	// Baseline: the server warmed by a few requests, no stream open.
	for i := 0; i < 3; i++ {
		if _, err := b.stats(ctx); err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
	}
	if err := sleepCtx(ctx, time.Second); err != nil {
		return nil, err
	}
	st, err := b.stats(ctx)
	if err != nil {
		return nil, err
	}
	res.rssCold = b.srv.rss()

	// Warm-up: every member loads their chat list once (32 at a time), so
	// the baseline below already holds what a first wave of members warms up
	// and keeps — SQLite page caches across the connection pool, session
	// caches, the heap's grown size — without any stream having been open.
	// The same server binary and requests run before both systems' phases,
	// so the idle figure is what open streams cost.
	b.logf("%s: warm-up: %d members load /chats", k, len(ds.members))
	if err := b.warmUp(ctx, ds); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	if err := sleepCtx(ctx, b.cfg.settle); err != nil {
		return nil, err
	}
	st, err = b.stats(ctx)
	if err != nil {
		return nil, err
	}
	res.rss0, res.heap0, res.gor0 = b.srv.rss(), st.HeapBytes, st.Goroutines

	b.logf("%s: connecting %d members", k, len(ds.members))
	ph.connectAll(ctx, res)
	defer ph.closeAll()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res.connected == 0 {
		return nil, fmt.Errorf("%s: no member could connect: %s", k, res.connectErr)
	}
	b.vlogf("%s: %d connected in %s (%d failed)", k, res.connected, res.connectTook.Round(time.Millisecond), res.connectFails)
	if res.connectFails > 0 {
		b.logf("warning: %s: %d members failed to connect: %s", k, res.connectFails, res.connectErr)
	}

	// Idle: let the connect burst settle, then read memory.
	if err := sleepCtx(ctx, b.cfg.settle); err != nil {
		return nil, err
	}
	st, err = b.stats(ctx)
	if err != nil {
		return nil, err
	}
	res.rssIdle, res.heapIdle, res.gorIdle, res.tabs = b.srv.rss(), st.HeapBytes, st.Goroutines, st.LiveTabs

	// Expected deliveries: the connected members of each send's room.
	connected := make([]bool, len(ds.members))
	for _, c := range ph.clients {
		connected[c.member] = true
	}
	for i, s := range sched.sends {
		for _, m := range ds.rooms[s.room].idx {
			if connected[m] {
				ph.expected[i]++
			}
		}
	}

	b.logf("%s: sending %d messages at %d/s over %d rooms", k, n, sched.rate, sched.rooms)
	samp := b.startSampler(ctx)
	cpu0 := b.cpuNow()
	sendCtx, cancelSends := context.WithCancel(ctx)
	defer cancelSends()
	var mu sync.Mutex // guards res send tallies
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(sched.rate)
	ph.epoch = time.Now()
	const maxInflight = 1500
	for i := 0; i < n; i++ {
		due := ph.epoch.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			if err := sleepCtx(ctx, d); err != nil {
				break
			}
		}
		if ph.inflight.Load() >= maxInflight {
			mu.Lock()
			res.skipped++
			mu.Unlock()
			continue
		}
		res.dispatched++
		ph.inflight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ph.inflight.Add(-1)
			status, took, err := ph.send(sendCtx, i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				// No answer: the server may still commit it, so its
				// deliveries stay expected.
				ph.status[i].Store(-1)
				res.unanswered++
				if res.sendErr == "" && sendCtx.Err() == nil {
					res.sendErr = err.Error()
				}
			case status == http.StatusOK:
				ph.status[i].Store(int32(status))
				res.acked++
				res.ackLat = append(res.ackLat, took)
				ph.expectedAcked.Add(int64(ph.expected[i]))
			case status == http.StatusTooManyRequests:
				ph.status[i].Store(int32(status))
				res.refused++
			default:
				ph.status[i].Store(int32(status))
				res.failed++
				if res.sendErr == "" {
					res.sendErr = "HTTP " + strconv.Itoa(status)
				}
			}
		}()
	}
	sentFor := time.Since(ph.epoch)
	res.achievedRate = float64(res.dispatched) / max(sentFor.Seconds(), 1e-9)
	if err := ctx.Err(); err != nil {
		samp.finish()
		return nil, err
	}

	// Drain: every acknowledged send delivered to every connected member of
	// its room, or the drain window is over.
	deadline := time.Now().Add(b.cfg.drain)
	allSent := make(chan struct{})
	go func() { wg.Wait(); close(allSent) }()
	sendsDone := false
	for {
		if !sendsDone {
			select {
			case <-allSent:
				sendsDone = true
			default:
			}
		}
		if sendsDone && ph.totalDelivered.Load() >= ph.expectedAcked.Load() {
			res.drained = true
			// A short grace for anything extra (duplicates) still on the way.
			if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
				break
			}
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	drainEnd := time.Since(ph.epoch)
	if !sendsDone {
		cancelSends()
		select {
		case <-allSent:
		case <-time.After(35 * time.Second):
			b.logf("warning: %s: some sends did not return", k)
		}
	}
	res.cpu = cpuBetween(cpu0, b.cpuNow())
	res.rssPeak, res.heapPeak, res.gorPeak = samp.finish()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !b.srv.alive() {
		return nil, fmt.Errorf("%s: the server exited during the phase: %v", k, b.srv.err)
	}

	// Tally (the streams stay open, so lock each client).
	var lastDelivery time.Duration // since epoch
	for _, c := range ph.clients {
		c.mu.Lock()
		res.lat = append(res.lat, c.lat...)
		res.dups += c.dups
		res.order += c.order
		res.stray += c.stray
		res.wrongRoom += c.wrong
		res.reloads += c.reloads
		if c.err != nil {
			res.earlyClosed++
		}
		lastDelivery = max(lastDelivery, c.lastAt)
		c.mu.Unlock()
	}
	for i := 0; i < n; i++ {
		d := int64(ph.delivered[i].Load())
		switch ph.status[i].Load() {
		case http.StatusOK, -1:
			// Acknowledged, or unanswered (and maybe committed later):
			// every connected member of the room should get it. Missing
			// deliveries count in the percentiles at the time they had
			// waited when the drain ended (a lower bound).
			want := int64(ph.expected[i])
			res.expected += want
			res.delivered += min(d, want)
			if d >= want {
				res.fullyDeliveredMessages++
			}
			for k := d; k < want; k++ {
				res.censored = append(res.censored, drainEnd-time.Duration(ph.sendAt[i].Load()))
			}
		default:
			res.unackedDelivered += d
		}
	}
	var lastSend int64
	for i := 0; i < n; i++ {
		lastSend = max(lastSend, ph.sendAt[i].Load())
	}
	if lastDelivery > 0 {
		res.drainTook = max(0, lastDelivery-time.Duration(lastSend))
	}
	b.logf("%s: %d/%d delivered, p99 %s", k, res.delivered, res.expected, res.quantile(0.99))
	return res, nil
}

// send posts planned send i through Plaza's own route (both systems are
// measured on these same sends: PocketBase broadcasts the records Plaza saves).
func (ph *phase) send(ctx context.Context, i int) (int, time.Duration, error) {
	s := ph.sched.sends[i]
	marker := ph.base + int64(i)
	form := url.Values{
		"body":      {"bench message " + markerText(marker)},
		"client_id": {"bench-" + strconv.FormatInt(marker, 10)},
	}
	req, err := http.NewRequestWithContext(ctx, "POST", ph.b.srv.base+"/chats/"+ph.ds.rooms[s.room].ID+"/messages", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "plaza_session="+ph.ds.members[s.sender].Token)
	req.Header.Set("X-Plaza-Fetch", "1")
	start := time.Now()
	ph.sendAt[i].Store(start.Sub(ph.epoch).Nanoseconds())
	resp, err := sendHTTP.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// warmUp has every member load their chat list once, 32 at a time.
func (b *bench) warmUp(ctx context.Context, ds *dataset) error {
	client := &http.Client{Timeout: 30 * time.Second}
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for m := range ds.members {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req, err := http.NewRequestWithContext(ctx, "GET", b.srv.base+"/chats", nil)
			if err != nil {
				failed.Add(1)
				return
			}
			req.Header.Set("Cookie", "plaza_session="+ds.members[m].Token)
			res, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d of %d chat lists failed to load", n, len(ds.members))
	}
	return ctx.Err()
}
