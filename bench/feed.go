package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// The moments feed: Plaza's server-rendered GET /moments (20 posts with the
// likes and comments the viewer may see) against PocketBase's JSON list API
// on the same posts collection, closed loop at the same concurrency.

const (
	feedPerPage    = 20 // Plaza's page size (hooks/moments/store.go feedPage)
	feedListPath   = "/api/collections/posts/records?perPage=20&sort=-created&skipTotal=1"
	feedFlatN      = 200 // sequential requests per flatness probe, at most
	feedFlatBudget = time.Second
	feedFlatWho    = 20 // members per flatness probe
)

type feedResult struct {
	members, friendships, posts, likes, comments int
	seedTook                                     time.Duration

	users                  int     // members the Plaza test cycles over
	avgFriends             float64 // their accepted friendships
	minFriends, maxFriends int

	// From one page-1 load per cycled member before the test.
	shownPosts, shownLikes, shownComments float64 // per page, averaged
	plazaBytes, pbBytes                   int

	plaza, pb throughput
	flat      []*flatSeries
}

// flatSeries is single-connection latency for one kind of page, and the
// SQL statements one such page ran.
type flatSeries struct {
	label   string
	who     []int              // member indexes
	query   func(m int) string // the page's query string for member m
	friends float64            // average friends of its members
	shown   float64            // average likes + comments shown per page
	lat     []time.Duration
	failed  int
	stmts   []int // SQL statements of one page, for its first members (warm session)
	cold    []int // … and of their session's first page on the dev server
}

// feedHTTP carries the measured feed requests: keep-alive pool for the
// concurrency, and no redirect following (a redirect to the sign-in page
// must count as a failure, not as a 200).
var feedHTTP = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		DisableCompression:  true,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (b *bench) seedFeed(ctx context.Context) (*dataset, error) {
	c := b.cfg
	return b.seedWith(ctx, "feed", c.feedMembers, false,
		"--friends", strconv.Itoa(c.feedFriends), "--groups", "0", "--messages", "0",
		"--posts", strconv.Itoa(c.feedPosts), "--reactions", "4", "--photo-every", "0")
}

