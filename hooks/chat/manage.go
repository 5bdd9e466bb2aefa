package chat

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/web"
	"plaza/templates"
)

// canManage: the owner and admins run a group.
func canManage(room, membership *core.Record) bool {
	r := membership.GetString("role")
	return room.GetString("kind") == KindGroup && (r == RoleOwner || r == RoleAdmin)
}

func showInfo(e *core.RequestEvent) error {
	room, m, err := memberRoom(e)
	if err != nil {
		return err
	}
	return renderInfo(e, http.StatusOK, room, m, templates.RoomInfoVM{})
}

func renderInfo(e *core.RequestEvent, status int, room, me *core.Record, vm templates.RoomInfoVM) error {
	title, other, err := roomTitle(e.App, room, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome = web.Chrome(e, "chats")
	vm.RoomID, vm.Title, vm.Muted = room.Id, title, me.GetBool("muted")
	if room.GetString("kind") == KindChannel {
		// Everyone is in it: a count, not a list of the whole organisation.
		vm.Channel = true
		if err := e.App.DB().NewQuery("SELECT COUNT(*) FROM room_members WHERE room = {:r}").
			Bind(dbx.Params{"r": room.Id}).Row(&vm.MemberCount); err != nil {
			return e.InternalServerError("", err)
		}
		return web.Render(e, status, templates.RoomInfoPage(vm))
	}
	var rows []struct {
		User string `db:"user"`
		Role string `db:"role"`
	}
	if err := e.App.DB().NewQuery("SELECT user, role FROM room_members WHERE room = {:r} ORDER BY created").
		Bind(dbx.Params{"r": room.Id}).All(&rows); err != nil {
		return e.InternalServerError("", err)
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.User)
	}
	people, err := account.PeopleByID(e.App, ids)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Group = room.GetString("kind") == KindGroup
	vm.CanManage = canManage(room, me)
	if vm.Rename == "" {
		vm.Rename = room.GetString("title")
	}
	if !vm.Group {
		vm.Other = &other
	}
	for _, r := range rows {
		vm.Members = append(vm.Members, templates.RoomMember{Person: account.Face(people, r.User), Role: r.Role,
			Removable: vm.CanManage && r.User != e.Auth.Id && r.Role != RoleOwner})
	}
	if vm.CanManage {
		if vm.Addable, err = friendChoices(e.App, e.Auth.Id, nil, ids); err != nil {
			return e.InternalServerError("", err)
		}
	}
	return web.Render(e, status, templates.RoomInfoPage(vm))
}

func renameRoom(e *core.RequestEvent) error {
	room, me, err := memberRoom(e)
	if err != nil {
		return err
	}
	if !canManage(room, me) {
		return e.ForbiddenError(errNotAdmin.Error(), nil)
	}
	title := strings.TrimSpace(e.Request.FormValue("title"))
	var errs templates.FormErrors
	checkTitle(title, &errs)
	if errs.Any() {
		return renderInfo(e, http.StatusUnprocessableEntity, room, me, templates.RoomInfoVM{Rename: title, Errors: errs})
	}
	if title != room.GetString("title") {
		_, err = write(e.App, func(tx core.App, sq *seqs) ([]*core.Record, error) {
			r, err := tx.FindRecordById("rooms", room.Id)
			if err != nil {
				return nil, err
			}
			r.Set("title", title)
			if err := tx.Save(r); err != nil {
				return nil, err
			}
			m, err := sendTx(tx, sq, r.Id, Draft{Kind: "system", Body: e.Auth.GetString("name") + " renamed the group to “" + title + "”"})
			return []*core.Record{m}, err
		})
		if err != nil {
			return e.InternalServerError("", err)
		}
	}
	web.Flash(e, "Group renamed.")
	return web.SeeOther(e, "/chats/"+room.Id+"/info")
}

