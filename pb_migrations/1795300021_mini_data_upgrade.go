package pb_migrations

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The built-in minis' shared data from before version 1.1, in the layout
// the 1.1 minis read (minis/README.md, "Shared data"), so that nothing a
// member stored is lost on upgrade. Migration 18 left every earlier shared
// key as a read-only value with no owner; this step gives each back to the
// member it belongs to, telling members apart by their id in the mini (the
// HMAC of their Plaza id with the mini's secret, as minihost.PseudonymousID
// computes it):
//
//   - Poll: poll:<id> is owned by its creator (its "owner" id, else the one
//     member whose "mypolls" says they created it). Each counted vote
//     (poll:<id>:voter:<member> ≥ 1) becomes that member's own vote in
//     poll:<id>:votes, with the choice they kept in their storage
//     (vote:<id>); when they didn't keep it, and the option counters leave
//     only one option it can have been, that one. Votes whose voter or
//     choice can't be told stay counted in poll:<id>:earlier, which only
//     Plaza writes ({"votes": {"<option>": n}}); the old counters go.
//   - Events: event:<id> is owned by its host (its "owner" id, else the one
//     member whose "myevents" says they host it); each member's held spot
//     (event:<id>:m:<member> = 1) becomes their once-mark on the
//     event:<id>:taken counter; rsvp:<id>:<member> moves to
//     rsvp:<id>:@<member>, owned by that member. A ticket becomes a Plaza
//     receipt (paid:ticket:<id>:@<member>) only when an order of that
//     member for Events settled: the order the RSVP names, else their one
//     "Ticket: <title>" order for the event's price. Without one, the RSVP
//     stays an unpaid, held spot ("pending"); a payment still pending is
//     linked (mini_payments) so Plaza writes its receipt when it settles.
//   - Split the bill: result:<id> is owned by the one member who keeps
//     bill:<id> in their storage.
//
// A row whose member can't be told (a deleted member, an id from another
// secret) is left as it was: read-only, under its old key, which the 1.1
// minis don't read. Converted rows no longer look old, so running the step
// again changes nothing; with no such data it does nothing.
func init() {
	m.Register(func(app core.App) error {
		r, err := UpgradeMiniSharedData(app)
		if err != nil {
			return err
		}
		if r != (MiniUpgradeReport{}) {
			app.Logger().Info("Built-in mini-programs' shared data upgraded to 1.1", "report", r)
		}
		return nil
	}, func(app core.App) error {
		return nil // the 1.0 layout isn't served any more: nothing to go back to
	})
}

// MiniUpgradeReport counts what UpgradeMiniSharedData converted and what it
// left as it was.
type MiniUpgradeReport struct {
	Owned        int // shared values (polls, events, bill results) given back to their member
	Ownerless    int // shared values whose member can't be told: still read-only
	Votes        int // poll votes now the voter's own vote
	Deduced      int // of those, choices deduced from the option counters
	Unattributed int // votes whose voter or choice can't be told, kept in poll:<id>:earlier
	Spots        int // event spots now the member's own mark on the taken counter
	RSVPs        int // RSVPs moved to the member's own key
	Receipts     int // paid tickets backed by a settled order: Plaza receipts written
	Refunded     int // tickets whose order was refunded: refunded receipts written
	Linked       int // ticket payments still pending, linked to write their receipt when they settle
	Unpaid       int // tickets marked paid with no settled order: kept as unpaid, held RSVPs
	Kept         int // old rows left as they were (member or choice unknown)
}

