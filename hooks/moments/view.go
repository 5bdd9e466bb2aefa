package moments

import (
	"slices"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
	"plaza/templates"
)

// postViews builds the cards for posts as viewer sees them: likes and
// comments only from the author, the viewer and the viewer's friends. A
// fixed number of queries however many posts there are.
func postViews(app core.App, viewer string, posts []*core.Record) ([]templates.PostVM, error) {
	if len(posts) == 0 {
		return nil, nil
	}
	friendIDs, err := account.FriendIDs(app, viewer)
	if err != nil {
		return nil, err
	}
	friends := make(map[string]bool, len(friendIDs))
	for _, id := range friendIDs {
		friends[id] = true
	}
	ids := make([]any, 0, len(posts))
	for _, p := range posts {
		ids = append(ids, p.Id)
	}
	// Plain rows, not records: a page names many likes and comments.
	var likes []struct {
		Post string `db:"post"`
		User string `db:"user"`
	}
	var comments []struct {
		ID      string         `db:"id"`
		Post    string         `db:"post"`
		Author  string         `db:"author"`
		Body    string         `db:"body"`
		ReplyTo string         `db:"reply_to"`
		Created types.DateTime `db:"created"`
	}
	if err := app.DB().Select("post", "user").From("post_likes").Where(dbx.In("post", ids...)).OrderBy("created").All(&likes); err != nil {
		return nil, err
	}
	if err := app.DB().Select("id", "post", "author", "body", "reply_to", "created").From("post_comments").
		Where(dbx.In("post", ids...)).OrderBy("created").All(&comments); err != nil {
		return nil, err
	}
	people := map[string]bool{}
	for _, p := range posts {
		people[p.GetString("author")] = true
	}
	for _, l := range likes {
		people[l.User] = true
	}
	for _, c := range comments {
		people[c.Author] = true
	}
	names := make([]string, 0, len(people))
	for id := range people {
		names = append(names, id)
	}
	faces, err := account.PeopleByID(app, names)
	if err != nil {
		return nil, err
	}

	byID := map[string]*templates.PostVM{}
	out := make([]templates.PostVM, 0, len(posts))
	for _, p := range posts {
		out = append(out, postView(p, viewer, faces))
	}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	authorOf := map[string]string{}
	for _, p := range posts {
		authorOf[p.Id] = p.GetString("author")
	}
	commentAuthor := map[string]string{}
	for _, c := range comments {
		commentAuthor[c.ID] = c.Author
	}
	for _, l := range likes {
		if l.User == viewer {
			byID[l.Post].Liked = true
		}
		if seesReactionsOf(viewer, authorOf[l.Post], friends)(l.User) {
			byID[l.Post].Likers = append(byID[l.Post].Likers, faces[l.User])
		}
	}
	for _, c := range comments {
		sees := seesReactionsOf(viewer, authorOf[c.Post], friends)
		if !sees(c.Author) {
			continue
		}
		vm := templates.CommentVM{ID: c.ID, Author: faces[c.Author], Body: c.Body, At: iso(c.Created.Time()),
			CanDelete: c.Author == viewer || authorOf[c.Post] == viewer}
		if to, ok := commentAuthor[c.ReplyTo]; ok && sees(to) {
			vm.ReplyTo = faces[to].Name
		}
		byID[c.Post].Comments = append(byID[c.Post].Comments, vm)
	}
	return out, nil
}

func postView(p *core.Record, viewer string, faces map[string]templates.Person) templates.PostVM {
	author := p.GetString("author")
	vm := templates.PostVM{
		ID: p.Id, Author: faces[author], Own: author == viewer, Body: p.GetString("body"),
		Location: p.GetString("location"), At: iso(p.GetDateTime("created").Time()),
	}
	if vm.Author.ID == "" {
		vm.Author = templates.Person{ID: author, Name: "Deleted member"}
	}
	photos := p.GetStringSlice("photos")
	for _, name := range photos {
		base := "/moments/" + p.Id + "/photos/" + name
		thumb := base + "?thumb=240x240" // square crops for the grid
		if len(photos) == 1 {
			thumb = base + "?thumb=720x0" // a lone photo keeps its shape
		}
		vm.Photos = append(vm.Photos, templates.Photo{Thumb: thumb, Full: base + "?thumb=720x0"})
	}
	if vm.Own {
		vm.Audience = audienceLabel(p)
	}
	return vm
}

// audienceLabel tells the author who sees their post.
func audienceLabel(p *core.Record) string {
	n := len(p.GetStringSlice("audience"))
	switch p.GetString("visibility") {
	case "public":
		return "Everyone"
	case "only":
		return "Only " + strconv.Itoa(n) + " " + plural(n, "friend", "friends")
	case "except":
		return "Friends except " + strconv.Itoa(n)
	}
	return "Friends"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// composeChoices lists the author's friends and tags as audience checkboxes.
func composeChoices(app core.App, me string, people, tags []string) ([]templates.Choice, []templates.Choice, error) {
	ids, err := account.FriendIDs(app, me)
	if err != nil {
		return nil, nil, err
	}
	faces, err := account.PeopleByID(app, ids)
	if err != nil {
		return nil, nil, err
	}
	var pc []templates.Choice
	for _, p := range faces {
		pc = append(pc, templates.Choice{ID: p.ID, Label: p.Name, Checked: slices.Contains(people, p.ID)})
	}
	slices.SortFunc(pc, func(a, b templates.Choice) int { return compareFold(a.Label, b.Label) })
	recs, err := app.FindRecordsByFilter("friend_tags", "owner = {:me}", "name", 0, 0, dbx.Params{"me": me})
	if err != nil {
		return nil, nil, err
	}
	var tc []templates.Choice
	for _, t := range recs {
		tc = append(tc, templates.Choice{ID: t.Id, Label: t.GetString("name"), Checked: slices.Contains(tags, t.Id)})
	}
	return pc, tc, nil
}
