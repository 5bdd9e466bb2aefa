package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

type report struct {
	machine           machine
	seedSmall         seedSummary
	seedBig           seedSummary
	s1Plaza, s1PB     *phaseResult
	s2Plaza, s2PB     *phaseResult
	sustain           *sustainResult
	feed              *feedResult
	elapsed           time.Duration
	partial           bool
	pass, miss, unjud int
}

// Targets from the issue.
const (
	targetS1P99     = 50 * time.Millisecond
	targetS1VsPB    = 0.5
	targetS2P99     = 300 * time.Millisecond
	targetIdleKiB   = 40.0
	targetSendsPerS = 3000.0
	targetS1Members = 1000
	targetS2Members = 5000
	targetFeedVsPB  = 1.0
	targetFeedP99   = 250 * time.Millisecond
	targetFeedPosts = 20000
	targetFeedFrnds = 200
)

// percentile is the nearest-rank percentile (0 for no samples).
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// quant is a latency quantile; lower means missing deliveries made it only
// a lower bound (they count at how long they had waited when the drain ended).
type quant struct {
	d     time.Duration
	lower bool
	ok    bool
}

func (q quant) String() string {
	switch {
	case !q.ok:
		return "—"
	case q.lower:
		return "≥ " + fmtMs(q.d)
	}
	return fmtMs(q.d)
}

// censoredQuantile is the nearest-rank quantile (q = 1: the maximum) of the
// delivered latencies together with the missing ones' lower bounds.
func censoredQuantile(lat, cens []time.Duration, q float64) quant {
	type sample struct {
		d        time.Duration
		censored bool
	}
	all := make([]sample, 0, len(lat)+len(cens))
	for _, d := range lat {
		all = append(all, sample{d, false})
	}
	for _, d := range cens {
		all = append(all, sample{d, true})
	}
	if len(all) == 0 {
		return quant{}
	}
	slices.SortFunc(all, func(a, b sample) int { return int(a.d - b.d) })
	i := len(all) - 1
	if q < 1 {
		i = min(max(int(math.Ceil(q*float64(len(all))))-1, 0), len(all)-1)
	}
	pick := all[i]
	lower := pick.censored
	for _, c := range cens {
		lower = lower || c < pick.d
	}
	return quant{d: pick.d, lower: lower, ok: true}
}

func (r *phaseResult) quant(q float64) quant { return censoredQuantile(r.lat, r.censored, q) }

func (r *phaseResult) quantile(q float64) string { return r.quant(q).String() }

// quantRatio is a ÷ b, with the direction a bound allows.
func quantRatio(a, b quant) string {
	if !a.ok || !b.ok || b.d == 0 {
		return "—"
	}
	r := ratio(float64(a.d), float64(b.d))
	switch {
	case a.lower && b.lower:
		return "?"
	case b.lower:
		return "≤ " + r
	case a.lower:
		return "≥ " + r
	}
	return r
}

func maxDur(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return slices.Max(d)
}

func fmtMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f s", ms/1000)
	}
}

// fmtCPU shows average cores used by the server, the bench client and
// anything else on the machine (other > 0.1 means the run was disturbed).
func fmtCPU(u cpuUse) string {
	if !u.ok {
		return "?"
	}
	s := fmt.Sprintf("%.2f / %.2f / %.2f", u.server, u.bench, u.other)
	if u.steal >= 0.05 {
		s += fmt.Sprintf(" (+%.2f stolen)", u.steal)
	}
	return s
}

