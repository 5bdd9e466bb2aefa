package account

import (
	"database/sql"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// What the export holds, file by file. Each section writes what the member
// created or owns, and of other members only the id and name it needs to
// make sense (a friend, a chat partner, a buyer): never what others wrote.

func showData(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.DataPage(templates.DataVM{Chrome: web.Chrome(e, "me")}))
}

const exportReadme = `Your data from {ORG}
Exported for {NAME} <{EMAIL}> on {DATE} (UTC).

This archive holds everything you created or own in {ORG}. Every .json file
is UTF-8 JSON; times are RFC 3339 in UTC; "id" fields are Plaza's record ids,
so files can refer to each other (a message's "chat" is an id in chats.json).
Other members appear only by id and name.

profile.json        your profile (name, email, bio, role, status, photo)
privacy.json        your privacy settings
friends.json        your friends, friend requests you sent and received,
                    and the members you blocked
friend_tags.json    your friend tags and who is in each
chats.json          the chats you are in (direct chats name the other member)
messages.json       every message you sent, chat by chat, with its attachments
                    (messages others sent are theirs and are not included)
moments.json        your moments (posts) with their audience and photos
comments.json       the comments you wrote on moments
likes.json          the moments you liked
listings.json       your market listings with their photos
orders.json         your orders, as buyer ("role": "buyer") and as seller
                    ("role": "seller"); amounts are integers in the
                    currency's smallest unit (1250 with "usd" is $12.50)
seller_account.json your Stripe Connect account for selling (null if none)
mini_programs.json  the mini-programs you allowed, and what they may do
mini_storage.json   what mini-programs stored for you (your own storage;
                    data a mini shares between all members is not yours alone)
notifications.json  your notifications, read and unread
reports.json        the reports you filed with the moderators
push_devices.json   the devices you turned push notifications on for
files/              your uploads: files/profile (photo), files/messages
                    (attachments), files/moments and files/listings (photos),
                    one folder per record id
`

func (x *exporter) readme() error {
	w, err := x.create("README.txt")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, strings.NewReplacer(
		"{ORG}", web.OrgInfo(x.app).Name, "{NAME}", x.me.GetString("name"), "{EMAIL}", x.me.Email(),
		"{DATE}", x.now.Format("2006-01-02 15:04"),
	).Replace(exportReadme))
	return err
}

func (x *exporter) profile() error {
	m := x.me
	var avatar string
	if paths := x.attach(m, "avatar", "profile"); len(paths) > 0 {
		avatar = paths[0]
	}
	if err := x.writeJSON("profile.json", map[string]any{
		"id": m.Id, "name": m.GetString("name"), "email": m.Email(), "verified": m.Verified(),
		"bio": m.GetString("bio"), "photo": avatar, "status": m.GetString("status"), "role": m.GetString("role"),
		"created": isoDate(m.GetDateTime("created")), "updated": isoDate(m.GetDateTime("updated")),
	}); err != nil {
		return err
	}
	return x.writeJSON("privacy.json", PrivacyOf(m))
}

type friendRow struct {
	personRef
	Since string `json:"since"`
}

func (x *exporter) friends() error {
	me := x.me.Id
	rows, err := x.app.FindRecordsByFilter("friendships",
		"requester = {:me} || (addressee = {:me} && state != 'blocked')", "created", 0, 0, dbx.Params{"me": me})
	if err != nil {
		return err
	}
	out := map[string][]friendRow{"friends": {}, "requests_sent": {}, "requests_received": {}, "blocked": {}}
	for _, r := range rows {
		other, mine := r.GetString("addressee"), true
		if other == me {
			other, mine = r.GetString("requester"), false
		}
		row := friendRow{x.person(other), isoDate(r.GetDateTime("created"))}
		switch st := r.GetString("state"); {
		case st == stateAccepted:
			row.Since = isoDate(r.GetDateTime("updated"))
			out["friends"] = append(out["friends"], row)
		case st == statePending && mine:
			out["requests_sent"] = append(out["requests_sent"], row)
		case st == statePending:
			out["requests_received"] = append(out["requests_received"], row)
		case st == stateBlocked:
			out["blocked"] = append(out["blocked"], row)
		}
	}
	return x.writeJSON("friends.json", out)
}

func (x *exporter) friendTags() error {
	return x.writeList("friend_tags.json", "friend_tags", dbx.HashExp{"owner": x.me.Id}, func(r *core.Record) (any, error) {
		x.tags[r.Id] = r.GetString("name")
		members := []personRef{}
		for _, id := range r.GetStringSlice("members") {
			members = append(members, x.person(id))
		}
		return map[string]any{"id": r.Id, "name": r.GetString("name"), "members": members,
			"created": isoDate(r.GetDateTime("created"))}, nil
	})
}