// feedPhase measures the feed on ds: Plaza first, then the reference, each
// on a fresh server.
func (b *bench) feedPhase(ctx context.Context, ds *dataset) (*feedResult, error) {
	c := b.cfg
	res := &feedResult{members: len(ds.members), seedTook: ds.summary.took}
	b.logf("feed: Plaza GET /moments, %d in flight for %s", c.feedConc, c.sustain)
	if err := b.startServer(ctx, ds); err != nil {
		return nil, err
	}
	counts := []struct {
		path string
		n    *int
	}{
		{"/api/collections/posts/records?perPage=1&fields=id", &res.posts},
		{"/api/collections/post_likes/records?perPage=1&fields=id", &res.likes},
		{"/api/collections/post_comments/records?perPage=1&fields=id", &res.comments},
	}
	for _, q := range counts {
		var page struct {
			TotalItems int `json:"totalItems"`
		}
		if err := b.api(ctx, "GET", q.path, b.su, nil, &page); err != nil {
			return nil, err
		}
		*q.n = page.TotalItems
	}
	if res.posts < feedPerPage+1 {
		return nil, fmt.Errorf("feed: only %d posts seeded", res.posts)
	}
	friends, total, err := b.friendCounts(ctx, ds)
	if err != nil {
		return nil, err
	}
	res.friendships = total
	b.vlogf("feed: %d friendships read", total)

	// The members the closed loop cycles over, so no single member's caches
	// (SQLite pages, the friend list) make it a one-user test.
	users := make([]int, min(c.feedUsers, len(ds.members)))
	sum := 0
	res.minFriends = int(^uint(0) >> 1)
	for i := range users {
		users[i] = i
		f := friends[i]
		sum += f
		res.minFriends = min(res.minFriends, f)
		res.maxFriends = max(res.maxFriends, f)
	}
	res.users = len(users)
	res.avgFriends = float64(sum) / float64(len(users))

	// Every cycled member loads page 1 once: checks it is a full feed page
	// (and warms the server as the reference's warm-up will).
	shownBy := map[int]int{}  // member → likes and comments on their page 1
	older := map[int]string{} // member → the query of their page 2
	for _, m := range users {
		pg, err := b.feedPage(ctx, ds.members[m].Token, "")
		if err != nil {
			return nil, fmt.Errorf("feed of %s: %w", ds.members[m].Email, err)
		}
		if pg.posts != feedPerPage {
			return nil, fmt.Errorf("feed of %s: %d posts on page 1, want %d", ds.members[m].Email, pg.posts, feedPerPage)
		}
		res.shownPosts += float64(pg.posts)
		res.shownLikes += float64(pg.likes)
		res.shownComments += float64(pg.comments)
		res.plazaBytes = max(res.plazaBytes, pg.size)
		shownBy[m] = pg.likes + pg.comments
		older[m] = pg.older
	}
	res.shownPosts /= float64(len(users))
	res.shownLikes /= float64(len(users))
	res.shownComments /= float64(len(users))
	b.vlogf("feed: every cycled member's page 1 checked")

	var next atomic.Int64
	res.plaza, err = b.closedLoop(ctx, "Plaza GET /moments", c.feedConc, func(ctx context.Context) (int, error) {
		m := users[int(next.Add(1)-1)%len(users)]
		req, err := http.NewRequestWithContext(ctx, "GET", b.srv.base+"/moments", nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Cookie", "plaza_session="+ds.members[m].Token)
		return doWith(feedHTTP, req)
	})
	if err != nil {
		b.stopServer()
		return nil, err
	}

	flat, err := b.flatSeries(ctx, ds, friends, shownBy, older, res.posts)
	if err == nil {
		err = b.timeFlat(ctx, ds, flat)
	}
	b.stopServer()
	if err != nil {
		return nil, err
	}
	b.logf("feed: counting SQL statements per page (dev-mode server log)")
	if err := b.countStatements(ctx, ds, flat); err != nil {
		return nil, err
	}
	b.stopServer()
	res.flat = flat

	b.logf("feed: PocketBase list API (superuser), %d in flight for %s", c.feedConc, c.sustain)
	if err := b.startServer(ctx, ds); err != nil {
		return nil, err
	}
	defer b.stopServer()
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	raw, err := b.getRaw(ctx, feedListPath, b.su)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &list); err != nil || len(list.Items) != feedPerPage {
		return nil, fmt.Errorf("GET %s: %d items (%v), want %d", feedListPath, len(list.Items), err, feedPerPage)
	}
	res.pbBytes = len(raw)
	su := b.su
	res.pb, err = b.closedLoop(ctx, "PocketBase GET "+feedListPath, c.feedConc, func(ctx context.Context) (int, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", b.srv.base+feedListPath, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", su)
		return doWith(feedHTTP, req)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// flatSeries picks the single-connection probes: page 1 for the members
// with the fewest and with the most friends, page 1 for the cycled members
// whose page shows the most likes and comments, page 2 (the page's own
// "Older moments" link) and a page from the middle of the org's posts.
// With a bounded number of queries per page these stay close.
func (b *bench) flatSeries(ctx context.Context, ds *dataset, friends []int, shownBy map[int]int, older map[int]string, posts int) ([]*flatSeries, error) {
	order := make([]int, len(ds.members))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return friends[x] - friends[y] })
	k := min(feedFlatWho, len(order)/2)
	fewest, most := order[:k], order[len(order)-k:]

	busiest := make([]int, 0, len(shownBy))
	for m := range shownBy {
		busiest = append(busiest, m)
	}
	slices.Sort(busiest)
	slices.SortStableFunc(busiest, func(x, y int) int { return shownBy[y] - shownBy[x] })
	busiest = busiest[:min(k, len(busiest))]

	// Page 2 for cycled members (their link was read before the test).
	var paged []int
	for m, q := range older {
		if q != "" {
			paged = append(paged, m)
		}
	}
	slices.Sort(paged)
	paged = paged[:min(k, len(paged))]

	// The cursor of the org's middle post (newest first).
	var mid struct {
		Items []struct {
			ID      string `json:"id"`
			Created string `json:"created"`
		} `json:"items"`
	}
	path := fmt.Sprintf("/api/collections/posts/records?perPage=1&page=%d&sort=-created,-id&skipTotal=1&fields=id,created", posts/2)
	if err := b.api(ctx, "GET", path, b.su, nil, &mid); err != nil {
		return nil, err
	}
	if len(mid.Items) != 1 {
		return nil, fmt.Errorf("GET %s: no post", path)
	}
	deep := url.Values{"before": {mid.Items[0].Created + "|" + mid.Items[0].ID}}.Encode()

	page1 := func(int) string { return "" }
	series := []*flatSeries{
		{label: "page 1, fewest-friends members", who: fewest, query: page1},
		{label: "page 1, most-friends members", who: most, query: page1},
		{label: "page 1, most likes+comments shown", who: busiest, query: page1},
	}
	if len(paged) > 0 {
		series = append(series, &flatSeries{label: "page 2 (the Older link)", who: paged, query: func(m int) string { return older[m] }})
	}
	series = append(series, &flatSeries{label: "page from post " + fmtInt(int64(posts/2)) + " of " + fmtInt(int64(posts)),
		who: most, query: func(int) string { return deep }})
	for _, s := range series {
		for _, m := range s.who {
			s.friends += float64(friends[m])
		}
		s.friends /= float64(len(s.who))
	}
	return series, nil
}