func fmtMiB(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func fmtMiB3(a, b, c uint64) string {
	const m = 1 << 20
	return fmt.Sprintf("%.1f / %.1f / %.1f MiB", float64(a)/m, float64(b)/m, float64(c)/m)
}

func fmtInt(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a/b) {
		return "—"
	}
	r := a / b
	switch {
	case r < 0.01:
		return fmt.Sprintf("%.2g×", r)
	case r < 0.1:
		return fmt.Sprintf("%.3f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func pct(a, b int64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(a)/float64(b))
}

// perMember is the server RSS growth per connected member, in KiB.
func (r *phaseResult) perMember() float64 {
	if r == nil || r.connected == 0 {
		return math.NaN()
	}
	return float64(r.rssIdle-r.rss0) / float64(r.connected) / 1024
}

// coldPerMember is perMember against the server before the warm-up round.
func (r *phaseResult) coldPerMember() float64 {
	if r == nil || r.connected == 0 {
		return math.NaN()
	}
	return float64(r.rssIdle-r.rssCold) / float64(r.connected) / 1024
}

func (r *phaseResult) heapPerMember() float64 {
	if r == nil || r.connected == 0 {
		return math.NaN()
	}
	return (float64(r.heapIdle) - float64(r.heap0)) / float64(r.connected) / 1024
}

func (r *phaseResult) perfect() bool {
	return r.expected > 0 && r.delivered == r.expected && r.dups == 0 && r.order == 0 &&
		r.wrongRoom == 0 && r.reloads == 0 && r.earlyClosed == 0
}

type table struct{ w io.Writer }

func (t table) row(label string, vals ...string) {
	line := fmt.Sprintf("  %-36s", label)
	for _, v := range vals {
		line += " " + padRight(v, 28)
	}
	fmt.Fprintln(t.w, strings.TrimRight(line, " "))
}

// padRight pads to n runes (the report uses a few non-ASCII symbols).
func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func col(r *phaseResult, f func(*phaseResult) string) string {
	if r == nil {
		return "not measured"
	}
	return f(r)
}

// print writes the report and returns how many targets were missed.
func (rep *report) print(w io.Writer, c config) int {
	m := rep.machine
	line := strings.Repeat("=", 96)
	fmt.Fprintln(w, line)
	fmt.Fprintln(w, "Plaza chat realtime benchmark (make bench)")
	if c.quick {
		fmt.Fprintln(w, "QUICK RUN: smaller than the targets; PASS/MISS lines are indicative only")
	}
	if rep.partial {
		fmt.Fprintln(w, "PARTIAL: the run stopped early (see the error on stderr); what was measured:")
	}
	fmt.Fprintln(w, line)
	fmt.Fprintf(w, "Machine  %s, %d cores, %s RAM, Linux %s\n", m.cpu, m.cores, m.memTotal, m.kernel)
	fmt.Fprintf(w, "Go       %s; PocketBase %s; open-files limit %d; load average at start %s\n", m.goVersion, m.pbVersion, m.fdLimit, m.load)
	fmt.Fprintln(w, "Setup    every phase on a freshly started `plaza serve --dev=false` on 127.0.0.1, the bench")
	fmt.Fprintln(w, "         client on the same machine; PocketBase's per-IP rate limiter off, Plaza's per-member")
	fmt.Fprintln(w, "         send limiter on. Both systems measured on the same sends (Plaza's POST route; PocketBase")
	fmt.Fprintln(w, "         realtime broadcasts the records it saves), in separate phases with the same plan.")
	fmt.Fprintln(w, "         Latency = delivery read by the member's stream − send request start, per delivery.")
	for _, s := range []struct {
		name string
		s    seedSummary
	}{{"small", rep.seedSmall}, {"big", rep.seedBig}} {
		if s.s.members == 0 {
			continue
		}
		fmt.Fprintf(w, "Data     %s: %s members, %s groups (avg %.1f members), %s direct rooms; seeded in %.1f s\n",
			s.name, fmtInt(int64(s.s.members)), fmtInt(int64(s.s.groups)), s.s.avgGroup, fmtInt(int64(s.s.directs)), s.s.took.Seconds())
	}

	if rep.s1Plaza != nil {
		rep.scenario(w, c, "Scenario 1", rep.s1Plaza, rep.s1PB)
		p, pb := rep.s1Plaza, rep.s1PB
		p99 := p.quant(0.99)
		rep.target(w, c, p.members >= targetS1Members, p99.ok && !p99.lower && p99.d <= targetS1P99,
			fmt.Sprintf("p99 send→delivery ≤ %s at %s members", fmtMs(targetS1P99), fmtInt(targetS1Members)), p99.String())
		if pb != nil {
			pb99 := pb.quant(0.99)
			rep.target(w, c, p.members >= targetS1Members,
				p99.ok && !p99.lower && pb99.ok && float64(p99.d) <= targetS1VsPB*float64(pb99.d),
				"p99 ≤ ½ PocketBase realtime p99 (same run)",
				fmt.Sprintf("%s vs %s: %s", p99, pb99, quantRatio(p99, pb99)))
		}
		rep.target(w, c, p.members >= targetS1Members, p.perfect(),
			"100% delivered, 0 duplicates, 0 order violations",
			fmt.Sprintf("%s/%s, %d dup, %d order", fmtInt(p.delivered), fmtInt(p.expected), p.dups, p.order))
	}
	if rep.s2Plaza != nil {
		rep.scenario(w, c, "Scenario 2", rep.s2Plaza, rep.s2PB)
		p := rep.s2Plaza
		p99 := p.quant(0.99)
		rep.target(w, c, p.members >= targetS2Members, p99.ok && !p99.lower && p99.d <= targetS2P99,
			fmt.Sprintf("p99 send→delivery ≤ %s at %s members", fmtMs(targetS2P99), fmtInt(targetS2Members)), p99.String())
		rep.target(w, c, p.members >= targetS2Members, p.expected > 0 && p.delivered == p.expected,
			"100% delivered", fmt.Sprintf("%s/%s", fmtInt(p.delivered), fmtInt(p.expected)))
	}
	if rep.s1Plaza != nil || rep.s2Plaza != nil {
		rep.idle(w, c)
	}
	if rep.sustain != nil {
		rep.sustained(w, c)
	}
	if rep.feed != nil {
		rep.feedSection(w, c)
	}

	fmt.Fprintln(w, line)
	verdict := fmt.Sprintf("Targets: %d PASS, %d MISS", rep.pass, rep.miss)
	if rep.unjud > 0 {
		verdict += fmt.Sprintf(", %d not judged (run smaller than the target)", rep.unjud)
	}
	if c.quick {
		verdict += " — quick run, indicative only"
	}
	if rep.elapsed > 0 {
		verdict += fmt.Sprintf(". Run took %s.", rep.elapsed.Round(time.Second))
	}
	fmt.Fprintln(w, verdict)
	fmt.Fprintln(w, line)
	return rep.miss
}

// target prints one PASS/MISS line; judged is false when the run is smaller
// than what the target is about.
func (rep *report) target(w io.Writer, c config, judged, ok bool, what, got string) {
	tag := "MISS"
	if ok {
		tag = "PASS"
	}
	switch {
	case !judged || c.quick:
		rep.unjud++
		tag = "(" + tag + ")"
	case ok:
		rep.pass++
	default:
		rep.miss++
	}
	fmt.Fprintf(w, "  %-6s %-58s %s\n", tag, what, got)
}

func (rep *report) scenario(w io.Writer, c config, title string, p, pb *phaseResult) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%s — %s connected members, %d msg/s open loop for %s (%s sends over %s rooms)\n",
		title, fmtInt(int64(p.members)), p.rate, p.window, fmtInt(int64(p.planned)), fmtInt(int64(p.rooms)))
	if pb != nil && pb.window != p.window {
		fmt.Fprintf(w, "  (PocketBase: the first %s of the same plan, %s sends, to keep the run bounded)\n", pb.window, fmtInt(int64(pb.planned)))
	}
	t := table{w: w}
	ratioCol := func(f func(*phaseResult) float64) string {
		if pb == nil {
			return ""
		}
		return ratio(f(p), f(pb))
	}
	t.row("", p.kind.String(), col(pb, func(r *phaseResult) string { return r.kind.String() }), "Plaza ÷ PocketBase")
	for _, q := range []struct {
		name string
		q    float64
	}{{"send→delivery p50", 0.5}, {"send→delivery p99", 0.99}, {"send→delivery max", 1}} {
		r := ""
		if pb != nil {
			r = quantRatio(p.quant(q.q), pb.quant(q.q))
		}
		t.row(q.name, p.quantile(q.q), col(pb, func(x *phaseResult) string { return x.quantile(q.q) }), r)
	}
	deliv := func(r *phaseResult) string {
		return fmt.Sprintf("%s/%s (%s)", fmtInt(r.delivered), fmtInt(r.expected), pct(r.delivered, r.expected))
	}
	t.row("delivered / expected", deliv(p), col(pb, deliv))
	msgs := func(r *phaseResult) string {
		return fmt.Sprintf("%s/%s", fmtInt(int64(r.fullyDeliveredMessages)), fmtInt(int64(r.acked+r.unanswered)))
	}
	t.row("messages reaching all their members", msgs(p), col(pb, msgs))
	num := func(f func(*phaseResult) int) func(*phaseResult) string {
		return func(r *phaseResult) string { return fmtInt(int64(f(r))) }
	}
	t.row("duplicates", num(func(r *phaseResult) int { return r.dups })(p), col(pb, num(func(r *phaseResult) int { return r.dups })))
	t.row("order violations", num(func(r *phaseResult) int { return r.order })(p), col(pb, num(func(r *phaseResult) int { return r.order })))
	drops := func(r *phaseResult) string { return fmt.Sprintf("%d / %d", r.reloads, r.earlyClosed) }
	t.row("streams dropped (reload / closed)", drops(p), col(pb, drops))
	odd := func(r *phaseResult) string { return fmt.Sprintf("%d / %d", r.wrongRoom, r.stray) }
	t.row("wrong-room / unparsed events", odd(p), col(pb, odd))
	drain := func(r *phaseResult) string {
		s := fmtMs(r.drainTook)
		if !r.drained {
			s += fmt.Sprintf(" (gave up after %s)", c.drain)
		}
		return s
	}
	t.row("last delivery after last send", drain(p), col(pb, drain))
	sends := func(r *phaseResult) string {
		s := fmt.Sprintf("%s/%s acked", fmtInt(int64(r.acked)), fmtInt(int64(r.planned)))
		if r.refused > 0 {
			s += fmt.Sprintf(", %d×429", r.refused)
		}
		if r.failed > 0 {
			s += fmt.Sprintf(", %d failed", r.failed)
		}
		if r.unanswered > 0 {
			s += fmt.Sprintf(", %d unanswered", r.unanswered)
		}
		if r.skipped > 0 {
			s += fmt.Sprintf(", %d skipped", r.skipped)
		}
		return s
	}
	t.row("sends", sends(p), col(pb, sends))
	ack := func(r *phaseResult) string {
		return fmt.Sprintf("%s / %s", fmtMs(percentile(r.ackLat, 0.5)), fmtMs(percentile(r.ackLat, 0.99)))
	}
	t.row("send acknowledged p50 / p99", ack(p), col(pb, ack))
	rate := func(r *phaseResult) string { return fmt.Sprintf("%.1f/s", r.achievedRate) }
	t.row("dispatch rate achieved", rate(p), col(pb, rate))
	conn := func(r *phaseResult) string {
		s := fmt.Sprintf("%s in %.1f s", fmtInt(int64(r.connected)), r.connectTook.Seconds())
		if r.connectFails > 0 {
			s += fmt.Sprintf(" (%d failed)", r.connectFails)
		}
		return s
	}
	t.row("members connected", conn(p), col(pb, conn))
	t.row("CPU cores: server / bench / other", fmtCPU(p.cpu), col(pb, func(r *phaseResult) string { return fmtCPU(r.cpu) }))
	rss := func(r *phaseResult) string { return fmtMiB3(uint64(r.rss0), uint64(r.rssIdle), uint64(r.rssPeak)) }
	t.row("server RSS none / idle / peak", rss(p), col(pb, rss), ratioCol(func(r *phaseResult) float64 { return float64(r.rssPeak) }))
	gor := func(r *phaseResult) string {
		return fmt.Sprintf("%s / %s / %s", fmtInt(int64(r.gor0)), fmtInt(int64(r.gorIdle)), fmtInt(int64(r.gorPeak)))
	}
	t.row("goroutines none / idle / peak", gor(p), col(pb, gor), ratioCol(func(r *phaseResult) float64 { return float64(r.gorPeak) }))
	heap := func(r *phaseResult) string { return fmtMiB3(r.heap0, r.heapIdle, r.heapPeak) }
	t.row("Go heap in use none / idle / peak", heap(p), col(pb, heap))
	if p.kind == plazaKind {
		t.row("Plaza live tabs (idle)", fmtInt(int64(p.tabs)))
	}
	if p.connectErr != "" {
		fmt.Fprintf(w, "  Plaza connect error: %s\n", p.connectErr)
	}
	if pb != nil && pb.connectErr != "" {
		fmt.Fprintf(w, "  PocketBase connect error: %s\n", pb.connectErr)
	}
	if p.sendErr != "" {
		fmt.Fprintf(w, "  Plaza phase send error: %s\n", p.sendErr)
	}
	if pb != nil && pb.sendErr != "" {
		fmt.Fprintf(w, "  PocketBase phase send error: %s\n", pb.sendErr)
	}
	for _, r := range []*phaseResult{p, pb} {
		if r != nil && r.unackedDelivered > 0 {
			fmt.Fprintf(w, "  %s: %d deliveries of sends the server refused\n", r.kind, r.unackedDelivered)
		}
		if r != nil && !r.drained {
			fmt.Fprintf(w, "  %s: not everything arrived within %s of the last send; missing deliveries count in the\n", r.kind, c.drain)
			fmt.Fprintln(w, "  percentiles at how long they had waited by then, so those figures are lower bounds (≥).")
			if r.unanswered > 0 {
				fmt.Fprintln(w, "  Unanswered sends (cancelled when the drain ended) stay expected: the server still commits them.")
			}
		}
	}
}

