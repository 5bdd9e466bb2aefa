package account

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Relation is how one member stands to another, seen from the first.
type Relation int

// The relations, from the viewer's side.
const (
	Strangers       Relation = iota
	Friends                  // an accepted friendship
	RequestSent              // the viewer asked, the other has not answered
	RequestReceived          // the other asked the viewer
	Blocking                 // the viewer blocked the other
	BlockedBy                // the other blocked the viewer
	Self
)

// Friendship states (friendships.state).
const (
	statePending  = "pending"
	stateAccepted = "accepted"
	stateBlocked  = "blocked"
)

// Public refusals of friendship actions; each is safe to show the member.
var (
	errSelf          = errors.New("You can't send a friend request to yourself.")
	errCannotRequest = errors.New("You can't send a friend request to this member.")
	errAlreadyFriend = errors.New("You are already friends.")
	errNoRequest     = errors.New("There is no pending friend request from this member.")
)

// pairRows loads the friendship rows between a and b, both directions.
func pairRows(app core.App, a, b string) ([]*core.Record, error) {
	return app.FindRecordsByFilter("friendships",
		"(requester = {:a} && addressee = {:b}) || (requester = {:b} && addressee = {:a})",
		"", 2, 0, dbx.Params{"a": a, "b": b})
}

func relationFrom(viewer string, rows []*core.Record) Relation {
	rel := Strangers
	for _, r := range rows {
		mine := r.GetString("requester") == viewer
		switch r.GetString("state") {
		case stateBlocked:
			if mine {
				return Blocking // the viewer can undo this one, so it wins
			}
			rel = BlockedBy
		case stateAccepted:
			if rel == Strangers {
				rel = Friends
			}
		case statePending:
			if rel == Strangers {
				rel = RequestReceived
				if mine {
					rel = RequestSent
				}
			}
		}
	}
	return rel
}

// RelationBetween tells how viewer stands to other.
func RelationBetween(app core.App, viewer, other string) (Relation, error) {
	if viewer == other {
		return Self, nil
	}
	rows, err := pairRows(app, viewer, other)
	if err != nil {
		return Strangers, err
	}
	return relationFrom(viewer, rows), nil
}

// FriendIDs lists the ids of a member's friends (a fresh slice: callers
// may keep or change it).
func FriendIDs(app core.App, member string) ([]string, error) {
	set, err := FriendSet(app, member)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	return ids, nil
}

// FriendSet is the set of a member's friends, shared: read it, never change it.
func FriendSet(app core.App, member string) (map[string]bool, error) {
	if app.IsTransactional() { // uncommitted rows must not reach the cache
		return loadFriends(app, member)
	}
	return cachesOf(app).friends.Load(member, func() (map[string]bool, error) { return loadFriends(app, member) })
}

func loadFriends(app core.App, member string) (map[string]bool, error) {
	var ids []string
	err := app.DB().NewQuery(`
		SELECT addressee FROM friendships WHERE requester = {:m} AND state = 'accepted'
		UNION
		SELECT requester FROM friendships WHERE addressee = {:m} AND state = 'accepted'`).
		Bind(dbx.Params{"m": member}).Column(&ids)
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, err
}

// hasMutualFriend reports whether a and b share at least one friend.
func hasMutualFriend(app core.App, a, b string) (bool, error) {
	var n int
	err := app.DB().NewQuery(`
		WITH fa AS (
			SELECT addressee AS f FROM friendships WHERE requester = {:a} AND state = 'accepted'
			UNION SELECT requester FROM friendships WHERE addressee = {:a} AND state = 'accepted'),
		fb AS (
			SELECT addressee AS f FROM friendships WHERE requester = {:b} AND state = 'accepted'
			UNION SELECT requester FROM friendships WHERE addressee = {:b} AND state = 'accepted')
		SELECT COUNT(*) FROM fa JOIN fb USING (f)`).
		Bind(dbx.Params{"a": a, "b": b}).Row(&n)
	return n > 0, err
}

