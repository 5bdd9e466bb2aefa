package chat

import (
	"database/sql"
	"errors"

	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"plaza/hooks/account"
	"plaza/hooks/web"
	"plaza/templates"
)

const chatListLimit = 200

func showChats(e *core.RequestEvent) error {
	rows, err := roomsOf(e.App, e.Auth.Id, chatListLimit)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.ChatsVM{Chrome: web.Chrome(e, "chats")}
	for _, r := range rows {
		row := templates.RoomRow{ID: r.ID, Title: r.Title, When: isoTime(r.LastAt), Muted: r.Muted, Unread: max(0, r.LastSeq-r.LastRead)}
		row.Avatar = templates.Person{ID: r.ID, Name: r.Title}
		switch r.Kind {
		case KindDirect:
			row.Title = r.OtherName
			row.Avatar = templates.Person{ID: r.OtherID, Name: r.OtherName, AvatarURL: web.AvatarURL(r.OtherID, r.OtherAvatar)}
			if r.OtherID == "" {
				row.Title, row.Avatar.Name = "Deleted member", "?"
			}
		case KindChannel:
			row.Pinned, row.Avatar.AvatarURL = true, vm.Org.LogoURL
		}
		row.Preview = preview(r, r.Kind == KindGroup)
		vm.Rooms = append(vm.Rooms, row)
	}
	if e.Request.Header.Get(fragmentHeader) == "rooms" {
		return web.Render(e, http.StatusOK, templates.RoomRows(vm.Rooms))
	}
	return web.Render(e, http.StatusOK, templates.ChatsPage(vm))
}

// fragmentHeader asks for part of a page (live updates fetch just that).
const fragmentHeader = "X-Plaza-Fragment"

func showNewGroup(e *core.RequestEvent) error {
	return renderNewGroup(e, http.StatusOK, templates.NewGroupVM{}, nil)
}

func renderNewGroup(e *core.RequestEvent, status int, vm templates.NewGroupVM, checked []string) error {
	friends, err := friendChoices(e.App, e.Auth.Id, checked, nil)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome, vm.Friends = web.Chrome(e, "chats"), friends
	return web.Render(e, status, templates.NewGroupPage(vm))
}

// friendChoices lists the member's friends (minus skip) as checkboxes.
func friendChoices(app core.App, me string, checked, skip []string) ([]templates.TagChoice, error) {
	ids, err := account.FriendIDs(app, me)
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(skip, id) })
	people, err := account.PeopleByID(app, ids)
	if err != nil {
		return nil, err
	}
	out := make([]templates.TagChoice, 0, len(people))
	for _, p := range people {
		out = append(out, templates.TagChoice{Person: p, Checked: slices.Contains(checked, p.ID)})
	}
	slices.SortFunc(out, func(a, b templates.TagChoice) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

func checkTitle(title string, errs *templates.FormErrors) {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		errs.Add("title", "Group name", "Give the group a name.")
	case n > maxTitle:
		errs.Add("title", "Group name", "Keep the group name under 60 characters.")
	}
}