func (rep *report) idle(w io.Writer, c config) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Idle memory per connected member — server RSS with every member's stream open (%s settle)\n", c.settle)
	fmt.Fprintln(w, "minus RSS with none, after every member loaded /chats once (warms SQLite caches and heap alike for")
	fmt.Fprintln(w, "both systems), ÷ members (KiB = 1,024 bytes; Go heap growth alongside; \"cold\": against the fresh server)")
	t := table{w: w}
	t.row("", "Plaza /events", "PocketBase /api/realtime", "Plaza ÷ PocketBase")
	show := func(r *phaseResult) string {
		if r == nil {
			return "not measured"
		}
		return fmt.Sprintf("%.1f KiB (heap %.1f, cold %.1f)", r.perMember(), r.heapPerMember(), r.coldPerMember())
	}
	for _, pair := range [][2]*phaseResult{{rep.s1Plaza, rep.s1PB}, {rep.s2Plaza, rep.s2PB}} {
		p, pb := pair[0], pair[1]
		if p == nil {
			continue
		}
		r := ""
		if pb != nil {
			r = ratio(p.perMember(), pb.perMember())
		}
		t.row(fmtInt(int64(p.connected))+" members", show(p), show(pb), r)
	}
	// Judge on the largest sample (the most precise).
	p := rep.s1Plaza
	if p == nil || (rep.s2Plaza != nil && rep.s2Plaza.connected > p.connected) {
		p = rep.s2Plaza
	}
	rep.target(w, c, p.connected >= targetS1Members, p.perMember() <= targetIdleKiB,
		fmt.Sprintf("≤ %.0f KB per idle connected member (%s members)", targetIdleKiB, fmtInt(int64(p.connected))),
		fmt.Sprintf("%.1f KiB", p.perMember()))
}

