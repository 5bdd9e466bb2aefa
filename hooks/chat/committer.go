package chat

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The committer is the one writer of everything that takes a gseq (new,
// edited and recalled messages). Running those writes on one goroutine lets
// it group-commit concurrent sends into one transaction, and hands committed
// messages to the publisher in gseq order — so a member's stream never shows
// event 11 before 10, and a reconnect from 11 cannot skip 10.

// op is one unit of chat writing. It returns the messages to announce. An op
// must finish its checks before it writes: a refusal (see refuse) leaves the
// database untouched; any other error rolls back the whole batch. Seqs come
// from sq, the committer's counters.
type op func(tx core.App, sq *seqs) ([]*core.Record, error)

// seqs hands out room seqs and global gseqs. The committer is the only writer
// of both, so it keeps them in memory and most sends need no query for them;
// after a failed transaction it forgets them and reloads from the database.
type seqs struct {
	room map[string]int
	gseq int64
}

func newSeqs() *seqs { return &seqs{room: map[string]int{}} }

func (s *seqs) reset() { s.room, s.gseq = map[string]int{}, 0 }

// next is the next seq in room and the next gseq.
func (s *seqs) next(tx core.App, room string) (int, int64, error) {
	seq, ok := s.room[room]
	if !ok {
		if err := tx.DB().NewQuery("SELECT last_seq FROM rooms WHERE id = {:r}").Bind(dbx.Params{"r": room}).Row(&seq); err != nil {
			return 0, 0, err
		}
	}
	g, err := s.nextGseq(tx)
	if err != nil {
		return 0, 0, err
	}
	s.room[room] = seq + 1
	return seq + 1, g, nil
}

// nextGseq is the next global event number.
func (s *seqs) nextGseq(tx core.App) (int64, error) {
	if s.gseq == 0 {
		if err := tx.DB().NewQuery("SELECT COALESCE(MAX(gseq), 0) FROM messages").Row(&s.gseq); err != nil {
			return 0, err
		}
	}
	s.gseq++
	return s.gseq, nil
}

// refusal is an op's answer to bad input, returned before any write.
type refusal struct{ error }

func refuse(err error) error { return refusal{err} }

func (r refusal) Unwrap() error { return r.error }

type request struct {
	op   op
	done chan result
}

type result struct {
	msgs []*core.Record
	err  error
}

const maxBatch = 256

type committer struct {
	commits atomic.Int64 // transactions committed
	ops     atomic.Int64 // ops run in them
	app     core.App
	reqs    chan request
	publish chan []*core.Record
	stop    sync.Once
	stopped chan struct{}
	seqs    *seqs // owned by the write goroutine
}

const committerKey = "plaza.chat.committer"

func committerOf(app core.App) *committer {
	return app.Store().GetOrSet(committerKey, func() any {
		c := &committer{app: app, reqs: make(chan request, 1024), publish: make(chan []*core.Record, 1024), stopped: make(chan struct{}), seqs: newSeqs()}
		go c.write()
		go c.announce()
		return c
	}).(*committer)
}

// stopCommitter finishes queued writes and announcements (on app shutdown).
func stopCommitter(app core.App) {
	c, ok := app.Store().Get(committerKey).(*committer)
	if !ok {
		return
	}
	c.stop.Do(func() { close(c.reqs) })
	<-c.stopped
	app.Store().Remove(committerKey)
}

// do runs o on the writer and waits until it is committed.
func (c *committer) do(o op) ([]*core.Record, error) {
	done := make(chan result, 1)
	c.reqs <- request{op: o, done: done}
	r := <-done
	return r.msgs, r.err
}

// write drains requests in batches, one transaction per batch.
func (c *committer) write() {
	defer func() {
		close(c.publish)
	}()
	for first := range c.reqs {
		batch := []request{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		results := c.commit(batch)
		var announce []*core.Record
		for i := range batch {
			if results[i].err == nil {
				announce = append(announce, results[i].msgs...)
			}
		}
		if len(announce) > 0 {
			c.publish <- announce // before the replies: "acknowledged" implies "queued for every tab"
		}
		for i, r := range batch {
			r.done <- results[i]
		}
	}
}

// commit runs a batch in one transaction. If an op fails with anything but
// a refusal, the batch is rolled back and each op is retried alone, so one
// failure never takes its neighbours down.
func (c *committer) commit(batch []request) []result {
	results := make([]result, len(batch))
	c.commits.Add(1)
	c.ops.Add(int64(len(batch)))
	err := c.app.RunInTransaction(func(tx core.App) error {
		for i, r := range batch {
			msgs, err := r.op(tx, c.seqs)
			var ref refusal
			if err != nil && !errors.As(err, &ref) {
				return err
			}
			results[i] = result{msgs, err}
		}
		return nil
	})
	if err != nil {
		c.seqs.reset() // the rolled-back writes took seqs that were never stored
	}
	if err == nil || len(batch) == 1 {
		if err != nil {
			results[0] = result{nil, err}
		}
		return results
	}
	for i, r := range batch {
		results[i] = c.commit([]request{r})[0]
	}
	return results
}

// announce renders and publishes committed messages in commit order.
func (c *committer) announce() {
	defer close(c.stopped)
	for msgs := range c.publish {
		for _, m := range msgs {
			publishMessage(c.app, m)
		}
	}
}

// write runs o through the app's committer.
func write(app core.App, o op) ([]*core.Record, error) {
	msgs, err := committerOf(app).do(o)
	var ref refusal
	if errors.As(err, &ref) {
		return msgs, ref.error
	}
	return msgs, err
}
