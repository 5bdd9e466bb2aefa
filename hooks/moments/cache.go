package moments

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
	"plaza/hooks/web"
)

// A feed page shows 20 posts with all their likes and comments, and every
// tab shows the notices badge. Both are cached per app: a post's card data
// (the post and all its reactions, before any viewer's filter) and each
// member's notice count. Record hooks drop entries once a change commits;
// what a viewer may see is still decided per request (visibleTo and
// seesReactionsOf), never cached.

type card struct {
	hidden                                 bool // by moderators
	id, author, body, location, visibility string
	audience                               int // how many members only/except names
	photos                                 []string
	created                                types.DateTime
	likes                                  []likeRow    // oldest first
	comments                               []commentRow // oldest first
}

type likeRow struct {
	Post string `db:"post"`
	User string `db:"user"`
}

type commentRow struct {
	ID      string         `db:"id"`
	Post    string         `db:"post"`
	Author  string         `db:"author"`
	Body    string         `db:"body"`
	ReplyTo string         `db:"reply_to"`
	Hidden  bool           `db:"hidden"`
	Created types.DateTime `db:"created"`
}

type seenCount struct {
	seen string // the member's moments_seen the count is for
	n    int
}

// head is the first page of a member's feed, good until until.
type head struct {
	posts []listed
	until time.Time
}

type caches struct {
	cards   *web.Cache[*card]     // post id → card data
	notices *web.Cache[seenCount] // member → unseen notices
	heads   *web.Cache[head]      // member → first page of their feed
}

const cachesKey = "plaza.moments.caches"

func cachesOf(app core.App) *caches {
	return app.Store().GetOrSet(cachesKey, func() any {
		return &caches{cards: web.NewCache[*card](20000), notices: web.NewCache[seenCount](50000),
			heads: web.NewCache[head](20000)}
	}).(*caches)
}

func bindCaches(app core.App) {
	c := func(e *core.ModelEvent) *caches { return cachesOf(e.App) }
	// A post can enter or leave the feed heads of its author and their
	// friends, or of everyone when it is (or was) public.
	dropHeads := func(e *core.ModelEvent, author string, public bool) {
		friends, err := account.FriendIDs(e.App, author)
		if public || err != nil {
			c(e).heads.Reset()
			return
		}
		c(e).heads.Drop(append(friends, author)...)
	}
	dropPost := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			c(e).cards.Drop(r.Id)
			c(e).notices.Drop(r.GetString("author"))
			dropHeads(e, r.GetString("author"),
				r.GetString("visibility") == "public" || r.Original().GetString("visibility") == "public")
		}
		return e.Next()
	}
	app.OnModelAfterCreateSuccess("posts").BindFunc(dropPost)
	app.OnModelAfterUpdateSuccess("posts").BindFunc(dropPost)
	app.OnModelAfterDeleteSuccess("posts").BindFunc(dropPost)
	// The history window decides which of a member's posts others see.
	app.OnModelAfterUpdateSuccess("users").BindFunc(func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok && r.GetString("privacy") != r.Original().GetString("privacy") {
			dropHeads(e, r.Id, true) // public posts reach everyone
		}
		return e.Next()
	})
	app.OnModelAfterDeleteSuccess("users").BindFunc(func(e *core.ModelEvent) error {
		c(e).heads.Reset()
		return e.Next()
	})

	// A reaction changes its post's card and the notices of the post's
	// author and, for a reply, of the member replied to.
	dropReaction := func(e *core.ModelEvent) error {
		r, ok := e.Model.(*core.Record)
		if !ok {
			return e.Next()
		}
		post := r.GetString("post")
		c(e).cards.Drop(post)
		var who []string
		err := e.App.DB().NewQuery(`SELECT author FROM posts WHERE id = {:p}
			UNION SELECT author FROM post_comments WHERE id = {:r} AND {:r} != ''`).
			Bind(dbx.Params{"p": post, "r": r.GetString("reply_to")}).Column(&who)
		if err != nil || len(who) == 0 {
			c(e).notices.Reset() // the post is gone (or unreadable): start over
		} else {
			c(e).notices.Drop(who...)
		}
		return e.Next()
	}
	for _, coll := range []string{"post_likes", "post_comments"} {
		app.OnModelAfterCreateSuccess(coll).BindFunc(dropReaction)
		app.OnModelAfterUpdateSuccess(coll).BindFunc(dropReaction)
		app.OnModelAfterDeleteSuccess(coll).BindFunc(dropReaction)
	}
	// Replies count only from the post's author or the member's friends.
	// and friends (and blocks) decide whose posts a member sees.
	dropFriends := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			c(e).notices.Drop(r.GetString("requester"), r.GetString("addressee"))
			c(e).heads.Drop(r.GetString("requester"), r.GetString("addressee"))
		}
		return e.Next()
	}
	app.OnModelAfterCreateSuccess("friendships").BindFunc(dropFriends)
	app.OnModelAfterUpdateSuccess("friendships").BindFunc(dropFriends)
	app.OnModelAfterDeleteSuccess("friendships").BindFunc(dropFriends)
}

// cards returns the card data of posts by id (missing ids: deleted posts are
// left out), from the cache or in three queries for the rest.
func cards(app core.App, ids []string) (map[string]*card, error) {
	cache := cachesOf(app).cards
	out := make(map[string]*card, len(ids))
	var missing []any
	var gen uint64
	for i, id := range ids {
		cd, ok, g := cache.Get(id)
		if i == 0 {
			gen = g
		}
		if ok {
			out[id] = cd
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	var posts []struct {
		ID         string                  `db:"id"`
		Author     string                  `db:"author"`
		Body       string                  `db:"body"`
		Location   string                  `db:"location"`
		Visibility string                  `db:"visibility"`
		Audience   types.JSONArray[string] `db:"audience"`
		Photos     types.JSONArray[string] `db:"photos"`
		Hidden     bool                    `db:"hidden"`
		Created    types.DateTime          `db:"created"`
	}
	var likes []likeRow
	var comments []commentRow
	db := app.DB()
	if err := db.Select("id", "author", "body", "location", "visibility", "audience", "photos", "hidden", "created").
		From("posts").Where(dbx.In("id", missing...)).All(&posts); err != nil {
		return nil, err
	}
	if err := db.Select("post", "user").From("post_likes").Where(dbx.In("post", missing...)).
		OrderBy("created", "id").All(&likes); err != nil {
		return nil, err
	}
	if err := db.Select("id", "post", "author", "body", "reply_to", "hidden", "created").From("post_comments").
		Where(dbx.In("post", missing...)).OrderBy("created", "id").All(&comments); err != nil {
		return nil, err
	}
	loaded := make(map[string]*card, len(posts))
	for _, p := range posts {
		loaded[p.ID] = &card{id: p.ID, author: p.Author, body: p.Body, location: p.Location,
			visibility: p.Visibility, audience: len(p.Audience), photos: p.Photos, created: p.Created, hidden: p.Hidden}
	}
	for _, l := range likes {
		if cd := loaded[l.Post]; cd != nil {
			cd.likes = append(cd.likes, l)
		}
	}
	for _, cm := range comments {
		if cd := loaded[cm.Post]; cd != nil {
			cd.comments = append(cd.comments, cm)
		}
	}
	for id, cd := range loaded {
		out[id] = cd
		if !app.IsTransactional() {
			cache.Put(gen, id, cd)
		}
	}
	return out, nil
}