func (rep *report) sustained(w io.Writer, c config) {
	s := rep.sustain
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Sustained acknowledged sends — closed loop, %d in flight, %s measured after 1 s warm-up,\n", s.plaza.concurrency, s.plaza.window)
	fmt.Fprintf(w, "cycling over %s members (no stream open; %s messages stored before); reference: PocketBase JSON\n", fmtInt(int64(s.members)), fmtInt(int64(s.stored)))
	fmt.Fprintln(w, "create on a plain base collection (text fields, open create rule), members' auth tokens on both")
	t := table{w: w}
	t.row("", "Plaza send (form POST)", "PocketBase create (JSON)", "Plaza ÷ PocketBase")
	t.row("acknowledged per second", fmt.Sprintf("%.0f/s", s.plaza.rate), fmt.Sprintf("%.0f/s", s.pb.rate), ratio(s.plaza.rate, s.pb.rate))
	lat := func(x throughput) string {
		return fmt.Sprintf("%s / %s / %s", fmtMs(percentile(x.lat, 0.5)), fmtMs(percentile(x.lat, 0.99)), fmtMs(maxDur(x.lat)))
	}
	t.row("answer p50 / p99 / max", lat(s.plaza), lat(s.pb))
	errs := func(x throughput) string { return fmt.Sprintf("%d / %d", x.refused, x.failed) }
	t.row("refused (429) / failed", errs(s.plaza), errs(s.pb))
	res := func(x throughput) string { return fmt.Sprintf("%s / %s", fmtMiB(x.rssPeak), fmtInt(int64(x.gorPeak))) }
	t.row("server RSS / goroutines peak", res(s.plaza), res(s.pb))
	t.row("CPU cores: server / bench / other", fmtCPU(s.plaza.cpu), fmtCPU(s.pb.cpu))
	if s.plaza.firstErr != "" {
		fmt.Fprintf(w, "  Plaza error: %s\n", s.plaza.firstErr)
	}
	if s.pb.firstErr != "" {
		fmt.Fprintf(w, "  PocketBase error: %s\n", s.pb.firstErr)
	}
	rep.target(w, c, true, s.plaza.rate >= targetSendsPerS,
		fmt.Sprintf("≥ %s acknowledged sends/s", fmtInt(int64(targetSendsPerS))),
		fmt.Sprintf("%.0f/s (%s PocketBase creates)", s.plaza.rate, ratio(s.plaza.rate, s.pb.rate)))
}