func (x *exporter) chats() error {
	me := x.me.Id
	var facts []struct {
		Room  string `db:"room"`
		Count int    `db:"n"`
		Other string `db:"other"`
	}
	// How many are in each of my chats, and who the other side of a direct one is.
	err := x.app.DB().NewQuery(`SELECT m.room AS room, COUNT(*) AS n,
			COALESCE(MAX(CASE WHEN r.kind = 'direct' AND m.user != {:me} THEN m.user END), '') AS other
		FROM room_members m JOIN rooms r ON r.id = m.room
		WHERE m.room IN (SELECT room FROM room_members WHERE user = {:me})
		GROUP BY m.room`).Bind(dbx.Params{"me": me}).All(&facts)
	if err != nil {
		return err
	}
	count, other := map[string]int{}, map[string]string{}
	for _, f := range facts {
		count[f.Room], other[f.Room] = f.Count, f.Other
	}
	return x.writeList("chats.json", "room_members", dbx.HashExp{"user": me}, func(m *core.Record) (any, error) {
		room, err := x.app.FindRecordById("rooms", m.GetString("room"))
		if err != nil {
			return nil, err
		}
		c := map[string]any{"id": room.Id, "kind": room.GetString("kind"), "members": count[room.Id],
			"role": m.GetString("role"), "muted": m.GetBool("muted"), "joined": isoDate(m.GetDateTime("created"))}
		if room.GetString("kind") == "direct" {
			with := personRef{Name: "Deleted member"}
			if id := other[room.Id]; id != "" {
				with = x.person(id)
			}
			c["with"] = with
		} else {
			c["title"] = room.GetString("title")
		}
		return c, nil
	})
}

func (x *exporter) messages() error {
	// Chat by chat, each in the chat's own order.
	byChat := []string{"room", "seq"}
	return x.writeListBy("messages.json", "messages", dbx.HashExp{"author": x.me.Id}, byChat, func(m *core.Record) (any, error) {
		msg := map[string]any{"id": m.Id, "chat": m.GetString("room"), "seq": m.GetInt("seq"), "kind": m.GetString("kind"),
			"body": m.GetString("body"), "edited": m.GetBool("edited"), "recalled": m.GetBool("recalled"),
			"created": isoDate(m.GetDateTime("created")), "updated": isoDate(m.GetDateTime("updated"))}
		if reply := m.GetString("reply_to"); reply != "" {
			msg["reply_to"] = reply
		}
		if files := x.attach(m, "attachments", "messages"); len(files) > 0 {
			msg["attachments"] = files
		}
		return msg, nil
	})
}

func (x *exporter) posts() error {
	return x.writeList("moments.json", "posts", dbx.HashExp{"author": x.me.Id}, func(p *core.Record) (any, error) {
		post := map[string]any{"id": p.Id, "body": p.GetString("body"), "visibility": p.GetString("visibility"),
			"location": p.GetString("location"), "photos": nonNil(x.attach(p, "photos", "moments")),
			"created": isoDate(p.GetDateTime("created")), "updated": isoDate(p.GetDateTime("updated"))}
		if ids := p.GetStringSlice("audience"); len(ids) > 0 {
			people := make([]personRef, 0, len(ids))
			for _, id := range ids {
				people = append(people, x.person(id))
			}
			post["audience"] = people
		}
		var tags []string
		for _, id := range p.GetStringSlice("audience_tags") {
			if name, ok := x.tags[id]; ok {
				tags = append(tags, name)
			}
		}
		if len(tags) > 0 {
			post["audience_tags"] = tags
		}
		return post, nil
	})
}

func (x *exporter) comments() error {
	return x.writeList("comments.json", "post_comments", dbx.HashExp{"author": x.me.Id}, func(c *core.Record) (any, error) {
		out := map[string]any{"id": c.Id, "moment": c.GetString("post"), "body": c.GetString("body"),
			"created": isoDate(c.GetDateTime("created"))}
		if reply := c.GetString("reply_to"); reply != "" {
			out["reply_to"] = reply
		}
		return out, nil
	})
}

func (x *exporter) likes() error {
	return x.writeList("likes.json", "post_likes", dbx.HashExp{"user": x.me.Id}, func(l *core.Record) (any, error) {
		return map[string]any{"moment": l.GetString("post"), "created": isoDate(l.GetDateTime("created"))}, nil
	})
}