// timeFlat times each probe one request at a time (no queueing), up to
// feedFlatN requests or feedFlatBudget per probe.
func (b *bench) timeFlat(ctx context.Context, ds *dataset, series []*flatSeries) error {
	for _, s := range series {
		reactions := 0
		began := time.Now()
		for i := 0; i < feedFlatN && time.Since(began) < feedFlatBudget; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			m := s.who[i%len(s.who)]
			start := time.Now()
			pg, err := b.feedPage(ctx, ds.members[m].Token, s.query(m))
			took := time.Since(start)
			if err != nil || pg.posts != feedPerPage {
				s.failed++
				continue
			}
			s.lat = append(s.lat, took)
			reactions += pg.likes + pg.comments
		}
		if len(s.lat) > 0 {
			s.shown = float64(reactions) / float64(len(s.lat))
		}
		b.vlogf("feed flatness: %s: p50 %s over %d, %.1f reactions shown", s.label, fmtMs(percentile(s.lat, 0.5)), len(s.lat), s.shown)
	}
	return nil
}

// sqlLogLine is how PocketBase's dev mode logs a statement: "[0.52ms] SELECT …".
var sqlLogLine = regexp.MustCompile(`(?m)^(?:\x1b\[[0-9;]*m)*\[\d+(?:\.\d+)?ms\]`)

// countStatements starts a dev-mode server (it logs every SQL statement)
// and counts the statements of one page per probe, for its first members.
func (b *bench) countStatements(ctx context.Context, ds *dataset, series []*flatSeries) error {
	if err := b.startServerMode(ctx, ds, true); err != nil {
		return err
	}
	logPath := b.srv.log.Name()
	count := func(m int, query string) (int, error) {
		off, err := fileSize(logPath)
		if err != nil {
			return 0, err
		}
		if _, err := b.feedPage(ctx, ds.members[m].Token, query); err != nil {
			return 0, err
		}
		// The request's own log line follows its statements.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			chunk, err := readFrom(logPath, off)
			if err != nil {
				return 0, err
			}
			if i := bytes.Index(chunk, []byte("GET /moments")); i >= 0 {
				return len(sqlLogLine.FindAllIndex(chunk[:i], -1)), nil
			}
			if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
				return 0, err
			}
		}
		return 0, fmt.Errorf("dev-mode server log: no request line for %s", ds.members[m].Email)
	}
	for _, s := range series {
		for _, m := range s.who[:min(3, len(s.who))] {
			// The first page of a session on this server may also look the
			// member up; the second shows the steady state.
			cold, err := count(m, s.query(m))
			if err != nil {
				return err
			}
			warm, err := count(m, s.query(m))
			if err != nil {
				return err
			}
			s.cold = append(s.cold, cold)
			s.stmts = append(s.stmts, warm)
		}
	}
	return nil
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// readFrom reads a file from off (at most 4 MiB).
func readFrom(path string, off int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(f, 4<<20))
}