func addMembers(e *core.RequestEvent) error {
	room, me, err := memberRoom(e)
	if err != nil {
		return err
	}
	if !canManage(room, me) {
		return e.ForbiddenError(errNotAdmin.Error(), nil)
	}
	if err := e.Request.ParseForm(); err != nil {
		return e.BadRequestError("The form could not be read. Try again.", err)
	}
	current, err := MemberIDs(e.App, room.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	add := slices.DeleteFunc(uniqueWithout(e.Request.PostForm["members"], e.Auth.Id), func(id string) bool { return slices.Contains(current, id) })
	var errs templates.FormErrors
	switch {
	case len(add) == 0:
		errs.Add("members", "Add members", "Choose at least one friend to add.")
	case len(current)+len(add) > maxGroupSize:
		errs.Add("members", "Add members", errGroupTooBig.Error())
	default:
		if err := checkFriends(e.App, e.Auth.Id, add); err != nil {
			errs.Add("members", "Add members", err.Error())
		}
	}
	if errs.Any() {
		return renderInfo(e, http.StatusUnprocessableEntity, room, me, templates.RoomInfoVM{Errors: errs})
	}
	people, err := account.PeopleByID(e.App, add)
	if err != nil {
		return e.InternalServerError("", err)
	}
	var names []string
	for _, id := range add {
		names = append(names, people[id].Name)
	}
	_, err = write(e.App, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		for _, id := range add {
			if err := addMember(tx, room.Id, id, RoleMember); err != nil {
				return nil, err
			}
		}
		m, err := sendTx(tx, sq, room.Id, Draft{Kind: "system", Body: e.Auth.GetString("name") + " added " + joinNames(names)})
		return []*core.Record{m}, err
	})
	if err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Added "+joinNames(names)+".")
	return web.SeeOther(e, "/chats/"+room.Id+"/info")
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func removeMember(e *core.RequestEvent) error {
	room, me, err := memberRoom(e)
	if err != nil {
		return err
	}
	if !canManage(room, me) {
		return e.ForbiddenError(errNotAdmin.Error(), nil)
	}
	target, err := Membership(e.App, room.Id, e.Request.PathValue("userId"))
	if errors.Is(err, errNotMember) {
		return e.NotFoundError("", err)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	if target.GetString("role") == RoleOwner || target.GetString("user") == e.Auth.Id {
		return e.ForbiddenError("The owner can't be removed, and you leave a group with Leave.", nil)
	}
	name := "A member"
	if u, err := e.App.FindRecordById("users", target.GetString("user")); err == nil {
		name = u.GetString("name")
	}
	err = leaveTx(e.App, room.Id, target, e.Auth.GetString("name")+" removed "+name)
	if err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, name+" was removed from the group.")
	return web.SeeOther(e, "/chats/"+room.Id+"/info")
}

func leaveRoom(e *core.RequestEvent) error {
	room, me, err := memberRoom(e)
	if err != nil {
		return err
	}
	switch room.GetString("kind") {
	case KindChannel:
		return e.ForbiddenError("Every member stays in the organisation's channel; mute it instead.", nil)
	case KindDirect:
		return e.BadRequestError("You can't leave a direct chat; mute it instead.", nil)
	}
	if err := leaveTx(e.App, room.Id, me, e.Auth.GetString("name")+" left the group"); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "You left “"+room.GetString("title")+"”.")
	return web.SeeOther(e, "/chats")
}

// leaveTx takes a member out of a group with a system message; an owner who
// leaves hands the group to the longest-standing member.
func leaveTx(app core.App, roomID string, membership *core.Record, note string) error {
	_, err := write(app, func(tx core.App, sq *seqs) ([]*core.Record, error) {
		m, err := tx.FindRecordById("room_members", membership.Id)
		if err != nil {
			return nil, refuse(errNotMember)
		}
		wasOwner := m.GetString("role") == RoleOwner
		if err := tx.Delete(m); err != nil {
			return nil, err
		}
		if wasOwner {
			next, err := tx.FindRecordsByFilter("room_members", "room = {:r}", "created", 1, 0, dbx.Params{"r": roomID})
			if err != nil {
				return nil, err
			}
			if len(next) == 1 {
				next[0].Set("role", RoleOwner)
				if err := tx.Save(next[0]); err != nil {
					return nil, err
				}
			}
		}
		sys, err := sendTx(tx, sq, roomID, Draft{Kind: "system", Body: note})
		return []*core.Record{sys}, err
	})
	return err
}

func setMuted(e *core.RequestEvent) error {
	_, me, err := memberRoom(e)
	if err != nil {
		return err
	}
	mute := e.Request.FormValue("muted") == "1"
	me.Set("muted", mute)
	if err := e.App.Save(me); err != nil {
		return e.InternalServerError("", err)
	}
	syncUnread(e.App, e.Auth.Id)
	if mute {
		web.Flash(e, "Muted: this chat no longer counts on your Chats badge.")
	} else {
		web.Flash(e, "Unmuted.")
	}
	return web.SeeOther(e, web.SafeNext(e.Request.FormValue("next"), "/chats/"+me.GetString("room")+"/info"))
}