func (rep *report) feedSection(w io.Writer, c config) {
	f := rep.feed
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Moments feed — closed loop, %d in flight, %s measured after 1 s warm-up, each system on a fresh server\n", f.plaza.concurrency, f.plaza.window)
	fmt.Fprintf(w, "Data     %s members, %s friendships, %s posts (%s likes, %s comments, no photos); seeded in %.1f s\n",
		fmtInt(int64(f.members)), fmtInt(int64(f.friendships)), fmtInt(int64(f.posts)), fmtInt(int64(f.likes)), fmtInt(int64(f.comments)), f.seedTook.Seconds())
	fmt.Fprintf(w, "Plaza    GET /moments (session cookie, HTML page 1), cycling over the first %s members: %.1f friends\n", fmtInt(int64(f.users)), f.avgFriends)
	fmt.Fprintf(w, "         on average (%d–%d); a page showed %.1f posts, %.1f likes, %.1f comments on average (what the\n", f.minFriends, f.maxFriends, f.shownPosts, f.shownLikes, f.shownComments)
	fmt.Fprintf(w, "         privacy rules let each viewer see); up to %s of HTML\n", fmtBytes(f.plazaBytes))
	fmt.Fprintf(w, "Ref.     PocketBase GET %s (%s of JSON),\n", feedListPath, fmtBytes(f.pbBytes))
	fmt.Fprintln(w, "         the same request every time, as SUPERUSER: posts has no API rules (moments privacy lives in")
	fmt.Fprintln(w, "         Plaza's pages), so the reference evaluates no rule, filters nothing by viewer and loads no likes,")
	fmt.Fprintln(w, "         comments or names — all of which favours it")
	t := table{w: w}
	t.row("", "Plaza GET /moments", "PocketBase list API", "Plaza ÷ PocketBase")
	t.row("requests per second", fmt.Sprintf("%.0f/s", f.plaza.rate), fmt.Sprintf("%.0f/s", f.pb.rate), ratio(f.plaza.rate, f.pb.rate))
	for _, q := range []struct {
		name string
		q    float64
	}{{"answer p50", 0.5}, {"answer p99", 0.99}, {"answer max", 1}} {
		a, b := percentile(f.plaza.lat, q.q), percentile(f.pb.lat, q.q)
		t.row(q.name, fmtMs(a), fmtMs(b), ratio(float64(a), float64(b)))
	}
	errs := func(x throughput) string { return fmt.Sprintf("%d / %d", x.refused, x.failed) }
	t.row("refused (429) / failed", errs(f.plaza), errs(f.pb))
	res := func(x throughput) string { return fmt.Sprintf("%s / %s", fmtMiB(x.rssPeak), fmtInt(int64(x.gorPeak))) }
	t.row("server RSS / goroutines peak", res(f.plaza), res(f.pb))
	t.row("CPU cores: server / bench / other", fmtCPU(f.plaza.cpu), fmtCPU(f.pb.cpu))
	perReq := func(x throughput) float64 {
		if x.rate == 0 || !x.cpu.ok {
			return math.NaN()
		}
		return 1000 * x.cpu.server / x.rate
	}
	show := func(ms float64) string {
		if math.IsNaN(ms) {
			return "?"
		}
		return fmt.Sprintf("%.2f ms", ms)
	}
	t.row("server CPU per request", show(perReq(f.plaza)), show(perReq(f.pb)), ratio(perReq(f.plaza), perReq(f.pb)))
	if f.plaza.firstErr != "" {
		fmt.Fprintf(w, "  Plaza error: %s\n", f.plaza.firstErr)
	}
	if f.pb.firstErr != "" {
		fmt.Fprintf(w, "  PocketBase error: %s\n", f.pb.firstErr)
	}
	if len(f.flat) > 0 {
		fmt.Fprintln(w, "  Bounded queries: a cold page runs one query each for the visible posts, the viewer's friends, the")
		fmt.Fprintln(w, "  cards (posts, likes, comments) and the people named, plus the tab badges; page 1, cards, friends,")
		fmt.Fprintln(w, "  faces and notice counts are then cached until a change commits (hooks/moments/cache.go). Counted: SQL")
		fmt.Fprintln(w, "  statements one page ran, from a dev-mode server's statement log (3 members a probe, each page's")
		fmt.Fprintln(w, "  second load; \"+n cold\": more on a session's first page). Timed: pages one at a time on the Plaza")
		fmt.Fprintf(w, "  server after its test (up to %d per probe or %s; p50 / p90):\n", feedFlatN, feedFlatBudget)
		t.row("", "p50 / p90", "SQL statements per page", "friends / likes+comments")
		for _, s := range f.flat {
			v := fmt.Sprintf("%s / %s", fmtMs(percentile(s.lat, 0.5)), fmtMs(percentile(s.lat, 0.9)))
			if s.failed > 0 {
				v += fmt.Sprintf(" (%d failed)", s.failed)
			}
			st := make([]string, len(s.stmts))
			for i, n := range s.stmts {
				st[i] = fmt.Sprint(n)
			}
			stmts := strings.Join(st, ", ")
			extra := 0
			for i := range s.cold {
				extra = max(extra, s.cold[i]-s.stmts[i])
			}
			if extra > 0 {
				stmts += fmt.Sprintf(" (+%d cold)", extra)
			}
			t.row(s.label, v, stmts, fmt.Sprintf("%.0f / %.1f", s.friends, s.shown))
		}
	}
	// Judged on the data: 20k posts, members with about 200 friends.
	judged := f.posts >= targetFeedPosts && f.avgFriends >= 0.95*targetFeedFrnds
	rep.target(w, c, judged, f.pb.rate > 0 && f.plaza.rate >= targetFeedVsPB*f.pb.rate,
		fmt.Sprintf("≥ %.1f× PocketBase list API requests/s (%d connections)", targetFeedVsPB, f.plaza.concurrency),
		fmt.Sprintf("%.0f/s vs %.0f/s: %s", f.plaza.rate, f.pb.rate, ratio(f.plaza.rate, f.pb.rate)))
	p99 := percentile(f.plaza.lat, 0.99)
	rep.target(w, c, judged, len(f.plaza.lat) > 0 && f.plaza.failed == 0 && p99 <= targetFeedP99,
		fmt.Sprintf("feed p99 ≤ %s at %d connections, no failures", fmtMs(targetFeedP99), f.plaza.concurrency),
		fmt.Sprintf("%s, %d failed", fmtMs(p99), f.plaza.failed))
}

func fmtBytes(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}
