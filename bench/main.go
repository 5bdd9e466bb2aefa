// Command bench measures Plaza under load (make bench).
//
// It builds the plaza binary, seeds two data dirs (a smaller and a larger
// member base) and then, phase by phase, each on a freshly started server:
//
//   - chat realtime: every member connected over Plaza's /events, an
//     open-loop sender at a fixed rate spread over rooms; then the same
//     members over PocketBase's own /api/realtime (subscribed to "messages")
//     with the very same send plan, as the reference;
//   - idle memory per connected member (server RSS before and after
//     connecting, both systems);
//   - sustained acknowledged sends (closed loop) against PocketBase's JSON
//     create API at the same concurrency;
//   - the moments feed (closed loop, on a third data dir with 20,000 posts):
//     Plaza's server-rendered GET /moments against PocketBase's JSON list API
//     on the same posts at the same concurrency.
//
// All traffic goes to 127.0.0.1; every loop is bounded in count and time.
// The report goes to stdout, progress to stderr. The full run takes about
// five minutes on the 2-core machine; -quick is a smoke run of about a
// minute (smaller member bases, shorter phases, targets not judged), and
// -phases s1,s2,sustain,feed picks parts. BENCH_DEBUG=1 prints events the bench
// could not attribute to a send.
//
//	go run ./bench                    # the full run (make bench)
//	go run ./bench -quick             # smoke run
//	go run ./bench -phases sustain -v # one part, with progress details
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type config struct {
	quick       bool
	small       int           // members in scenario 1
	big         int           // members in scenario 2
	rate        int           // sends per second in the realtime scenarios
	duration    time.Duration // send window of each realtime phase
	bigPBDur    time.Duration // send window of PocketBase at the big scale (it saturates)
	drain       time.Duration // longest wait for late deliveries after the last send
	settle      time.Duration // idle wait after connecting, before reading memory
	pbBig       bool          // also measure PocketBase realtime at the big scale
	sustain     time.Duration // measured window of each throughput test
	concurrency int           // in-flight requests in the sustained-send tests
	feedMembers int           // members in the feed data dir
	feedFriends int           // seed --friends for it (about the average friend count)
	feedPosts   int           // posts per member in it
	feedUsers   int           // members the feed test cycles over
	feedConc    int           // in-flight requests in the feed tests
	bin         string        // a prebuilt plaza binary (skips the build)
	keep        bool          // keep the temp dir
	verbose     bool
	strict      bool // exit 2 when a target is missed
	phases      map[string]bool
}

func main() {
	var c config
	flag.BoolVar(&c.quick, "quick", false, "smoke run (~1 min): fewer members, shorter phases; targets are shown but not judged")
	flag.IntVar(&c.small, "members", 1000, "connected members in scenario 1")
	flag.IntVar(&c.big, "big", 5000, "connected members in scenario 2")
	flag.IntVar(&c.rate, "rate", 50, "messages per second in the realtime scenarios (open loop)")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "send window of each realtime phase")
	flag.DurationVar(&c.bigPBDur, "big-pb-duration", 10*time.Second, "send window of PocketBase realtime at the big scale")
	flag.DurationVar(&c.drain, "drain", 20*time.Second, "longest wait for late deliveries after the last send")
	flag.DurationVar(&c.settle, "settle", 5*time.Second, "idle wait after connecting everyone, before reading memory")
	flag.BoolVar(&c.pbBig, "big-pb", true, "also measure PocketBase realtime at the big scale")
	flag.DurationVar(&c.sustain, "sustain", 10*time.Second, "measured window of each closed-loop test (sustained sends, feed)")
	flag.IntVar(&c.concurrency, "concurrency", 128, "in-flight requests in the sustained-send tests")
	flag.IntVar(&c.feedMembers, "feed-members", 1000, "members in the feed data dir")
	flag.IntVar(&c.feedFriends, "feed-friends", 224, "seed --friends for the feed data dir (224 gives about 200 friends each)")
	flag.IntVar(&c.feedPosts, "feed-posts", 20, "posts per member in the feed data dir")
	flag.IntVar(&c.feedUsers, "feed-users", 200, "members the feed test cycles over")
	flag.IntVar(&c.feedConc, "feed-concurrency", 64, "in-flight requests in the feed tests")
	flag.StringVar(&c.bin, "bin", "", "use this plaza binary instead of building one")
	flag.BoolVar(&c.keep, "keep", false, "keep the temp dir (data dirs, manifests, server logs)")
	flag.BoolVar(&c.verbose, "v", false, "progress details on stderr")
	flag.BoolVar(&c.strict, "strict", false, "exit with status 2 when a target is missed")
	phases := flag.String("phases", "s1,s2,sustain,feed", "which parts to run: s1 (scenario 1), s2 (scenario 2), sustain, feed")
	flag.Parse()
	c.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.phases[p] = true
		}
	}
	if c.quick {
		setIfDefault("members", &c.small, 200)
		setIfDefault("big", &c.big, 600)
		setIfDefault("duration", &c.duration, 5*time.Second)
		setIfDefault("big-pb-duration", &c.bigPBDur, 3*time.Second)
		setIfDefault("drain", &c.drain, 5*time.Second)
		setIfDefault("settle", &c.settle, 2*time.Second)
		setIfDefault("sustain", &c.sustain, 3*time.Second)
		setIfDefault("feed-members", &c.feedMembers, 300)
		setIfDefault("feed-friends", &c.feedFriends, 60)
		setIfDefault("feed-posts", &c.feedPosts, 10)
		setIfDefault("feed-users", &c.feedUsers, 100)
	}
	if err := c.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, c)
	stop()
	os.Exit(code)
}

