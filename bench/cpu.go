package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, 100 on Linux (what /proc reports times in).
const clockTicks = 100.0

// cpuSnap is a point-in-time reading of CPU seconds used.
type cpuSnap struct {
	at     time.Time
	server float64 // the plaza server process
	self   float64 // this bench process (its clients)
	busy   float64 // the whole machine, not idle
	steal  float64 // taken by the hypervisor
}

// cpuUse is average cores used between two snapshots.
type cpuUse struct {
	server, bench, other, steal float64
	ok                          bool
}

func (b *bench) cpuNow() cpuSnap {
	s := cpuSnap{at: time.Now()}
	if b.srv != nil {
		s.server = procCPU(b.srv.cmd.Process.Pid)
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	}
	s.busy, s.steal = machineCPU()
	return s
}

func cpuBetween(a, z cpuSnap) cpuUse {
	d := z.at.Sub(a.at).Seconds()
	if d <= 0 || a.busy == 0 {
		return cpuUse{}
	}
	u := cpuUse{
		server: (z.server - a.server) / d,
		bench:  (z.self - a.self) / d,
		steal:  (z.steal - a.steal) / d,
		ok:     true,
	}
	u.other = max(0, (z.busy-a.busy)/d-u.server-u.bench)
	return u
}

// procCPU is a process's user+system CPU seconds.
func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks
}

// machineCPU is the machine's busy and stolen CPU seconds (/proc/stat).
func machineCPU() (busy, steal float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	v := func(i int) float64 { x, _ := strconv.ParseFloat(f[i], 64); return x / clockTicks }
	// user nice system idle iowait irq softirq steal
	return v(1) + v(2) + v(3) + v(6) + v(7), v(8)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
