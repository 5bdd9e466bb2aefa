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

// postViews builds the cards for posts (by id, in order) as viewer sees
// them: likes and comments only from the author, the viewer and the viewer's
// friends. Card data and faces come from caches, so a warm page runs no
// query here; a cold one a fixed number, however many posts there are.
func postViews(app core.App, viewer string, ids []string) ([]templates.PostVM, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	friends, err := account.FriendSet(app, viewer)
	if err != nil {
		return nil, err
	}
	data, err := cards(app, ids)
	if err != nil {
		return nil, err
	}
	people := map[string]bool{}
	for _, cd := range data {
		people[cd.author] = true
		for _, l := range cd.likes {
			people[l.User] = true
		}
		for _, c := range cd.comments {
			people[c.Author] = true
		}
	}
	names := make([]string, 0, len(people))
	for id := range people {
		names = append(names, id)
	}
	faces, err := account.PeopleByID(app, names)
	if err != nil {
		return nil, err
	}

	out := make([]templates.PostVM, 0, len(ids))
	for _, id := range ids {
		cd := data[id]
		if cd == nil {
			continue // deleted since it was listed
		}
		vm := postView(cd, viewer, faces)
		sees := seesReactionsOf(viewer, cd.author, friends)
		for _, l := range cd.likes {
			if l.User == viewer {
				vm.Liked = true
			}
			if sees(l.User) {
				vm.Likers = append(vm.Likers, account.Face(faces, l.User))
			}
		}
		commentAuthor := make(map[string]string, len(cd.comments))
		for _, c := range cd.comments {
			commentAuthor[c.ID] = c.Author
		}
		for _, c := range cd.comments {
			if !sees(c.Author) || (c.Hidden && c.Author != viewer) {
				continue
			}
			cv := templates.CommentVM{ID: c.ID, Author: account.Face(faces, c.Author), Body: c.Body, At: iso(c.Created.Time()),
				CanDelete: c.Author == viewer || cd.author == viewer, Own: c.Author == viewer, Hidden: c.Hidden}
			if to, ok := commentAuthor[c.ReplyTo]; ok && sees(to) {
				cv.ReplyTo = account.Face(faces, to).Name
			}
			vm.Comments = append(vm.Comments, cv)
		}
		out = append(out, vm)
	}
	return out, nil
}

func postView(cd *card, viewer string, faces map[string]templates.Person) templates.PostVM {
	vm := templates.PostVM{
		ID: cd.id, Author: account.Face(faces, cd.author), Own: cd.author == viewer, Body: cd.body,
		Location: cd.location, At: iso(cd.created.Time()), Hidden: cd.hidden,
	}
	for _, name := range cd.photos {
		base := "/moments/" + cd.id + "/photos/" + name
		thumb := base + "?thumb=240x240" // square crops for the grid
		if len(cd.photos) == 1 {
			thumb = base + "?thumb=720x0" // a lone photo keeps its shape
		}
		vm.Photos = append(vm.Photos, templates.Photo{Thumb: thumb, Full: base + "?thumb=720x0"})
	}
	if vm.Own {
		vm.Audience = audienceLabel(cd.visibility, cd.audience)
	}
	return vm
}

// audienceLabel tells the author who sees their post.
func audienceLabel(visibility string, n int) string {
	switch visibility {
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