// setIfDefault applies a -quick value unless the flag was given explicitly.
func setIfDefault[T any](name string, p *T, v T) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if !set {
		*p = v
	}
}

func (c config) validate() error {
	switch {
	case c.small < 10 || c.small > 20000:
		return errors.New("-members must be between 10 and 20000")
	case c.big < 10 || c.big > 20000:
		return errors.New("-big must be between 10 and 20000")
	case c.rate < 1 || c.rate > 2000:
		return errors.New("-rate must be between 1 and 2000")
	case c.duration < time.Second || c.duration > 5*time.Minute:
		return errors.New("-duration must be between 1s and 5m")
	case c.bigPBDur < time.Second || c.bigPBDur > 5*time.Minute:
		return errors.New("-big-pb-duration must be between 1s and 5m")
	case c.drain < time.Second || c.drain > 2*time.Minute:
		return errors.New("-drain must be between 1s and 2m")
	case c.settle < 0 || c.settle > time.Minute:
		return errors.New("-settle must be between 0 and 1m")
	case c.sustain < time.Second || c.sustain > time.Minute:
		return errors.New("-sustain must be between 1s and 1m")
	case c.concurrency < 1 || c.concurrency > 1024:
		return errors.New("-concurrency must be between 1 and 1024")
	case c.feedMembers < 10 || c.feedMembers > 20000:
		return errors.New("-feed-members must be between 10 and 20000")
	case c.feedFriends < 1 || c.feedFriends > 2*c.feedMembers:
		return errors.New("-feed-friends must be between 1 and twice -feed-members")
	case c.feedPosts < 1 || c.feedPosts > 200:
		return errors.New("-feed-posts must be between 1 and 200")
	case c.feedUsers < 1 || c.feedUsers > c.feedMembers:
		return errors.New("-feed-users must be between 1 and -feed-members")
	case c.feedConc < 1 || c.feedConc > 1024:
		return errors.New("-feed-concurrency must be between 1 and 1024")
	case len(c.phases) == 0:
		return errors.New("-phases: nothing to run")
	}
	for p := range c.phases {
		if p != "s1" && p != "s2" && p != "sustain" && p != "feed" {
			return fmt.Errorf("-phases: unknown part %q (s1, s2, sustain, feed)", p)
		}
	}
	return nil
}

