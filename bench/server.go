package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	suEmail    = "bench@example.org"
	suPassword = "bench-password-123"
)

// repoRoot finds the directory of plaza's go.mod from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module plaza")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the plaza module (no go.mod of module plaza found)")
		}
		dir = parent
	}
}

func buildPlaza(ctx context.Context, tmp string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(tmp, "plaza")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// runPlaza runs a plaza CLI command to completion (bounded).
func (b *bench) runPlaza(ctx context.Context, timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("plaza %s: %v\n%s", args[0], err, out)
	}
	return out, nil
}

// dataset is one seeded data dir and its manifest.
type dataset struct {
	name     string
	dir      string
	members  []member
	rooms    []room
	byID     map[string]int // member id → index
	prepared bool           // superuser made and rate limiter disabled
	summary  seedSummary
}

type member struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Token string `json:"token"`
}

type room struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Members []string `json:"members"`
	idx     []int    // member indexes
}

type seedSummary struct {
	members, groups, directs int
	avgGroup                 float64
	took                     time.Duration
}

// seed makes a chat data dir: n members, n/2 groups of 10, no history.
func (b *bench) seed(ctx context.Context, name string, n int) (*dataset, error) {
	return b.seedWith(ctx, name, n, true, "--friends", "12",
		"--groups", strconv.Itoa(n/2), "--group-size", "10", "--messages", "0")
}

