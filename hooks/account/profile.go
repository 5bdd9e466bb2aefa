package account

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"plaza/hooks/web"
	"plaza/templates"
)

const maxAvatarBytes = 5 << 20

func showMe(e *core.RequestEvent) error {
	return web.Render(e, http.StatusOK, templates.MePage(templates.MeVM{
		Chrome: web.Chrome(e, "me"), Me: web.Person(e.Auth), Email: e.Auth.Email(), Role: e.Auth.GetString("role"),
	}))
}

func showEditProfile(e *core.RequestEvent) error {
	return renderEditProfile(e, http.StatusOK, templates.EditProfileVM{Name: e.Auth.GetString("name"), Bio: e.Auth.GetString("bio")})
}

func renderEditProfile(e *core.RequestEvent, status int, vm templates.EditProfileVM) error {
	vm.Chrome = web.Chrome(e, "me")
	vm.Me = web.Person(e.Auth)
	return web.Render(e, status, templates.EditProfilePage(vm))
}

func editProfile(e *core.RequestEvent) error {
	vm := templates.EditProfileVM{
		Name: strings.TrimSpace(e.Request.FormValue("name")),
		Bio:  strings.TrimSpace(e.Request.FormValue("bio")),
	}
	checkName(vm.Name, &vm.Errors)
	if utf8.RuneCountInString(vm.Bio) > maxBioLen {
		vm.Errors.Add("bio", "About you", "Keep it under 280 characters.")
	}
	avatar, refusal, err := uploadedImage(e, "avatar")
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return e.Error(http.StatusRequestEntityTooLarge, "", err)
	} else if err != nil {
		return e.BadRequestError("The upload could not be read. Try again.", err)
	}
	status := http.StatusUnprocessableEntity
	if refusal != nil {
		vm.Errors.Add("avatar", "Photo", refusal.Message)
		status = refusal.Status
	}
	if vm.Errors.Any() {
		return renderEditProfile(e, status, vm)
	}

	member := e.Auth
	member.Set("name", vm.Name)
	member.Set("bio", vm.Bio)
	if avatar != nil {
		member.Set("avatar", avatar)
	} else if e.Request.FormValue("remove_avatar") == "1" {
		member.Set("avatar", nil)
	}
	if err := e.App.Save(member); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Profile saved.")
	return web.SeeOther(e, "/me")
}

// avatarRule is what the profile photo field accepts.
var avatarRule = web.UploadRule{
	MaxBytes:    maxAvatarBytes,
	TooBig:      "This photo is {size}; the limit is {limit}. Choose a smaller one.",
	NotAccepted: "This file is not a picture Plaza can show. Use a JPEG, PNG, GIF or WebP image.",
}

// uploadedImage returns the single image uploaded in field, or the refusal
// to show the member. No file is fine: (nil, nil, nil).
func uploadedImage(e *core.RequestEvent, field string) (*filesystem.File, *web.Problem, error) {
	files, err := web.Uploads(e, field)
	if err != nil || len(files) == 0 {
		return nil, nil, err
	}
	checked, refusal, err := avatarRule.Files(files[:1])
	if refusal != nil || err != nil {
		return nil, refusal, err
	}
	return checked[0], nil, nil
}

func showPrivacy(e *core.RequestEvent) error {
	p := PrivacyOf(e.Auth)
	return web.Render(e, http.StatusOK, templates.PrivacyPage(templates.PrivacyVM{
		Chrome: web.Chrome(e, "me"), Discoverable: p.Discoverable, WhoCanAdd: p.WhoCanAdd, MomentsWindow: p.MomentsWindow,
	}))
}

func savePrivacy(e *core.RequestEvent) error {
	p := Privacy{
		Discoverable:  e.Request.FormValue("discoverable") == "1",
		WhoCanAdd:     e.Request.FormValue("who_can_add"),
		MomentsWindow: e.Request.FormValue("moments_window"),
	}
	vm := templates.PrivacyVM{Discoverable: p.Discoverable, WhoCanAdd: p.WhoCanAdd, MomentsWindow: p.MomentsWindow}
	if !contains(whoCanAddValues, p.WhoCanAdd) {
		vm.Errors.Add("who_can_add", "Friend requests", "Choose who can send you friend requests.")
	}
	if !contains(momentsWindowValues, p.MomentsWindow) {
		vm.Errors.Add("moments_window", "Moments", "Choose how far back others can see your moments.")
	}
	if vm.Errors.Any() {
		vm.Chrome = web.Chrome(e, "me")
		return web.Render(e, http.StatusUnprocessableEntity, templates.PrivacyPage(vm))
	}
	e.Auth.Set("privacy", p)
	if err := e.App.Save(e.Auth); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Privacy settings saved.")
	return web.SeeOther(e, "/me")
}

