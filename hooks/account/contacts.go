package account

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

func showFriends(e *core.RequestEvent) error {
	me := e.Auth.Id
	rows, err := e.App.FindRecordsByFilter("friendships", "requester = {:me} || addressee = {:me}", "-updated", 0, 0, dbx.Params{"me": me})
	if err != nil {
		return e.InternalServerError("", err)
	}
	people, err := othersOf(e.App, me, rows)
	if err != nil {
		return e.InternalServerError("", err)
	}
	tags, err := tagRows(e.App, me)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.FriendsVM{Chrome: web.Chrome(e, "me"), Tags: tags}
	for _, r := range rows {
		mine := r.GetString("requester") == me
		p, ok := people[otherOf(me, r)]
		if !ok {
			continue
		}
		switch state := r.GetString("state"); {
		case state == stateAccepted:
			vm.Friends = append(vm.Friends, p)
		case state == statePending && mine:
			vm.Outgoing = append(vm.Outgoing, p)
		case state == statePending:
			vm.Incoming = append(vm.Incoming, p)
		case state == stateBlocked && mine:
			vm.Blocked = append(vm.Blocked, p)
		}
	}
	slices.SortFunc(vm.Friends, func(a, b templates.Person) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return web.Render(e, http.StatusOK, templates.FriendsPage(vm))
}

func otherOf(me string, r *core.Record) string {
	if r.GetString("requester") == me {
		return r.GetString("addressee")
	}
	return r.GetString("requester")
}

// othersOf loads, in one query, the members on the other side of rows.
func othersOf(app core.App, me string, rows []*core.Record) (map[string]templates.Person, error) {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, otherOf(me, r))
	}
	return PeopleByID(app, ids)
}

// Face is id's face from people (as PeopleByID returned them), or "Deleted
// member" when the account is gone.
func Face(people map[string]templates.Person, id string) templates.Person {
	if p, ok := people[id]; ok {
		return p
	}
	return templates.Person{ID: id, Name: "Deleted member"}
}

// PeopleByID returns members' public faces by id (a fresh map), from the
// cache or in one query for the rest; unknown ids are left out.
func PeopleByID(app core.App, ids []string) (map[string]templates.Person, error) {
	out := make(map[string]templates.Person, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	people := cachesOf(app).people
	var missing []any
	var gen uint64
	for i, id := range ids {
		p, ok, g := people.Get(id)
		if i == 0 {
			gen = g // the oldest generation read: Put refuses if anything changed since
		}
		if ok {
			out[id] = p
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     string `db:"id"`
		Name   string `db:"name"`
		Avatar string `db:"avatar"`
		Bio    string `db:"bio"`
		Status string `db:"status"`
	}
	err := app.DB().Select("id", "name", "avatar", "bio", "status").From("users").Where(dbx.In("id", missing...)).All(&rows)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p := templates.Person{ID: r.ID, Name: r.Name, AvatarURL: web.AvatarURL(r.ID, r.Avatar), Bio: r.Bio, Status: r.Status}
		out[r.ID] = p
		if !app.IsTransactional() {
			people.Put(gen, r.ID, p)
		}
	}
	return out, nil
}

// actOnFriend performs request, cancel, accept, decline, remove, block or
// unblock towards a member. A refusal re-renders their profile with the reason.
func actOnFriend(e *core.RequestEvent) error {
	other, err := findActiveMember(e.App, e.Request.PathValue("userId"))
	if err != nil {
		return e.NotFoundError("", err)
	}
	me := e.Auth.Id
	var done string
	switch e.Request.PathValue("action") {
	case "request":
		err, done = sendRequest(e.App, e.Auth, other), "Friend request sent to "+other.GetString("name")+"."
	case "cancel":
		err, done = cancelRequest(e.App, me, other.Id), "Friend request cancelled."
	case "accept":
		err, done = acceptRequest(e.App, me, other.Id), "You and "+other.GetString("name")+" are now friends."
	case "decline":
		err, done = declineRequest(e.App, me, other.Id), "Friend request declined."
	case "remove":
		err, done = removeFriend(e.App, me, other.Id), other.GetString("name")+" is no longer your friend."
	case "block":
		err, done = block(e.App, me, other.Id), other.GetString("name")+" is blocked. They can't send you requests or messages."
	case "unblock":
		err, done = unblock(e.App, me, other.Id), other.GetString("name")+" is unblocked."
	default:
		return e.NotFoundError("", nil)
	}
	switch {
	case errors.Is(err, errSelf):
		return renderProfile(e, http.StatusBadRequest, other.Id, err.Error())
	case errors.Is(err, errCannotRequest):
		return renderProfile(e, http.StatusForbidden, other.Id, err.Error())
	case errors.Is(err, errAlreadyFriend), errors.Is(err, errNoRequest):
		return renderProfile(e, http.StatusConflict, other.Id, err.Error())
	case err != nil && other.Id == me:
		return renderProfile(e, http.StatusBadRequest, other.Id, "You can't do that to yourself.")
	case err != nil:
		return e.InternalServerError("", err)
	}
	web.Flash(e, done)
	return web.SeeOther(e, web.SafeNext(e.Request.FormValue("next"), "/u/"+other.Id))
}

// ---- friend tags ----

const maxTagName = 30

func tagRows(app core.App, owner string) ([]templates.TagRow, error) {
	recs, err := app.FindRecordsByFilter("friend_tags", "owner = {:me}", "name", 0, 0, dbx.Params{"me": owner})
	if err != nil {
		return nil, err
	}
	out := make([]templates.TagRow, 0, len(recs))
	for _, r := range recs {
		out = append(out, templates.TagRow{ID: r.Id, Name: r.GetString("name"), Count: len(r.GetStringSlice("members"))})
	}
	return out, nil
}

func showTags(e *core.RequestEvent) error {
	return renderTags(e, http.StatusOK, templates.TagsVM{})
}

func renderTags(e *core.RequestEvent, status int, vm templates.TagsVM) error {
	tags, err := tagRows(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome, vm.Tags = web.Chrome(e, "me"), tags
	return web.Render(e, status, templates.TagsPage(vm))
}

// checkTagName validates a tag name, unique among the owner's tags (except tag self).
func checkTagName(app core.App, owner, name, self string, errs *templates.FormErrors) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs.Add("name", "Tag name", "Give the tag a name, like “Family”.")
		return
	case n > maxTagName:
		errs.Add("name", "Tag name", "Keep tag names under 30 characters.")
		return
	}
	existing, err := app.FindFirstRecordByFilter("friend_tags", "owner = {:o} && name = {:n}", dbx.Params{"o": owner, "n": name})
	if err == nil && existing.Id != self {
		errs.Add("name", "Tag name", "You already have a tag with this name.")
	}
}

