package chat

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/live"
)

// openStream starts a member's event stream (see live.OnOpen): the messages
// they missed after last, in gseq order, then their exact unread counts.
func openStream(app core.App, member string, last int64) ([]*live.Event, bool, error) {
	var evs []*live.Event
	if last > 0 {
		replayed, more, err := replay(app, member, last)
		if err != nil || more {
			return replayed, true, err // too much missed (or no way to tell): the page reloads
		}
		evs = replayed
	}
	ev, err := unreadEventFor(app, member)
	if err != nil {
		// The counts come again with the next message; the stream is still good.
		app.Logger().Error("chat: unread counts for a new stream failed", "member", member, "error", err)
		return evs, false, nil
	}
	return append(evs, &ev), false, nil
}

// replay loads, in gseq order, the member's message events after last —
// across all their rooms — up to replayLimit (more reports there were more).
func replay(app core.App, member string, last int64) ([]*live.Event, bool, error) {
	var msgs []*core.Record
	err := app.RecordQuery("messages").
		AndWhere(dbx.NewExp("gseq > {:last} AND room IN (SELECT room FROM room_members WHERE user = {:me})",
			dbx.Params{"last": last, "me": member})).
		OrderBy("gseq").Limit(replayLimit + 1).All(&msgs)
	if err != nil {
		return nil, false, err
	}
	more := len(msgs) > replayLimit
	if more {
		msgs = msgs[:replayLimit]
	}
	events := make([]*live.Event, 0, len(msgs))
	for _, m := range msgs {
		ev, _, err := messageEventFor(app, m)
		if err != nil {
			return nil, false, err
		}
		events = append(events, &ev)
	}
	return events, more, nil
}