// seedWith runs `plaza seed` for n members with the given extra flags into
// a new data dir, adds the bench superuser and reads the manifest;
// needRooms says the phases on it send messages.
func (b *bench) seedWith(ctx context.Context, name string, n int, needRooms bool, flags ...string) (*dataset, error) {
	dir := filepath.Join(b.tmp, name)
	manifest := filepath.Join(b.tmp, name+".json")
	start := time.Now()
	args := append([]string{"seed", "--dir", dir, "--members", strconv.Itoa(n)}, flags...)
	_, err := b.runPlaza(ctx, 5*time.Minute, append(args, "--manifest", manifest, "--dev=false")...)
	if err != nil {
		return nil, err
	}
	took := time.Since(start)
	if _, err := b.runPlaza(ctx, time.Minute, "superuser", "upsert", suEmail, suPassword, "--dir", dir); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(manifest)
	if err != nil {
		return nil, err
	}
	var m struct {
		Members []member `json:"members"`
		Rooms   []room   `json:"rooms"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", manifest, err)
	}
	if len(m.Members) != n {
		return nil, fmt.Errorf("manifest lists %d members, want %d", len(m.Members), n)
	}
	ds := &dataset{name: name, dir: dir, members: m.Members, byID: map[string]int{}}
	for i, mm := range m.Members {
		if mm.Token == "" {
			return nil, fmt.Errorf("manifest: member %s has no token", mm.ID)
		}
		ds.byID[mm.ID] = i
	}
	groupMembers := 0
	for _, r := range m.Rooms {
		for _, id := range r.Members {
			if i, ok := ds.byID[id]; ok {
				r.idx = append(r.idx, i)
			}
		}
		if len(r.idx) < 2 {
			continue // nobody to talk to
		}
		ds.rooms = append(ds.rooms, r)
		if r.Kind == "group" {
			ds.summary.groups++
			groupMembers += len(r.idx)
		} else {
			ds.summary.directs++
		}
	}
	if needRooms && len(ds.rooms) == 0 {
		return nil, errors.New("the seed made no rooms")
	}
	ds.summary.members = n
	if ds.summary.groups > 0 {
		ds.summary.avgGroup = float64(groupMembers) / float64(ds.summary.groups)
	}
	ds.summary.took = took
	b.vlogf("%s: %d members, %d groups (avg %.1f members), %d direct rooms, seeded in %s",
		name, n, ds.summary.groups, ds.summary.avgGroup, ds.summary.directs, took.Round(time.Millisecond))
	return ds, nil
}

// server is a running plaza serve process.
type server struct {
	cmd  *exec.Cmd
	addr string
	base string
	log  *os.File
	done chan struct{}
	err  error // the process's exit error, once done
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer starts a fresh server on ds and makes it benchmark-ready.
func (b *bench) startServer(ctx context.Context, ds *dataset) error {
	return b.startServerMode(ctx, ds, false)
}

// startServerMode is startServer, optionally in PocketBase's dev mode (which
// logs every SQL statement to the server log, server-NAME-dev.log).
func (b *bench) startServerMode(ctx context.Context, ds *dataset, dev bool) error {
	b.stopServer()
	addr, err := freePort()
	if err != nil {
		return err
	}
	logName := "server-" + ds.name + ".log"
	if dev {
		logName = "server-" + ds.name + "-dev.log"
	}
	logf, err := os.Create(filepath.Join(b.tmp, logName))
	if err != nil {
		return err
	}
	cmd := exec.Command(b.bin, "serve", "--http", addr, "--dir", ds.dir, "--dev="+strconv.FormatBool(dev))
	cmd.Stdout, cmd.Stderr = logf, logf
	// Own process group (a Ctrl-C reaches only the bench, which stops the
	// server itself); killed with the bench if the bench dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	s := &server{cmd: cmd, addr: addr, base: "http://" + addr, log: logf, done: make(chan struct{})}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	b.srv = s

	// Wait for health (bounded).
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-s.done:
			return fmt.Errorf("server exited at start: %v", s.err)
		default:
		}
		resp, err := apiClient.Get(s.base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return errors.New("server not healthy after 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	if b.su == "" || !ds.prepared {
		var out struct {
			Token string `json:"token"`
		}
		err := b.api(ctx, "POST", "/api/collections/_superusers/auth-with-password", "",
			map[string]string{"identity": suEmail, "password": suPassword}, &out)
		if err != nil {
			return fmt.Errorf("superuser sign-in: %w", err)
		}
		b.su = out.Token
	}
	if !ds.prepared {
		// PocketBase's per-IP limiter would throttle a benchmark from one
		// address; Plaza's per-member send limiter stays on.
		if err := b.api(ctx, "PATCH", "/api/settings", b.su, map[string]any{"rateLimits": map[string]any{"enabled": false}}, nil); err != nil {
			return fmt.Errorf("disabling the rate limiter: %w", err)
		}
		ds.prepared = true
	}
	return nil
}

// stopServer ends the server (SIGTERM, then SIGKILL after 15 s).
func (b *bench) stopServer() {
	s := b.srv
	if s == nil {
		return
	}
	b.srv = nil
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			b.logf("warning: server did not stop in 15s; killing it")
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	}
	s.log.Close()
}

// dumpLog prints the tail of the server log.
func (s *server) dumpLog(w io.Writer) {
	b, err := os.ReadFile(s.log.Name())
	if err != nil || len(b) == 0 {
		return
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	fmt.Fprintf(w, "--- server log (tail) ---\n%s\n---\n", b)
}

func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// rss is the server's resident set size in bytes (VmRSS).
func (s *server) rss() int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(v)
			if len(fields) > 0 {
				kb, _ := strconv.ParseInt(fields[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

type plazaStats struct {
	Goroutines int    `json:"goroutines"`
	LiveTabs   int    `json:"live_tabs"`
	HeapBytes  uint64 `json:"heap_bytes"`
}

func (b *bench) stats(ctx context.Context) (plazaStats, error) {
	var st plazaStats
	err := b.api(ctx, "GET", "/api/plaza/stats", b.su, nil, &st)
	return st, err
}

// apiClient is for setup and stats requests (not the measured traffic).
var apiClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}

// api sends a JSON request to the running server and decodes a JSON answer.
func (b *bench) api(ctx context.Context, method, path, auth string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.srv.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(raw))
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// raiseFileLimit lifts RLIMIT_NOFILE (inherited by the server) to at least
// want, or to the hard limit.
func raiseFileLimit(want int) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return err
	}
	if rl.Cur >= uint64(want) {
		return nil
	}
	rl.Cur = min(rl.Max, max(uint64(want), rl.Cur))
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return err
	}
	if rl.Cur < uint64(want) {
		return fmt.Errorf("open files limited to %d (want %d): the big scenario may fail to connect everyone", rl.Cur, want)
	}
	return nil
}

type machine struct {
	cpu       string
	cores     int
	memTotal  string
	kernel    string
	goVersion string
	pbVersion string
	fdLimit   uint64
	load      string // load average when the run began
}

func machineInfo() machine {
	m := machine{cores: runtime.NumCPU(), goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, load: loadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if m.cpu == "" {
		m.cpu = "unknown CPU"
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					kb, _ := strconv.ParseFloat(f[0], 64)
					m.memTotal = fmt.Sprintf("%.1f GiB", kb/(1<<20))
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		m.fdLimit = rl.Cur
	}
	return m
}

func pocketbaseVersion(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "?"
	}
	for _, d := range info.Deps {
		if d.Path == "github.com/pocketbase/pocketbase" {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "?"
}
