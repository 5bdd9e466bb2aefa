package moments

import (
	"errors"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"plaza/hooks/account"
)

const (
	maxBody       = 5000
	maxComment    = 1000
	maxPhotos     = 9
	maxPhotoBytes = 10 << 20
	maxLocation   = 100
	feedPage      = 20
)

// Visibility values of posts.visibility.
var visibilities = []string{"friends", "public", "only", "except"}

// Draft is a post about to be stored.
type Draft struct {
	Author     string
	Body       string
	Photos     []*filesystem.File
	Visibility string
	People     []string // only/except: friends picked one by one
	Tags       []string // only/except: the author's tags
	Location   string
	Hidden     bool // held for moderators by the word filter
}

var (
	errAudience  = errors.New("Choose at least one friend or tag for this audience.")
	errNotFriend = errors.New("Audiences can only name your friends and your own tags.")
)

// resolveAudience turns picked friends and tags into the member ids an
// only/except post names (tags resolve now: people tagged later don't gain
// or lose access to old posts).
func resolveAudience(app core.App, d Draft) ([]string, error) {
	if d.Visibility != "only" && d.Visibility != "except" {
		return nil, nil
	}
	friends, err := account.FriendIDs(app, d.Author)
	if err != nil {
		return nil, err
	}
	var out []string
	add := func(id string) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, id := range d.People {
		if !slices.Contains(friends, id) {
			return nil, errNotFriend
		}
		add(id)
	}
	for _, tagID := range d.Tags {
		tag, err := app.FindFirstRecordByFilter("friend_tags", "id = {:id} && owner = {:me}", dbx.Params{"id": tagID, "me": d.Author})
		if err != nil {
			return nil, errNotFriend
		}
		for _, id := range tag.GetStringSlice("members") {
			if slices.Contains(friends, id) {
				add(id)
			}
		}
	}
	if len(d.People)+len(d.Tags) == 0 {
		return nil, errAudience
	}
	return out, nil
}

// Publish stores a post.
func Publish(app core.App, d Draft) (*core.Record, error) {
	audience, err := resolveAudience(app, d)
	if err != nil {
		return nil, err
	}
	c, err := app.FindCachedCollectionByNameOrId("posts")
	if err != nil {
		return nil, err
	}
	p := core.NewRecord(c)
	p.Set("author", d.Author)
	p.Set("body", d.Body)
	p.Set("visibility", d.Visibility)
	p.Set("audience", audience)
	p.Set("audience_tags", d.Tags)
	p.Set("location", d.Location)
	p.Set("hidden", d.Hidden)
	if len(d.Photos) > 0 {
		p.Set("photos", d.Photos)
	}
	return p, app.Save(p)
}

// Like records that member likes post (twice is once).
func Like(app core.App, post, member string) error {
	var n int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM post_likes WHERE post = {:p} AND user = {:u}").
		Bind(dbx.Params{"p": post, "u": member}).Row(&n); err != nil || n > 0 {
		return err
	}
	c, err := app.FindCachedCollectionByNameOrId("post_likes")
	if err != nil {
		return err
	}
	l := core.NewRecord(c)
	l.Set("post", post)
	l.Set("user", member)
	return app.Save(l)
}

// Unlike takes a like back.
func Unlike(app core.App, post, member string) error {
	likes, err := app.FindRecordsByFilter("post_likes", "post = {:p} && user = {:u}", "", 0, 0, dbx.Params{"p": post, "u": member})
	if err != nil {
		return err
	}
	for _, l := range likes {
		if err := app.Delete(l); err != nil {
			return err
		}
	}
	return nil
}

// Comment adds a comment (optionally replying to one on the same post).
func Comment(app core.App, post, author, body, replyTo string) (*core.Record, error) {
	return comment(app, post, author, body, replyTo, false)
}

// comment stores a comment, hidden when the word filter holds it.
func comment(app core.App, post, author, body, replyTo string, hidden bool) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId("post_comments")
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	r.Set("post", post)
	r.Set("author", author)
	r.Set("body", body)
	r.Set("reply_to", replyTo)
	r.Set("hidden", hidden)
	return r, app.Save(r)
}