// UpgradeMiniSharedData converts the built-in minis' pre-1.1 shared data
// (see above), in one transaction.
func UpgradeMiniSharedData(app core.App) (MiniUpgradeReport, error) {
	var r MiniUpgradeReport
	err := app.RunInTransaction(func(tx core.App) error {
		coll, err := tx.FindCollectionByNameOrId("mini_storage")
		if err != nil {
			return err
		}
		for _, slug := range []string{"poll", "events", "splitbill"} {
			rec, err := tx.FindFirstRecordByFilter("minis", "slug = {:s} && builtin = true", dbx.Params{"s": slug})
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			u := &miniUpgrader{tx: tx, coll: coll, mini: rec, r: &r, used: map[string]bool{}}
			if err := u.run(slug); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

type miniUpgrader struct {
	tx       core.App
	coll     *core.Collection
	mini     *core.Record
	r        *MiniUpgradeReport
	byPseudo map[string]string // member id in the mini → Plaza id
	used     map[string]bool   // orders given to a ticket in this run
}

var (
	miniUpID       = `([a-z0-9]{4,32})` // the built-in minis' ids
	miniUpPoll     = regexp.MustCompile(`^poll:` + miniUpID + `$`)
	miniUpVoterKey = regexp.MustCompile(`^poll:` + miniUpID + `:voter:(.+)$`)
	miniUpOpt      = regexp.MustCompile(`^poll:` + miniUpID + `:opt:([0-9]{1,3})$`)
	miniUpEvent    = regexp.MustCompile(`^event:` + miniUpID + `$`)
	miniUpTaken    = regexp.MustCompile(`^event:` + miniUpID + `:taken$`)
	miniUpHold     = regexp.MustCompile(`^event:` + miniUpID + `:m:(.+)$`)
	miniUpRSVP     = regexp.MustCompile(`^rsvp:` + miniUpID + `:([^@].*)$`)
	miniUpResult   = regexp.MustCompile(`^result:` + miniUpID + `$`)
	miniUpSettled  = []string{"paid", "fulfilled"}
	miniUpEarlyMsg = "Votes cast before Plaza 1.1 whose voter or choice can't be told; they are not in poll:<id>:votes."
)

func (u *miniUpgrader) run(slug string) error {
	old, err := u.oldRows()
	if err != nil || len(old) == 0 {
		return err
	}
	switch slug {
	case "poll":
		return u.polls(old)
	case "events":
		return u.events(old)
	}
	return u.results(old)
}

// oldRows are the shared rows as migration 18 left them: values nobody owns.
func (u *miniUpgrader) oldRows() ([]*core.Record, error) {
	var recs []*core.Record
	err := u.tx.RecordQuery(u.coll).AndWhere(dbx.HashExp{"mini": u.mini.Id, "scope": "shared", "owner": "", "mode": "value"}).
		OrderBy("key").All(&recs)
	return recs, err
}

// member is the Plaza id behind a member's id in this mini, or "".
func (u *miniUpgrader) member(pseudo string) (string, error) {
	if len(pseudo) != 32 {
		return "", nil // not an id this mini gave (none, or written by hand)
	}
	if u.byPseudo == nil {
		var ids []string
		if err := u.tx.DB().Select("id").From("users").Column(&ids); err != nil {
			return "", err
		}
		u.byPseudo = make(map[string]string, len(ids))
		for _, id := range ids {
			mac := hmac.New(sha256.New, []byte(u.mini.GetString("secret")))
			mac.Write([]byte("member:" + id))
			u.byPseudo[hex.EncodeToString(mac.Sum(nil))[:32]] = id
		}
	}
	return u.byPseudo[pseudo], nil
}

func (u *miniUpgrader) find(scope, user, key string) (*core.Record, error) {
	rec := &core.Record{}
	err := u.tx.RecordQuery(u.coll).AndWhere(dbx.HashExp{"mini": u.mini.Id, "scope": scope, "user": user, "key": key}).Limit(1).One(rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return rec, err
}

// put writes a row (rec, or a new one when nil) with its mode, owner and value.
func (u *miniUpgrader) put(rec *core.Record, scope, user, key, mode, owner string, value []byte) error {
	if rec == nil {
		rec = core.NewRecord(u.coll)
		rec.Set("mini", u.mini.Id)
		rec.Set("scope", scope)
		rec.Set("user", user)
		rec.Set("key", key)
	}
	rec.Set("mode", mode)
	rec.Set("owner", owner)
	rec.Set("value", json.RawMessage(value))
	rec.Set("size", len(key)+len(value))
	return u.tx.Save(rec)
}

// claims reads a list each member keeps in their storage ("mypolls",
// "myevents": [{id, role}]) into: id → members who keep it with that role.
func (u *miniUpgrader) claims(key, role string) (map[string][]string, error) {
	var recs []*core.Record
	err := u.tx.RecordQuery(u.coll).AndWhere(dbx.HashExp{"mini": u.mini.Id, "scope": "user", "key": key}).All(&recs)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, rec := range recs {
		var list []struct{ ID, Role string }
		if json.Unmarshal([]byte(rec.GetString("value")), &list) != nil {
			continue // not a list the mini wrote: no claim
		}
		for _, e := range list {
			if e.Role == role && !slices.Contains(out[e.ID], rec.GetString("user")) {
				out[e.ID] = append(out[e.ID], rec.GetString("user"))
			}
		}
	}
	return out, nil
}

// own gives an old shared value to the member named by its "owner" id, else
// to the only member who claims it; with neither it stays read-only.
func (u *miniUpgrader) own(rec *core.Record, pseudo string, claimants []string) error {
	owner, err := u.member(pseudo)
	if err != nil {
		return err
	}
	if owner == "" && len(claimants) == 1 {
		owner = claimants[0]
	}
	if owner == "" {
		u.r.Ownerless++
		return nil
	}
	rec.Set("owner", owner)
	u.r.Owned++
	return u.tx.Save(rec)
}

// tally is what the 1.1 storage computes from the marks: a counter's sum,
// a vote's {choice: members}.
func (u *miniUpgrader) tally(key, mode string) ([]byte, error) {
	var values []string
	err := u.tx.DB().Select("value").From("mini_storage").
		Where(dbx.HashExp{"mini": u.mini.Id, "scope": "mark", "key": key}).Column(&values)
	if err != nil {
		return nil, err
	}
	if mode == "counter" {
		var n int64
		for _, v := range values {
			k, _ := strconv.ParseInt(v, 10, 64) // our marks are "1"
			n += k
		}
		return []byte(strconv.FormatInt(n, 10)), nil
	}
	counts := map[string]int{}
	for _, v := range values {
		var choice string
		if json.Unmarshal([]byte(v), &choice) == nil {
			counts[choice]++
		}
	}
	return json.Marshal(counts)
}

// mark gives a member their mark on a counter or vote key, unless they
// already have one (made with 1.1: theirs stands).
func (u *miniUpgrader) mark(member, key string, value []byte) error {
	rec, err := u.find("mark", member, key)
	if err != nil || rec != nil {
		return err
	}
	return u.put(nil, "mark", member, key, "", "", value)
}

// free tells whether key can be (or already is) a counter or vote (mode):
// it is missing, an old value or already that.
func (u *miniUpgrader) free(key, mode string) (bool, error) {
	rec, err := u.find("shared", "", key)
	if err != nil || rec == nil {
		return rec == nil, err
	}
	m := rec.GetString("mode")
	return m == mode || (m == "value" && rec.GetString("owner") == ""), nil
}

// head makes key a counter or vote (mode) and sets its total from the marks.
func (u *miniUpgrader) head(key, mode string) error {
	rec, err := u.find("shared", "", key)
	if err != nil {
		return err
	}
	total, err := u.tally(key, mode)
	if err != nil {
		return err
	}
	return u.put(rec, "shared", "", key, mode, "", total)
}

func miniUpInt(rec *core.Record) int64 {
	n, _ := strconv.ParseInt(rec.GetString("value"), 10, 64) // not a number: 0
	return n
}

// --- Poll ------------------------------------------------------------------

type miniUpVoter struct {
	rec            *core.Record
	member, choice string
}

func (u *miniUpgrader) polls(old []*core.Record) error {
	creators, err := u.claims("mypolls", "created")
	if err != nil {
		return err
	}
	options := map[string]int{} // poll id → number of options
	voters := map[string][]*core.Record{}
	opts := map[string][]*core.Record{}
	var ids []string
	for _, rec := range old {
		key := rec.GetString("key")
		if s := miniUpPoll.FindStringSubmatch(key); s != nil {
			var p struct {
				Owner   string
				Options []json.RawMessage
			}
			_ = json.Unmarshal([]byte(rec.GetString("value")), &p) // not a poll: no owner, no options
			options[s[1]] = len(p.Options)
			if err := u.own(rec, p.Owner, creators[s[1]]); err != nil {
				return err
			}
		} else if s := miniUpVoterKey.FindStringSubmatch(key); s != nil {
			voters[s[1]] = append(voters[s[1]], rec)
			ids = append(ids, s[1])
		} else if s := miniUpOpt.FindStringSubmatch(key); s != nil {
			opts[s[1]] = append(opts[s[1]], rec)
			ids = append(ids, s[1])
		}
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := u.pollVotes(id, options[id], voters[id], opts[id]); err != nil {
			return err
		}
	}
	return nil
}

// pollVotes turns one poll's voter and option counters into votes.
func (u *miniUpgrader) pollVotes(id string, nOptions int, voterRows, optRows []*core.Record) error {
	key := "poll:" + id + ":votes"
	counts := map[string]int64{}
	for _, rec := range optRows {
		i, _ := strconv.Atoi(rec.GetString("key")[strings.LastIndexByte(rec.GetString("key"), ':')+1:])
		if n := miniUpInt(rec); n > 0 && (nOptions == 0 || i < nOptions) {
			counts[strconv.Itoa(i)] += n
		}
	}
	var known, unknown []miniUpVoter
	var drop []*core.Record
	counted := map[string]int64{}
	for _, rec := range voterRows {
		if miniUpInt(rec) < 1 {
			drop = append(drop, rec) // a vote taken back: nothing to keep
			continue
		}
		member, err := u.member(miniUpVoterKey.FindStringSubmatch(rec.GetString("key"))[2])
		if err != nil {
			return err
		}
		if member == "" {
			u.r.Kept++
			continue
		}
		v := miniUpVoter{rec: rec, member: member}
		if stored, err := u.find("user", member, "vote:"+id); err != nil {
			return err
		} else if stored != nil {
			if i, err := strconv.Atoi(stored.GetString("value")); err == nil && i >= 0 && (nOptions == 0 || i < nOptions) {
				v.choice = strconv.Itoa(i)
			}
		}
		if v.choice == "" {
			unknown = append(unknown, v)
			continue
		}
		counted[v.choice]++
		known = append(known, v)
	}
	// Votes the counters hold beyond the known choices.
	left := map[string]int64{}
	for choice, n := range counts {
		if n > counted[choice] {
			left[choice] = n - counted[choice]
		}
	}
	// Voters who didn't keep their choice: if only one option has votes
	// left for them, it is theirs.
	if len(unknown) > 0 && len(left) == 1 {
		for choice, n := range left {
			if n >= int64(len(unknown)) {
				for _, v := range unknown {
					v.choice = choice
					known = append(known, v)
				}
				u.r.Deduced += len(unknown)
				if left[choice] -= int64(len(unknown)); left[choice] == 0 {
					delete(left, choice)
				}
				unknown = nil
			}
		}
	}
	u.r.Kept += len(unknown)

	if len(known) > 0 {
		if ok, err := u.free(key, "vote"); err != nil || !ok {
			// Someone made the key something else: leave this poll's counters be.
			u.r.Kept += len(known)
			return err
		}
		for _, v := range known {
			choice, err := json.Marshal(v.choice)
			if err != nil {
				return err
			}
			if err := u.mark(v.member, key, choice); err != nil {
				return err
			}
		}
		if err := u.head(key, "vote"); err != nil {
			return err
		}
		u.r.Votes += len(known)
		for _, v := range known {
			drop = append(drop, v.rec)
		}
	}
	if len(optRows) > 0 {
		if len(left) > 0 {
			value, err := json.Marshal(map[string]any{"votes": left, "note": strings.Replace(miniUpEarlyMsg, "<id>", id, 1)})
			if err != nil {
				return err
			}
			earlier, err := u.find("shared", "", "poll:"+id+":earlier")
			if err != nil {
				return err
			}
			if err := u.put(earlier, "shared", "", "poll:"+id+":earlier", "plaza", "", value); err != nil {
				return err
			}
			for _, n := range left {
				u.r.Unattributed += int(n)
			}
		}
		drop = append(drop, optRows...) // now in the votes and poll:<id>:earlier
	}
	for _, rec := range drop {
		if err := u.tx.Delete(rec); err != nil {
			return err
		}
	}
	return nil
}

// --- Events ----------------------------------------------------------------

type miniUpEventInfo struct {
	Owner    string
	Title    string
	Price    int64
	Currency string
}

func (u *miniUpgrader) events(old []*core.Record) error {
	hosts, err := u.claims("myevents", "host")
	if err != nil {
		return err
	}
	info := map[string]miniUpEventInfo{}
	takenRows := map[string]*core.Record{}
	holds := map[string][]*core.Record{}
	rsvps := map[string][]*core.Record{}
	var ids []string
	for _, rec := range old {
		key := rec.GetString("key")
		if s := miniUpEvent.FindStringSubmatch(key); s != nil {
			var ev miniUpEventInfo
			_ = json.Unmarshal([]byte(rec.GetString("value")), &ev) // not an event: no owner, no price
			info[s[1]] = ev
			if err := u.own(rec, ev.Owner, hosts[s[1]]); err != nil {
				return err
			}
			continue
		}
		var s []string
		if s = miniUpTaken.FindStringSubmatch(key); s != nil {
			takenRows[s[1]] = rec
		} else if s = miniUpHold.FindStringSubmatch(key); s != nil {
			holds[s[1]] = append(holds[s[1]], rec)
		} else if s = miniUpRSVP.FindStringSubmatch(key); s != nil {
			rsvps[s[1]] = append(rsvps[s[1]], rec)
		} else {
			continue
		}
		ids = append(ids, s[1])
	}
	if len(ids) == 0 {
		return nil
	}
	if info, err = u.eventInfo(info, ids); err != nil {
		return err
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := u.eventSpots(id, takenRows[id] != nil, holds[id]); err != nil {
			return err
		}
		for _, rec := range rsvps[id] {
			if err := u.rsvp(id, info[id], rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// eventInfo adds the events already owned (an earlier run) to info: their
// price tells which RSVPs are tickets.
func (u *miniUpgrader) eventInfo(info map[string]miniUpEventInfo, ids []string) (map[string]miniUpEventInfo, error) {
	for _, id := range ids {
		if _, ok := info[id]; ok {
			continue
		}
		rec, err := u.find("shared", "", "event:"+id)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			var ev miniUpEventInfo
			_ = json.Unmarshal([]byte(rec.GetString("value")), &ev) // not an event: no price
			info[id] = ev
		}
	}
	return info, nil
}

// eventSpots turns an event's held spots into marks on its taken counter.
func (u *miniUpgrader) eventSpots(id string, oldTaken bool, holds []*core.Record) error {
	key := "event:" + id + ":taken"
	if ok, err := u.free(key, "counter"); err != nil || !ok {
		u.r.Kept += len(holds) // someone made the key something else: leave the spots be
		return err
	}
	var drop []*core.Record
	spots := 0
	for _, rec := range holds {
		member, err := u.member(miniUpHold.FindStringSubmatch(rec.GetString("key"))[2])
		if err != nil {
			return err
		}
		switch {
		case member == "":
			u.r.Kept++
			continue
		case miniUpInt(rec) >= 1:
			if err := u.mark(member, key, []byte("1")); err != nil {
				return err
			}
			spots++
		}
		drop = append(drop, rec)
	}
	if !oldTaken && spots == 0 {
		return nil
	}
	if err := u.head(key, "counter"); err != nil {
		return err
	}
	u.r.Spots += spots
	for _, rec := range drop {
		if err := u.tx.Delete(rec); err != nil {
			return err
		}
	}
	return nil
}

// rsvp moves an RSVP to the member's own key; a ticket keeps its payment
// only if an order of theirs settled.
func (u *miniUpgrader) rsvp(id string, ev miniUpEventInfo, rec *core.Record) error {
	pseudo := miniUpRSVP.FindStringSubmatch(rec.GetString("key"))[2]
	member, err := u.member(pseudo)
	if err != nil {
		return err
	}
	if member == "" {
		u.r.Kept++
		return nil
	}
	key := "rsvp:" + id + ":@" + pseudo
	if now, err := u.find("shared", "", key); err != nil {
		return err
	} else if now != nil {
		return u.tx.Delete(rec) // they RSVP'd again with 1.1: that one stands
	}
	value := json.RawMessage(rec.GetString("value"))
	var v map[string]any
	if json.Unmarshal(value, &v) == nil && v != nil {
		name, _ := v["name"].(string)
		canceled, _ := v["canceled"].(bool)
		if ev.Price > 0 && name != "" && !canceled {
			if err := u.ticket(id, ev, member, pseudo, v); err != nil {
				return err
			}
			if value, err = json.Marshal(v); err != nil {
				return err
			}
		}
	}
	if err := u.put(nil, "shared", "", key, "value", member, value); err != nil {
		return err
	}
	u.r.RSVPs++
	return u.tx.Delete(rec)
}

// ticket finds the order behind a ticket RSVP (v, changed in place): a
// settled one gets Plaza's receipt; otherwise the RSVP is an unpaid, held
// spot, and a payment still pending is linked for its receipt.
func (u *miniUpgrader) ticket(id string, ev miniUpEventInfo, member, pseudo string, v map[string]any) error {
	claimed, _ := v["paid"].(bool)
	ref, _ := v["order"].(string)
	order, err := u.ticketOrder(id, ev, member, ref)
	if err != nil {
		return err
	}
	delete(v, "paid")
	status := ""
	if order != nil {
		status = order.GetString("status")
	}
	if slices.Contains(miniUpSettled, status) || status == "refunded" || status == "pending" {
		if err := u.link(id, member, order); err != nil {
			return err
		}
		v["order"] = order.Id
	}
	switch {
	case slices.Contains(miniUpSettled, status) || status == "refunded":
		receipt := "paid"
		if status == "refunded" {
			receipt = "refunded"
			u.r.Refunded++
			v["pending"] = true
		} else {
			u.r.Receipts++
			delete(v, "pending")
		}
		value, err := json.Marshal(map[string]any{"order": order.Id, "status": receipt, "amount": order.GetInt("amount"),
			"currency": order.GetString("currency"), "at": order.GetDateTime("updated").Time().UnixMilli()})
		if err != nil {
			return err
		}
		key := "paid:ticket:" + id + ":@" + pseudo
		if rec, err := u.find("shared", "", key); err != nil || rec != nil {
			return err // Plaza wrote it already
		}
		return u.put(nil, "shared", "", key, "plaza", "", value)
	case status == "pending":
		u.r.Linked++
	case claimed:
		u.r.Unpaid++
	}
	v["pending"] = true
	return nil
}

// ticketOrder is the member's Events order for this ticket: the one the
// RSVP names, else their "Ticket: <title>" order at the event's price
// (settled first) that no other ticket has; nil when there is none.
func (u *miniUpgrader) ticketOrder(id string, ev miniUpEventInfo, member, ref string) (*core.Record, error) {
	mine := func(o *core.Record) (bool, error) {
		if o.GetString("buyer") != member || o.GetString("mini") != u.mini.Id || u.used[o.Id] {
			return false, nil
		}
		p, err := u.tx.FindFirstRecordByData("mini_payments", "order", o.Id)
		if errors.Is(err, sql.ErrNoRows) {
			return true, nil
		}
		return err == nil && p.GetString("user") == member && p.GetString("ref") == "ticket:"+id, err
	}
	pick := func(o *core.Record) *core.Record { u.used[o.Id] = true; return o }
	if ref != "" {
		o, err := u.tx.FindRecordById("orders", ref)
		if err == nil {
			if ok, err := mine(o); err != nil || ok {
				return pick(o), err
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if ev.Title == "" {
		return nil, nil
	}
	orders, err := u.tx.FindRecordsByFilter("orders", "buyer = {:b} && mini = {:m} && amount = {:a} && currency = {:c}", "created", 0, 0,
		dbx.Params{"b": member, "m": u.mini.Id, "a": ev.Price, "c": ev.Currency})
	if err != nil {
		return nil, err
	}
	var best *core.Record
	rank := map[string]int{"paid": 3, "fulfilled": 3, "refunded": 2, "pending": 1}
	for _, o := range orders {
		if !strings.HasPrefix(o.GetString("title"), "Ticket: "+ev.Title+" (") {
			continue
		}
		if ok, err := mine(o); err != nil {
			return nil, err
		} else if ok && rank[o.GetString("status")] > 0 && (best == nil || rank[o.GetString("status")] > rank[best.GetString("status")]) {
			best = o
		}
	}
	if best == nil {
		return nil, nil
	}
	return pick(best), nil
}

// link records the order as this ticket's payment (as 1.1 prepares one),
// so Plaza writes or updates its receipt when the order settles or is
// refunded.
func (u *miniUpgrader) link(id, member string, order *core.Record) error {
	if _, err := u.tx.FindFirstRecordByData("mini_payments", "order", order.Id); err == nil {
		return nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	coll, err := u.tx.FindCollectionByNameOrId("mini_payments")
	if err != nil {
		return err
	}
	p := core.NewRecord(coll)
	p.Set("mini", u.mini.Id)
	p.Set("user", member)
	p.Set("amount", order.GetInt("amount"))
	p.Set("currency", order.GetString("currency"))
	p.Set("description", order.GetString("title"))
	p.Set("ref", "ticket:"+id)
	p.Set("order", order.Id)
	p.Set("expires", order.GetDateTime("created"))
	return u.tx.Save(p)
}

// --- Split the bill -------------------------------------------------------

func (u *miniUpgrader) results(old []*core.Record) error {
	var bills []struct {
		User string `db:"user"`
		Key  string `db:"key"`
	}
	err := u.tx.DB().Select("user", "key").From("mini_storage").
		Where(dbx.HashExp{"mini": u.mini.Id, "scope": "user"}).
		AndWhere(dbx.NewExp("substr(key, 1, 5) = 'bill:'")).All(&bills)
	if err != nil {
		return err
	}
	keepers := map[string][]string{}
	for _, b := range bills {
		keepers[b.Key[len("bill:"):]] = append(keepers[b.Key[len("bill:"):]], b.User)
	}
	for _, rec := range old {
		if s := miniUpResult.FindStringSubmatch(rec.GetString("key")); s != nil {
			if err := u.own(rec, "", keepers[s[1]]); err != nil {
				return err
			}
		}
	}
	return nil
}