func createGroup(e *core.RequestEvent) error {
	if err := e.Request.ParseForm(); err != nil {
		return e.BadRequestError("The form could not be read. Try again.", err)
	}
	vm := templates.NewGroupVM{Title: strings.TrimSpace(e.Request.PostFormValue("title"))}
	members := uniqueWithout(e.Request.PostForm["members"], e.Auth.Id)
	checkTitle(vm.Title, &vm.Errors)
	if len(members) == 0 {
		vm.Errors.Add("members", "Members", "Choose at least one friend to chat with.")
	}
	if vm.Errors.Any() {
		return renderNewGroup(e, http.StatusUnprocessableEntity, vm, members)
	}
	room, err := CreateGroup(e.App, e.Auth, vm.Title, members)
	if errors.Is(err, errMembersOnly) || errors.Is(err, errGroupTooBig) {
		vm.Errors.Add("members", "Members", err.Error())
		return renderNewGroup(e, http.StatusUnprocessableEntity, vm, members)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	return web.SeeOther(e, "/chats/"+room.Id)
}

func openDirect(e *core.RequestEvent, userID string) error {
	other, err := e.App.FindRecordById("users", userID)
	if err != nil || other.Id == e.Auth.Id {
		return e.NotFoundError("", err)
	}
	room, err := OpenDirect(e.App, e.Auth.Id, other.Id)
	switch {
	case errors.Is(err, errNotFriends), errors.Is(err, errCannotDM):
		return e.ForbiddenError(err.Error(), err)
	case err != nil:
		return e.InternalServerError("", err)
	}
	return web.SeeOther(e, "/chats/"+room.Id)
}

// roomOfMember loads the room in the path if the viewer belongs to it, in one
// query; to anyone else it does not exist.
func roomOfMember(e *core.RequestEvent) (*core.Record, error) {
	room := &core.Record{}
	err := e.App.RecordQuery("rooms").
		InnerJoin("room_members", dbx.NewExp("room_members.room = rooms.id AND room_members.user = {:u}", dbx.Params{"u": e.Auth.Id})).
		AndWhere(dbx.HashExp{"rooms.id": e.Request.PathValue("roomId")}).
		Limit(1).One(room)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, e.NotFoundError("", err)
	} else if err != nil {
		return nil, e.InternalServerError("", err)
	}
	return room, nil
}

// memberRoom is roomOfMember plus the viewer's membership row (role, muted).
func memberRoom(e *core.RequestEvent) (*core.Record, *core.Record, error) {
	room, err := e.App.FindRecordById("rooms", e.Request.PathValue("roomId"))
	if err != nil {
		return nil, nil, e.NotFoundError("", err)
	}
	m, err := Membership(e.App, room.Id, e.Auth.Id)
	if errors.Is(err, errNotMember) {
		return nil, nil, e.NotFoundError("", err)
	} else if err != nil {
		return nil, nil, e.InternalServerError("", err)
	}
	return room, m, nil
}

func showRoom(e *core.RequestEvent) error {
	room, err := roomOfMember(e)
	if err != nil {
		return err
	}
	composer := templates.ComposerVM{}
	if id := e.Request.URL.Query().Get("reply"); id != "" {
		if q, err := e.App.FindFirstRecordByFilter("messages", "id = {:id} && room = {:r}", dbx.Params{"id": id, "r": room.Id}); err == nil {
			composer.ReplyTo = quoteOf(e.App, q)
		}
	}
	return renderRoom(e, http.StatusOK, room, 0, composer)
}

func showOlder(e *core.RequestEvent) error {
	room, err := roomOfMember(e)
	if err != nil {
		return err
	}
	before, err := strconv.Atoi(e.Request.URL.Query().Get("before"))
	if err != nil || before < 1 {
		return e.BadRequestError("That link to older messages is broken. Go back to the chat and try again.", err)
	}
	return renderRoom(e, http.StatusOK, room, before, templates.ComposerVM{})
}