func (x *exporter) listings() error {
	return x.writeList("listings.json", "listings", dbx.HashExp{"seller": x.me.Id}, func(l *core.Record) (any, error) {
		return map[string]any{"id": l.Id, "title": l.GetString("title"), "body": l.GetString("body"),
			"price": l.GetInt("price"), "currency": l.GetString("currency"), "stock": l.GetInt("stock"),
			"category": l.GetString("category"), "status": l.GetString("status"),
			"photos":  nonNil(x.attach(l, "photos", "listings")),
			"created": isoDate(l.GetDateTime("created")), "updated": isoDate(l.GetDateTime("updated"))}, nil
	})
}

func (x *exporter) orders() error {
	me := x.me.Id
	mine := dbx.Or(dbx.HashExp{"buyer": me}, dbx.HashExp{"seller": me})
	return x.writeList("orders.json", "orders", mine, func(o *core.Record) (any, error) {
		role := "seller"
		if o.GetString("buyer") == me {
			role = "buyer"
		}
		out := map[string]any{"id": o.Id, "role": role, "title": o.GetString("title"), "quantity": o.GetInt("quantity"),
			"unit_price": o.GetInt("unit_price"), "amount": o.GetInt("amount"), "fee": o.GetInt("fee"),
			"currency": o.GetString("currency"), "status": o.GetString("status"),
			"refund_requested": o.GetBool("refund_requested"), "problem": o.GetString("problem"),
			"payment_intent": o.GetString("payment_intent"), "listing": o.GetString("listing"),
			"buyer": x.personOrNil(o.GetString("buyer")), "seller": x.personOrNil(o.GetString("seller")),
			"created": isoDate(o.GetDateTime("created")), "updated": isoDate(o.GetDateTime("updated"))}
		if id := o.GetString("mini"); id != "" {
			out["mini"] = x.mini(id)
		}
		return out, nil
	})
}

func (x *exporter) sellerAccount() error {
	var out any // null when the member never connected Stripe
	if a, err := x.app.FindFirstRecordByFilter("seller_accounts", "user = {:me}", dbx.Params{"me": x.me.Id}); err == nil {
		out = map[string]any{"stripe_account": a.GetString("stripe_account"), "charges_enabled": a.GetBool("charges_enabled"),
			"payouts_enabled": a.GetBool("payouts_enabled"), "details_submitted": a.GetBool("details_submitted"),
			"created": isoDate(a.GetDateTime("created")), "updated": isoDate(a.GetDateTime("updated"))}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return x.writeJSON("seller_account.json", out)
}

func (x *exporter) miniGrants() error {
	return x.writeList("mini_programs.json", "mini_grants", dbx.HashExp{"user": x.me.Id}, func(g *core.Record) (any, error) {
		return map[string]any{"mini": x.mini(g.GetString("mini")), "permissions": rawJSON(g, "permissions"),
			"last_used": isoDate(g.GetDateTime("last_used")), "created": isoDate(g.GetDateTime("created"))}, nil
	})
}

func (x *exporter) miniStorage() error {
	own := dbx.HashExp{"user": x.me.Id, "scope": "user"}
	return x.writeList("mini_storage.json", "mini_storage", own, func(s *core.Record) (any, error) {
		return map[string]any{"mini": x.mini(s.GetString("mini")).Slug, "key": s.GetString("key"),
			"value": rawJSON(s, "value"), "updated": isoDate(s.GetDateTime("updated"))}, nil
	})
}

func (x *exporter) notifications() error {
	return x.writeList("notifications.json", "notifications", dbx.HashExp{"user": x.me.Id}, func(n *core.Record) (any, error) {
		return map[string]any{"kind": n.GetString("kind"), "by": x.personOrNil(n.GetString("actor")), "text": n.GetString("text"),
			"url": n.GetString("url"), "read": n.GetBool("read"), "created": isoDate(n.GetDateTime("created"))}, nil
	})
}

func (x *exporter) reports() error {
	return x.writeList("reports.json", "reports", dbx.HashExp{"reporter": x.me.Id}, func(r *core.Record) (any, error) {
		return map[string]any{"what": r.GetString("target_collection"), "id": r.GetString("target_id"), "reason": r.GetString("reason"),
			"note": r.GetString("note"), "state": r.GetString("state"), "created": isoDate(r.GetDateTime("created"))}, nil
	})
}

func (x *exporter) pushDevices() error {
	return x.writeList("push_devices.json", "push_subscriptions", dbx.HashExp{"user": x.me.Id}, func(p *core.Record) (any, error) {
		return map[string]any{"endpoint": p.GetString("endpoint"), "kinds": rawJSON(p, "kinds"), "created": isoDate(p.GetDateTime("created"))}, nil
	})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