func run(ctx context.Context, c config) int {
	began := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "[%5.1fs] "+format+"\n", append([]any{time.Since(began).Seconds()}, a...)...)
	}
	vlogf := func(format string, a ...any) {
		if c.verbose {
			logf(format, a...)
		}
	}
	if err := raiseFileLimit(2*max(c.small, c.big) + 2048); err != nil {
		logf("warning: %v", err)
	}

	tmp, err := os.MkdirTemp("", "plaza-bench-")
	if err != nil {
		logf("error: %v", err)
		return 1
	}
	defer func() {
		if c.keep {
			logf("kept %s", tmp)
			return
		}
		if err := os.RemoveAll(tmp); err != nil {
			logf("warning: removing %s: %v", tmp, err)
		}
	}()

	b := &bench{cfg: c, tmp: tmp, logf: logf, vlogf: vlogf, began: began}
	defer b.stopServer()
	err = b.run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			logf("interrupted")
		} else {
			logf("error: %v", err)
			if b.srv != nil {
				b.srv.dumpLog(os.Stderr)
			}
		}
		// Whatever was measured so far is still worth showing.
		if b.rep.machine.cpu != "" {
			b.rep.partial = true
			b.rep.print(os.Stdout, c)
		}
		return 1
	}
	b.rep.elapsed = time.Since(began)
	missed := b.rep.print(os.Stdout, c)
	if c.strict && missed > 0 && !c.quick {
		return 2
	}
	return 0
}

// bench holds the state of one run.
type bench struct {
	cfg   config
	tmp   string
	bin   string
	logf  func(string, ...any)
	vlogf func(string, ...any)
	began time.Time
	srv   *server
	su    string // superuser token (valid across restarts of the same data dir)
	rep   report
}

func (b *bench) run(ctx context.Context) error {
	c := b.cfg
	b.rep.machine = machineInfo()
	if c.bin != "" {
		abs, err := filepath.Abs(c.bin)
		if err != nil {
			return err
		}
		b.bin = abs
	} else {
		b.logf("building plaza")
		bin, err := buildPlaza(ctx, b.tmp)
		if err != nil {
			return err
		}
		b.bin = bin
	}
	b.rep.machine.pbVersion = pocketbaseVersion(b.bin)

	var small, big, feed *dataset
	var err error
	if c.phases["s1"] {
		b.logf("seeding %d members", c.small)
		if small, err = b.seed(ctx, "small", c.small); err != nil {
			return err
		}
		b.rep.seedSmall = small.summary
	}
	if c.phases["s2"] || c.phases["sustain"] {
		b.logf("seeding %d members", c.big)
		if big, err = b.seed(ctx, "big", c.big); err != nil {
			return err
		}
		b.rep.seedBig = big.summary
	}
	if c.phases["feed"] {
		b.logf("seeding %d members with %d posts each for the feed", c.feedMembers, c.feedPosts)
		if feed, err = b.seedFeed(ctx); err != nil {
			return err
		}
	}

	// Scenario 1: the smaller base, every member connected, Plaza then PocketBase.
	if c.phases["s1"] {
		sched := makeSchedule(small, c.rate, c.duration, 1)
		if b.rep.s1Plaza, err = b.realtimePhase(ctx, small, plazaKind, sched, c.duration); err != nil {
			return err
		}
		if b.rep.s1PB, err = b.realtimePhase(ctx, small, pbKind, sched, c.duration); err != nil {
			return err
		}
	}

	// Scenario 2: the larger base.
	if c.phases["s2"] {
		sched := makeSchedule(big, c.rate, c.duration, 2)
		if b.rep.s2Plaza, err = b.realtimePhase(ctx, big, plazaKind, sched, c.duration); err != nil {
			return err
		}
		if c.pbBig {
			pbSched := sched.prefix(c.bigPBDur)
			if b.rep.s2PB, err = b.realtimePhase(ctx, big, pbKind, pbSched, c.bigPBDur); err != nil {
				return err
			}
		}
	}

	// Sustained sends vs PocketBase's create API, on the larger base.
	if c.phases["sustain"] {
		if b.rep.sustain, err = b.sustainedPhase(ctx, big); err != nil {
			return err
		}
	}

	// The moments feed vs PocketBase's list API, on its own data dir.
	if c.phases["feed"] {
		if b.rep.feed, err = b.feedPhase(ctx, feed); err != nil {
			return err
		}
	}
	return nil
}