// sendRequest asks to befriend to. If to already asked from, this accepts.
// Asking twice is harmless.
func sendRequest(app core.App, from, to *core.Record) error {
	if from.Id == to.Id {
		return errSelf
	}
	return app.RunInTransaction(func(tx core.App) error {
		rows, err := pairRows(tx, from.Id, to.Id)
		if err != nil {
			return err
		}
		switch relationFrom(from.Id, rows) {
		case Friends:
			return errAlreadyFriend
		case RequestSent:
			return nil
		case RequestReceived:
			return setState(tx, rows[0], stateAccepted)
		case Blocking, BlockedBy:
			return errCannotRequest
		}
		if ok, err := acceptsRequestsFrom(tx, to, from.Id); err != nil {
			return err
		} else if !ok {
			return errCannotRequest
		}
		return insertRow(tx, from.Id, to.Id, statePending)
	})
}

func acceptsRequestsFrom(app core.App, to *core.Record, from string) (bool, error) {
	if to.GetString("status") != "active" {
		return false, nil
	}
	switch PrivacyOf(to).WhoCanAdd {
	case "nobody":
		return false, nil
	case "fof":
		return hasMutualFriend(app, from, to.Id)
	}
	return true, nil
}

// cancelRequest withdraws a request from sent to to.
func cancelRequest(app core.App, from, to string) error {
	return deleteRows(app, "requester = {:a} && addressee = {:b} && state = 'pending'", from, to)
}

// acceptRequest accepts the pending request from to me.
func acceptRequest(app core.App, me, from string) error {
	return app.RunInTransaction(func(tx core.App) error {
		r, err := tx.FindFirstRecordByFilter("friendships",
			"requester = {:from} && addressee = {:me} && state = 'pending'", dbx.Params{"from": from, "me": me})
		if err != nil {
			return errNoRequest
		}
		return setState(tx, r, stateAccepted)
	})
}

// declineRequest drops the pending request from to me, silently for them.
func declineRequest(app core.App, me, from string) error {
	return deleteRows(app, "requester = {:a} && addressee = {:b} && state = 'pending'", from, me)
}

// removeFriend ends a friendship and takes each out of the other's tags.
func removeFriend(app core.App, me, other string) error {
	return app.RunInTransaction(func(tx core.App) error {
		if err := deleteRows(tx, "((requester = {:a} && addressee = {:b}) || (requester = {:b} && addressee = {:a})) && state = 'accepted'", me, other); err != nil {
			return err
		}
		if err := untag(tx, me, other); err != nil {
			return err
		}
		return untag(tx, other, me)
	})
}

// block ends any friendship or request between the two and records the block.
func block(app core.App, me, other string) error {
	if me == other {
		return errors.New("You can't block yourself.")
	}
	return app.RunInTransaction(func(tx core.App) error {
		if err := deleteRows(tx, "((requester = {:a} && addressee = {:b}) || (requester = {:b} && addressee = {:a})) && state != 'blocked'", me, other); err != nil {
			return err
		}
		if err := untag(tx, me, other); err != nil {
			return err
		}
		if err := untag(tx, other, me); err != nil {
			return err
		}
		if _, err := tx.FindFirstRecordByFilter("friendships", "requester = {:a} && addressee = {:b}", dbx.Params{"a": me, "b": other}); err == nil {
			return nil // already blocked
		}
		return insertRow(tx, me, other, stateBlocked)
	})
}

// unblock lifts my block; we are strangers again.
func unblock(app core.App, me, other string) error {
	return deleteRows(app, "requester = {:a} && addressee = {:b} && state = 'blocked'", me, other)
}

func insertRow(tx core.App, requester, addressee, state string) error {
	c, err := tx.FindCachedCollectionByNameOrId("friendships")
	if err != nil {
		return err
	}
	r := core.NewRecord(c)
	r.Set("requester", requester)
	r.Set("addressee", addressee)
	r.Set("state", state)
	return tx.Save(r)
}

func setState(tx core.App, r *core.Record, state string) error {
	r.Set("state", state)
	return tx.Save(r)
}

// deleteRows deletes the friendship rows matching filter (params a and b)
// through the app, so record hooks and cascades run.
func deleteRows(app core.App, filter, a, b string) error {
	return app.RunInTransaction(func(tx core.App) error {
		rows, err := tx.FindRecordsByFilter("friendships", filter, "", 0, 0, dbx.Params{"a": a, "b": b})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.Delete(r); err != nil {
				return err
			}
		}
		return nil
	})
}