const peoplePerPage = 30

// showPeople lists discoverable active members by name, with search; members
// either side has blocked are left out.
func showPeople(e *core.RequestEvent) error {
	q := strings.TrimSpace(e.Request.URL.Query().Get("q"))
	page, _ := strconv.Atoi(e.Request.URL.Query().Get("page")) // a bad number means the first page
	if page < 1 {
		page = 1
	}
	filter := `id != {:me} && status = "active" && privacy.discoverable = true`
	params := dbx.Params{"me": e.Auth.Id, "q": q}
	if q != "" {
		filter += " && name ~ {:q}"
	}
	recs, err := e.App.FindRecordsByFilter("users", filter, "name", peoplePerPage+1, (page-1)*peoplePerPage, params)
	if err != nil {
		return e.InternalServerError("", err)
	}
	more := len(recs) > peoplePerPage
	if more {
		recs = recs[:peoplePerPage]
	}
	rels, err := relationsWith(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.PeopleVM{Chrome: web.Chrome(e, "me"), Query: q}
	for _, r := range recs {
		rel := rels[r.Id]
		if rel == Blocking || rel == BlockedBy {
			continue
		}
		vm.People = append(vm.People, templates.PersonRow{Person: web.Person(r), Relation: relationLabel(rel)})
	}
	link := func(p int) string {
		v := url.Values{"page": {strconv.Itoa(p)}}
		if q != "" {
			v.Set("q", q)
		}
		return "/people?" + v.Encode()
	}
	if more {
		vm.NextURL = link(page + 1)
	}
	if page > 1 {
		vm.PrevURL = link(page - 1)
	}
	return web.Render(e, http.StatusOK, templates.PeoplePage(vm))
}

// relationsWith maps every member who has a friendship row with me to how I
// stand to them (one query, for lists).
func relationsWith(app core.App, me string) (map[string]Relation, error) {
	rows, err := app.FindRecordsByFilter("friendships", "requester = {:me} || addressee = {:me}", "", 0, 0, dbx.Params{"me": me})
	if err != nil {
		return nil, err
	}
	byOther := map[string][]*core.Record{}
	for _, r := range rows {
		other := r.GetString("addressee")
		if other == me {
			other = r.GetString("requester")
		}
		byOther[other] = append(byOther[other], r)
	}
	out := make(map[string]Relation, len(byOther))
	for other, rs := range byOther {
		out[other] = relationFrom(me, rs)
	}
	return out, nil
}

func relationLabel(r Relation) string {
	switch r {
	case Friends:
		return "Friend"
	case RequestSent:
		return "Request sent"
	case RequestReceived:
		return "Wants to be your friend"
	}
	return ""
}

// relationSlug names a relation for templates and tests. A member who was
// blocked sees a stranger: nothing on the page reveals the block.
func relationSlug(r Relation) string {
	if r == BlockedBy {
		r = Strangers
	}
	return [...]string{"strangers", "friends", "sent", "received", "blocking", "blocked_by", "self"}[r]
}

func showProfile(e *core.RequestEvent) error {
	return renderProfile(e, http.StatusOK, e.Request.PathValue("id"), "")
}

// renderProfile shows member id's profile to the viewer, optionally with a
// refused action's message.
func renderProfile(e *core.RequestEvent, status int, id, errMsg string) error {
	other, err := findActiveMember(e.App, id)
	if err != nil {
		return e.NotFoundError("", err)
	}
	rel, err := RelationBetween(e.App, e.Auth.Id, other.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return web.Render(e, status, templates.ProfilePage(templates.ProfileVM{
		Chrome:   web.Chrome(e, "me"),
		Person:   web.Person(other),
		Relation: relationSlug(rel),
		Role:     other.GetString("role"),
		Error:    errMsg,
	}))
}

// findActiveMember finds a member others can see (pending accounts are not
// members yet). Suspended members keep a profile page marked suspended.
func findActiveMember(app core.App, id string) (*core.Record, error) {
	r, err := app.FindRecordById("users", id)
	if err != nil {
		return nil, err
	}
	if r.GetString("status") == StatusPending {
		return nil, errNotMember
	}
	return r, nil
}

var errNotMember = errors.New("account not approved yet")