// renderRoom shows a room's newest messages (or those before seq `before`)
// and marks what it shows as read.
func renderRoom(e *core.RequestEvent, status int, room *core.Record, before int, composer templates.ComposerVM) error {
	lastEvent, err := latestGseq(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	msgs, err := History(e.App, room.Id, before, historyPage)
	if err != nil {
		return e.InternalServerError("", err)
	}
	title, _, err := roomTitle(e.App, room, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	group := room.GetString("kind") != KindDirect
	channel := room.GetString("kind") == KindChannel
	var mentions []string
	if !channel { // a channel's members are the whole organisation, and nobody writes there
		if mentions, err = memberNames(e.App, room.Id); err != nil {
			return e.InternalServerError("", err)
		}
	}
	views, err := messageViews(e.App, msgs, e.Auth.Id, group, mentions, "")
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.RoomVM{
		RoomID: room.Id, Title: title,
		Messages: views, Mentions: mentions, LastEvent: lastEvent, Composer: composer,
	}
	if channel {
		org := web.OrgInfo(e.App)
		for i := range views {
			official(&views[i], org)
		}
		if e.Auth.GetString("role") == account.RoleAdmin {
			vm.AnnounceURL = "/admin/announcements"
		}
	}
	if len(msgs) > 0 && msgs[0].GetInt("seq") > 1 {
		vm.OlderURL = "/chats/" + room.Id + "/messages?before=" + strconv.Itoa(msgs[0].GetInt("seq"))
	}
	if before > 0 {
		vm.NewerURL = "/chats/" + room.Id
	}
	if e.Request.Header.Get(fragmentHeader) == "older" {
		e.Response.Header().Set("X-Plaza-Older", vm.OlderURL)
		return web.Render(e, http.StatusOK, templates.MessageItems(views))
	}
	if before == 0 {
		if err := MarkRead(e.App, room.Id, e.Auth.Id, room.GetInt("last_seq")); err != nil {
			return e.InternalServerError("", err)
		}
		syncUnread(e.App, e.Auth.Id) // the member's other tabs update their badges
	}
	if vm.Composer.ClientID == "" {
		vm.Composer.ClientID = security.RandomString(20)
	}
	if vm.Composer.Disabled == "" {
		vm.Composer.Disabled = cannotSend(e.App, room.Id, room.GetString("kind"), e.Auth.Id)
	}
	vm.Chrome = web.Chrome(e, "chats")
	return web.Render(e, status, templates.RoomPage(vm))
}

// cannotSend says why member can't write in room ("" when they can): nobody
// writes in the channel (announcements are published from their admin
// page), and a direct chat needs the two to still be friends, neither
// blocking the other.
func cannotSend(app core.App, roomID, kind, member string) string {
	if kind == KindChannel {
		return errReadOnly.Error()
	}
	if kind != KindDirect {
		return ""
	}
	var r struct {
		Others  int  `db:"others"`
		Blocked bool `db:"blocked"`
		Friends bool `db:"friends"`
	}
	err := app.DB().NewQuery(`SELECT COUNT(DISTINCT m.user) AS others,
			COALESCE(MAX(f.state = 'blocked'), 0) AS blocked, COALESCE(MAX(f.state = 'accepted'), 0) AS friends
		FROM room_members m
		LEFT JOIN friendships f ON (f.requester = m.user AND f.addressee = {:me}) OR (f.requester = {:me} AND f.addressee = m.user)
		WHERE m.room = {:r} AND m.user != {:me}`).Bind(dbx.Params{"r": roomID, "me": member}).One(&r)
	switch {
	case err != nil:
		app.Logger().Error("chat: send check failed", "room", roomID, "error", err)
		return "This chat can't take messages right now. Try again in a moment."
	case r.Others == 0:
		return "The other member has left Plaza."
	case r.Blocked:
		return errCannotDM.Error()
	case !r.Friends:
		return "You are no longer friends, so you can't send messages here. Send a friend request to chat again."
	}
	return ""
}

func latestGseq(app core.App) (int64, error) {
	var n int64
	err := app.DB().NewQuery("SELECT COALESCE(MAX(gseq), 0) FROM messages").Row(&n)
	return n, err
}

// memberNames are the names of a room's members (for @mentions).
func memberNames(app core.App, room string) ([]string, error) {
	var names []string
	err := app.DB().NewQuery("SELECT u.name FROM room_members m JOIN users u ON u.id = m.user WHERE m.room = {:r}").
		Bind(dbx.Params{"r": room}).Column(&names)
	return names, err
}

func quoteOf(app core.App, m *core.Record) *templates.Quote {
	name := "Deleted member"
	if u, err := app.FindRecordById("users", m.GetString("author")); err == nil {
		name = u.GetString("name")
	}
	text := web.OneLine(m.GetString("body"), 80)
	if m.GetBool("recalled") {
		text = "Message recalled"
	} else if text == "" {
		text = "[Attachment]"
	}
	return &templates.Quote{ID: m.Id, Author: name, Text: text}
}

func markRead(e *core.RequestEvent) error {
	room, err := roomOfMember(e)
	if err != nil {
		return err
	}
	seq, err := strconv.Atoi(e.Request.FormValue("seq"))
	if err != nil || seq < 0 {
		seq = room.GetInt("last_seq")
	}
	if err := MarkRead(e.App, room.Id, e.Auth.Id, seq); err != nil {
		return e.InternalServerError("", err)
	}
	syncUnread(e.App, e.Auth.Id)
	return e.NoContent(http.StatusNoContent)
}
