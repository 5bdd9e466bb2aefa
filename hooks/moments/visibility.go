package moments

import (
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// visibleTo is the one definition of who sees a post, as SQL over posts p
// joined with their author u, for viewer {:me}:
//   - your own posts, always (hidden by moderators or not);
//   - nothing hidden by moderators;
//   - nothing from a member either of you blocked;
//   - nothing older than the author's history window (3 days, 1 month, 6 months);
//   - public: every member; friends: the author's friends;
//     only: the friends it names; except: friends but those it names.
//
// The feed, albums, single posts, photos, likes and comments all use it.
const visibleTo = `(
	p.author = {:me}
	OR (
		p.hidden = 0
		AND p.author NOT IN (
			SELECT addressee FROM friendships WHERE requester = {:me} AND state = 'blocked'
			UNION SELECT requester FROM friendships WHERE addressee = {:me} AND state = 'blocked')
		AND p.created >= CASE COALESCE(json_extract(u.privacy, '$.moments_window'), 'all')
			WHEN '3d' THEN strftime('%Y-%m-%d %H:%M:%fZ', 'now', '-3 days')
			WHEN '1m' THEN strftime('%Y-%m-%d %H:%M:%fZ', 'now', '-1 months')
			WHEN '6m' THEN strftime('%Y-%m-%d %H:%M:%fZ', 'now', '-6 months')
			ELSE '' END
		AND (
			p.visibility = 'public'
			OR (p.author IN (
					SELECT addressee FROM friendships WHERE requester = {:me} AND state = 'accepted'
					UNION SELECT requester FROM friendships WHERE addressee = {:me} AND state = 'accepted')
				AND (p.visibility = 'friends'
					OR (p.visibility = 'only' AND EXISTS (SELECT 1 FROM json_each(p.audience) WHERE value = {:me}))
					OR (p.visibility = 'except' AND NOT EXISTS (SELECT 1 FROM json_each(p.audience) WHERE value = {:me}))))
		)
	)
)`

// Page is a cursor into the feed: posts strictly older than (Created, ID).
type Page struct {
	Created string
	ID      string
}

// listed is a post in a feed or album: its id and its cursor.
type listed struct {
	ID      string `db:"id"`
	Created string `db:"created"`
}

// visiblePosts lists up to limit posts the viewer may see, newest first,
// optionally only by author and before a cursor.
func visiblePosts(app core.App, viewer, author string, before Page, limit int) ([]listed, error) {
	where := []string{visibleTo}
	params := dbx.Params{"me": viewer}
	if author != "" {
		where = append(where, "p.author = {:author}")
		params["author"] = author
	}
	if before.Created != "" {
		// A row value, so SQLite walks idx_posts_created (created, id) from the
		// cursor instead of sorting every older post.
		where = append(where, "(p.created, p.id) < ({:bc}, {:bid})")
		params["bc"], params["bid"] = before.Created, before.ID
	}
	var posts []listed
	err := app.DB().Select("p.id", "p.created").
		From("posts p").
		InnerJoin("users u", dbx.NewExp("u.id = p.author")).
		AndWhere(dbx.NewExp(strings.Join(where, " AND "), params)).
		OrderBy("p.created DESC", "p.id DESC").
		Limit(int64(limit)).
		All(&posts)
	return posts, err
}

// feedHead is the first page of a viewer's feed (limit posts), cached until
// something that could change it commits (see bindCaches) or until the first
// of its posts would leave its author's history window.
func feedHead(app core.App, viewer string, limit int) ([]listed, error) {
	cache := cachesOf(app).heads
	now := time.Now().UTC()
	h, ok, gen := cache.Get(viewer)
	if ok && now.Before(h.until) {
		return h.posts, nil
	}
	var rows []struct {
		listed
		Until string `db:"until"`
	}
	err := app.DB().Select("p.id", "p.created",
		`CASE WHEN p.author = {:me} THEN '' ELSE
			CASE COALESCE(json_extract(u.privacy, '$.moments_window'), 'all')
			WHEN '3d' THEN strftime('%Y-%m-%d %H:%M:%fZ', p.created, '+3 days')
			WHEN '1m' THEN strftime('%Y-%m-%d %H:%M:%fZ', p.created, '+1 months')
			WHEN '6m' THEN strftime('%Y-%m-%d %H:%M:%fZ', p.created, '+6 months')
			ELSE '' END END AS until`).
		From("posts p").
		InnerJoin("users u", dbx.NewExp("u.id = p.author")).
		AndWhere(dbx.NewExp(visibleTo, dbx.Params{"me": viewer})).
		OrderBy("p.created DESC", "p.id DESC").
		Limit(int64(limit)).
		All(&rows)
	if err != nil {
		return nil, err
	}
	h = head{posts: make([]listed, len(rows)), until: now.Add(24 * time.Hour)}
	for i, r := range rows {
		h.posts[i] = r.listed
		if r.Until == "" {
			continue
		}
		if t, err := types.ParseDateTime(r.Until); err == nil && t.Time().Before(h.until) {
			h.until = t.Time()
		} else if err != nil {
			h.until = now // unreadable: don't keep it
		}
	}
	cache.Put(gen, viewer, h)
	return h.posts, nil
}

// VisiblePost loads one post if the viewer may see it (else sql.ErrNoRows).
func VisiblePost(app core.App, viewer, id string) (*core.Record, error) {
	post := &core.Record{}
	err := app.RecordQuery("posts").
		From("posts p").
		InnerJoin("users u", dbx.NewExp("u.id = p.author")).
		Select("p.*").
		AndWhere(dbx.NewExp(visibleTo+" AND p.id = {:id}", dbx.Params{"me": viewer, "id": id})).
		Limit(1).
		One(post)
	if err != nil {
		return nil, err
	}
	return post, nil
}

// seesReactionsOf reports whose likes and comments the viewer sees under a
// post by author: the author's, their own, and their friends' — two of my
// friends who aren't friends never see each other's comments on my post.
func seesReactionsOf(viewer, author string, friends map[string]bool) func(string) bool {
	return func(who string) bool {
		return who == viewer || who == author || friends[who]
	}
}