func createTag(e *core.RequestEvent) error {
	vm := templates.TagsVM{Name: strings.TrimSpace(e.Request.FormValue("name"))}
	checkTagName(e.App, e.Auth.Id, vm.Name, "", &vm.Errors)
	if vm.Errors.Any() {
		return renderTags(e, http.StatusUnprocessableEntity, vm)
	}
	c, err := e.App.FindCachedCollectionByNameOrId("friend_tags")
	if err != nil {
		return e.InternalServerError("", err)
	}
	tag := core.NewRecord(c)
	tag.Set("owner", e.Auth.Id)
	tag.Set("name", vm.Name)
	if err := e.App.Save(tag); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Tag “"+vm.Name+"” added. Now choose who carries it.")
	return web.SeeOther(e, "/friends/tags/"+tag.Id)
}

// ownTag finds one of the viewer's tags; other members' tags are 404s.
func ownTag(e *core.RequestEvent) (*core.Record, error) {
	tag, err := e.App.FindFirstRecordByFilter("friend_tags", "id = {:id} && owner = {:me}",
		dbx.Params{"id": e.Request.PathValue("tagId"), "me": e.Auth.Id})
	if err != nil {
		return nil, e.NotFoundError("", err)
	}
	return tag, nil
}

func showTag(e *core.RequestEvent) error {
	tag, err := ownTag(e)
	if err != nil {
		return err
	}
	return renderTag(e, http.StatusOK, tag.Id, templates.TagEditVM{Name: tag.GetString("name")}, tag.GetStringSlice("members"))
}

func renderTag(e *core.RequestEvent, status int, id string, vm templates.TagEditVM, checked []string) error {
	ids, err := FriendIDs(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	people, err := PeopleByID(e.App, ids)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome, vm.ID = web.Chrome(e, "me"), id
	for _, p := range people {
		vm.Friends = append(vm.Friends, templates.TagChoice{Person: p, Checked: slices.Contains(checked, p.ID)})
	}
	slices.SortFunc(vm.Friends, func(a, b templates.TagChoice) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return web.Render(e, status, templates.TagEditPage(vm))
}

func saveTag(e *core.RequestEvent) error {
	tag, err := ownTag(e)
	if err != nil {
		return err
	}
	if err := e.Request.ParseForm(); err != nil {
		return e.BadRequestError("The form could not be read. Try again.", err)
	}
	vm := templates.TagEditVM{Name: strings.TrimSpace(e.Request.PostFormValue("name"))}
	members := e.Request.PostForm["members"]
	checkTagName(e.App, e.Auth.Id, vm.Name, tag.Id, &vm.Errors)
	friends, err := FriendIDs(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	for _, m := range members {
		if !slices.Contains(friends, m) {
			vm.Errors.Add("members", "Friends", "Only your friends can carry your tags. Reload the page and choose again.")
			break
		}
	}
	if vm.Errors.Any() {
		return renderTag(e, http.StatusUnprocessableEntity, tag.Id, vm, members)
	}
	tag.Set("name", vm.Name)
	tag.Set("members", members)
	if err := e.App.Save(tag); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Tag “"+vm.Name+"” saved.")
	return web.SeeOther(e, "/friends/tags")
}

func deleteTag(e *core.RequestEvent) error {
	tag, err := ownTag(e)
	if err != nil {
		return err
	}
	if err := e.App.Delete(tag); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Tag “"+tag.GetString("name")+"” deleted.")
	return web.SeeOther(e, "/friends/tags")
}

// untag takes member out of all of owner's tags.
func untag(tx core.App, owner, member string) error {
	tags, err := tx.FindRecordsByFilter("friend_tags", "owner = {:o} && members.id ?= {:m}", "", 0, 0, dbx.Params{"o": owner, "m": member})
	if err != nil {
		return err
	}
	for _, t := range tags {
		t.Set("members-", member)
		if err := tx.Save(t); err != nil {
			return err
		}
	}
	return nil
}
