package moments

import (
	"encoding/json"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
	"plaza/hooks/live"
	"plaza/hooks/web"
	"plaza/templates"
)

// notices is what a member hears about: others' likes and comments on their
// moments, and replies to their comments elsewhere (from people whose
// comments they may see there: the post's author or their own friends).
const notices = `
	SELECT 'like' AS kind, l.created AS at, l.user AS who, p.id AS post, '' AS body
		FROM post_likes l JOIN posts p ON p.id = l.post
		WHERE p.author = {:me} AND l.user != {:me}
	UNION ALL
	SELECT 'comment', c.created, c.author, p.id, c.body
		FROM post_comments c JOIN posts p ON p.id = c.post
		WHERE p.author = {:me} AND c.author != {:me}
	UNION ALL
	SELECT 'reply', c.created, c.author, c.post, c.body
		FROM post_comments mine
		JOIN post_comments c ON c.reply_to = mine.id AND c.reply_to != ''
		JOIN posts p ON p.id = c.post
		WHERE mine.author = {:me} AND c.author != {:me} AND p.author != {:me}
			AND (c.author = p.author OR c.author IN (
				SELECT addressee FROM friendships WHERE requester = {:me} AND state = 'accepted'
				UNION SELECT requester FROM friendships WHERE addressee = {:me} AND state = 'accepted'))`

type notice struct {
	Kind string `db:"kind"`
	At   string `db:"at"`
	Who  string `db:"who"`
	Post string `db:"post"`
	Body string `db:"body"`
}

// countNotices lights the Moments tab with notices newer than the member last looked.
// The count is cached per member until a reaction or friendship touching
// them commits, or they look (moments_seen moves).
func countNotices(app core.App, member *core.Record, b *templates.Badges) error {
	seen := member.GetDateTime("moments_seen").String()
	cache := cachesOf(app).notices
	sc, ok, gen := cache.Get(member.Id)
	if ok && sc.seen == seen {
		b.Moments = sc.n
		return nil
	}
	err := app.DB().NewQuery("SELECT COUNT(*) FROM (" + notices + ") WHERE at > {:seen}").
		Bind(dbx.Params{"me": member.Id, "seen": seen}).Row(&b.Moments)
	if err == nil {
		cache.Put(gen, member.Id, seenCount{seen: seen, n: b.Moments})
	}
	return err
}

// showNotices is GET /moments/notices: the newest notices; opening it clears the dot.
func showNotices(e *core.RequestEvent) error {
	var rows []notice
	if err := e.App.DB().NewQuery("SELECT * FROM (" + notices + ") ORDER BY at DESC LIMIT 50").
		Bind(dbx.Params{"me": e.Auth.Id}).All(&rows); err != nil {
		return e.InternalServerError("", err)
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.Who)
	}
	faces, err := account.PeopleByID(e.App, ids)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.NoticesVM{}
	for _, r := range rows {
		n := templates.Notice{Who: faces[r.Who], Post: r.Post, At: r.At, Body: r.Body}
		switch r.Kind {
		case "like":
			n.What = "liked your moment"
		case "comment":
			n.What = "commented on your moment"
		default:
			n.What = "replied to your comment"
		}
		if at, err := types.ParseDateTime(r.At); err == nil {
			n.At = iso(at.Time())
		}
		vm.Notices = append(vm.Notices, n)
	}
	me := e.Auth
	me.Set("moments_seen", types.NowDateTime())
	if err := e.App.Save(me); err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome = web.Chrome(e, "moments")
	return web.Render(e, http.StatusOK, templates.NoticesPage(vm))
}

// announce lights the Moments tab of members' open tabs, and refreshes the
// post's card where it is on screen.
func announce(app core.App, post string, members ...string) {
	var to []string
	for _, m := range members {
		if m != "" {
			to = append(to, m)
		}
	}
	if len(to) == 0 {
		return
	}
	data, err := json.Marshal(map[string]string{"tab": "moments", "post": post})
	if err != nil {
		return
	}
	live.Publish(app, to, live.Event{Name: "notice", Data: data})
}
