package moments

import (
	"slices"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

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
	var likes, comments []*core.Record
	if err := app.RecordQuery("post_likes").AndWhere(dbx.In("post", ids...)).OrderBy("created").All(&likes); err != nil {
		return nil, err
	}
	if err := app.RecordQuery("post_comments").AndWhere(dbx.In("post", ids...)).OrderBy("created").All(&comments); err != nil {
		return nil, err
	}
	people := map[string]bool{}
	for _, p := range posts {
		people[p.GetString("author")] = true
	}
	for _, l := range likes {
		people[l.GetString("user")] = true
	}
	for _, c := range comments {
		people[c.GetString("author")] = true
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
		commentAuthor[c.Id] = c.GetString("author")
	}
	for _, l := range likes {
		post, who := l.GetString("post"), l.GetString("user")
		if who == viewer {
			byID[post].Liked = true
		}
		if seesReactionsOf(viewer, authorOf[post], friends)(who) {
			byID[post].Likers = append(byID[post].Likers, faces[who])
		}
	}
	for _, c := range comments {
		post, who := c.GetString("post"), c.GetString("author")
		sees := seesReactionsOf(viewer, authorOf[post], friends)
		if !sees(who) {
			continue
		}
		vm := templates.CommentVM{ID: c.Id, Author: faces[who], Body: c.GetString("body"), At: iso(c.GetDateTime("created").Time()),
			CanDelete: who == viewer || authorOf[post] == viewer}
		if to, ok := commentAuthor[c.GetString("reply_to")]; ok && sees(to) {
			vm.ReplyTo = faces[to].Name
		}
		byID[post].Comments = append(byID[post].Comments, vm)
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
