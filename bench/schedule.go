package main

import (
	"math/rand/v2"
	"time"
)

// send is one planned message: a member sends it to one of their rooms.
type send struct {
	room   int // index in dataset.rooms
	sender int // index in dataset.members
}

// schedule is an open-loop plan: sends[i] is due at i/rate seconds.
type schedule struct {
	rate  int
	sends []send
	rooms int // distinct rooms used
}

// Plaza lets a member send a burst of 20, then 3 a second; the plan keeps
// every member well inside that.
const (
	planBurst = 10.0
	planRate  = 2.0 // per second
)

// makeSchedule spreads rate·d sends over the dataset's rooms (shuffled,
// round robin), each from a member of the room whose send budget allows it.
// The same seed gives the same plan, so Plaza and PocketBase see the same load.
func makeSchedule(ds *dataset, rate int, d time.Duration, seed uint64) schedule {
	rng := rand.New(rand.NewPCG(seed, 7))
	n := int(float64(rate) * d.Seconds())
	order := rng.Perm(len(ds.rooms))
	type budget struct {
		tokens float64
		at     float64
	}
	budgets := make([]budget, len(ds.members))
	for i := range budgets {
		budgets[i] = budget{tokens: planBurst}
	}
	take := func(m int, now float64) bool {
		b := &budgets[m]
		b.tokens = min(planBurst, b.tokens+(now-b.at)*planRate)
		b.at = now
		if b.tokens < 1 {
			return false
		}
		b.tokens--
		return true
	}
	s := schedule{rate: rate}
	used := map[int]bool{}
	next := 0
	for i := 0; i < n; i++ {
		now := float64(i) / float64(rate)
		// Bounded: at most one pass over the rooms per send.
		for tries := 0; tries < len(order); tries++ {
			r := order[next%len(order)]
			next++
			members := ds.rooms[r].idx
			start := rng.IntN(len(members))
			picked := -1
			for k := 0; k < len(members); k++ {
				m := members[(start+k)%len(members)]
				if take(m, now) {
					picked = m
					break
				}
			}
			if picked >= 0 {
				s.sends = append(s.sends, send{room: r, sender: picked})
				used[r] = true
				break
			}
		}
	}
	s.rooms = len(used)
	return s
}

// prefix is the plan's first d worth of sends.
func (s schedule) prefix(d time.Duration) schedule {
	n := min(len(s.sends), int(float64(s.rate)*d.Seconds()))
	p := schedule{rate: s.rate, sends: s.sends[:n]}
	used := map[int]bool{}
	for _, x := range p.sends {
		used[x.room] = true
	}
	p.rooms = len(used)
	return p
}

// senderRooms gives every member one room of theirs (a group when they have
// one), in a shuffled member order: the closed-loop throughput tests cycle
// through it, so each member sends far below Plaza's per-member limit.
func senderRooms(ds *dataset, seed uint64) []send {
	rng := rand.New(rand.NewPCG(seed, 11))
	group := make([]int, len(ds.members))
	direct := make([]int, len(ds.members))
	for i := range group {
		group[i], direct[i] = -1, -1
	}
	for ri, r := range ds.rooms {
		for _, m := range r.idx {
			if r.Kind == "group" && (group[m] < 0 || rng.IntN(3) == 0) {
				group[m] = ri
			} else if r.Kind != "group" && direct[m] < 0 {
				direct[m] = ri
			}
		}
	}
	var out []send
	for _, m := range rng.Perm(len(ds.members)) {
		switch {
		case group[m] >= 0:
			out = append(out, send{room: group[m], sender: m})
		case direct[m] >= 0:
			out = append(out, send{room: direct[m], sender: m})
		}
	}
	return out
}