// feedPageInfo is what one feed page showed.
type feedPageInfo struct {
	posts, likes, comments, size int
	older                        string // the query of the "Older moments" link, if any
}

// feedPage loads /moments?query as the member and counts what it shows.
func (b *bench) feedPage(ctx context.Context, token, query string) (feedPageInfo, error) {
	path := "/moments"
	if query != "" {
		path += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, "GET", b.srv.base+path, nil)
	if err != nil {
		return feedPageInfo{}, err
	}
	req.Header.Set("Cookie", "plaza_session="+token)
	resp, err := feedHTTP.Do(req)
	if err != nil {
		return feedPageInfo{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return feedPageInfo{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return feedPageInfo{}, fmt.Errorf("GET %s: %s (%s)", path, resp.Status, resp.Header.Get("Location"))
	}
	info := feedPageInfo{size: len(body),
		posts:    bytes.Count(body, []byte(`data-testid="post"`)),
		comments: bytes.Count(body, []byte(`data-testid="comment"`)),
	}
	// The "Older moments" link: <a … href="/moments?QUERY" data-testid="older">.
	if i := bytes.Index(body, []byte(`data-testid="older"`)); i >= 0 {
		tag := body[:i]
		if j := bytes.LastIndex(tag, []byte(`href="/moments?`)); j >= 0 {
			q := tag[j+len(`href="/moments?`):]
			if k := bytes.IndexByte(q, '"'); k >= 0 {
				info.older = html.UnescapeString(string(q[:k]))
			}
		}
	}
	// Likers: the member links inside each likes line.
	for rest := body; ; {
		i := bytes.Index(rest, []byte(`data-testid="likes"`))
		if i < 0 {
			break
		}
		rest = rest[i:]
		end := bytes.Index(rest, []byte("</p>"))
		if end < 0 {
			break
		}
		info.likes += bytes.Count(rest[:end], []byte(`href="/u/`))
		rest = rest[end:]
	}
	return info, nil
}

// friendCounts reads every accepted friendship (superuser list API, 1,000
// a page, keyset by id) and returns each member's friend count, by member
// index, and the number of friendships.
func (b *bench) friendCounts(ctx context.Context, ds *dataset) ([]int, int, error) {
	counts := make([]int, len(ds.members))
	total := 0
	last := ""
	for range 10000 {
		var out struct {
			Items []struct {
				ID        string `json:"id"`
				Requester string `json:"requester"`
				Addressee string `json:"addressee"`
			} `json:"items"`
		}
		filter := fmt.Sprintf("state = 'accepted' && id > %q", last)
		path := "/api/collections/friendships/records?perPage=1000&skipTotal=1&sort=id&fields=id,requester,addressee" +
			"&filter=" + url.QueryEscape(filter)
		if err := b.api(ctx, "GET", path, b.su, nil, &out); err != nil {
			return nil, 0, err
		}
		for _, f := range out.Items {
			total++
			if i, ok := ds.byID[f.Requester]; ok {
				counts[i]++
			}
			if i, ok := ds.byID[f.Addressee]; ok {
				counts[i]++
			}
		}
		if len(out.Items) < 1000 {
			return counts, total, nil
		}
		last = out.Items[len(out.Items)-1].ID
	}
	return nil, 0, fmt.Errorf("friendships: more than 10,000 pages")
}

// getRaw is a GET of the running server's path with a bounded body.
func (b *bench) getRaw(ctx context.Context, path, auth string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", b.srv.base+path, nil)
	if err != nil {
		return nil, err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := feedHTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(raw[:min(len(raw), 300)]))
	}
	return raw, nil
}
