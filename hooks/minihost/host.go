package minihost

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/pay"
	"plaza/hooks/web"
	"plaza/templates"
)

// permissionLabels say what each permission lets a mini do, for members.
var permissionLabels = map[string]string{
	"profile":        "see your name and photo",
	"storage":        "keep data for you",
	"shared_storage": "keep data that everyone using it sees",
	"payments":       "ask you to pay (you confirm each payment)",
	"share":          "share cards to chats you choose",
	"notify":         "send you short notes",
}

func miniView(m *Mini, granted []string) templates.MiniVM {
	vm := templates.MiniVM{Slug: m.Slug, Name: m.Name, Description: m.Description, Version: m.Version,
		Icon: "/m/" + m.Slug + "/" + m.Icon, Builtin: m.Builtin}
	for _, p := range Permissions {
		if m.Has(p) {
			vm.Permissions = append(vm.Permissions, templates.PermissionVM{Name: p,
				Label: strings.ToUpper(permissionLabels[p][:1]) + permissionLabels[p][1:], Granted: slices.Contains(granted, p)})
		}
	}
	return vm
}

// approvedMini loads the mini in the path if members may open it.
func approvedMini(e *core.RequestEvent) (*Mini, error) {
	m := Find(e.App, e.Request.PathValue("slug"))
	if m == nil || m.Status != "approved" {
		return nil, e.NotFoundError("", nil)
	}
	return m, nil
}

type grantRow struct {
	Mini        string `db:"mini"`
	Permissions string `db:"permissions"`
	LastUsed    string `db:"last_used"`
}

func grantsOf(app core.App, member string) (map[string]grantRow, error) {
	var rows []grantRow
	err := app.DB().Select("mini", "permissions", "last_used").From("mini_grants").
		Where(dbx.HashExp{"user": member}).All(&rows)
	out := make(map[string]grantRow, len(rows))
	for _, r := range rows {
		out[r.Mini] = r
	}
	return out, err
}

func (g grantRow) granted() []string {
	var perms []string
	_ = json.Unmarshal([]byte(g.Permissions), &perms) // empty or broken: nothing granted
	return perms
}

// showLauncher is GET /minis: approved minis, the member's recent ones first.
func showLauncher(e *core.RequestEvent) error {
	all, err := Approved(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	grants, err := grantsOf(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	slices.SortStableFunc(all, func(a, b *Mini) int {
		return strings.Compare(grants[b.ID].LastUsed, grants[a.ID].LastUsed) // newest first; never used last
	})
	vm := templates.MinisVM{}
	for _, m := range all {
		mv := miniView(m, grants[m.ID].granted())
		mv.Used = grants[m.ID].LastUsed != ""
		vm.Minis = append(vm.Minis, mv)
	}
	vm.Chrome = web.Chrome(e, "minis")
	return web.Render(e, http.StatusOK, templates.MinisPage(vm))
}

// showHost is GET /minis/{slug}: the mini in its sandboxed frame.
func showHost(e *core.RequestEvent) error {
	m, err := approvedMini(e)
	if err != nil {
		return err
	}
	if err := touch(e.App, e.Auth.Id, m); err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.MiniHostVM{Mini: miniView(m, nil), Payments: pay.Enabled(e.App)}
	if m.Has("share") {
		if vm.Rooms, err = chat.RoomChoices(e.App, e.Auth.Id, 50); err != nil {
			return e.InternalServerError("", err)
		}
	}
	vm.Chrome = web.Chrome(e, "minis")
	return web.Render(e, http.StatusOK, templates.MiniHostPage(vm))
}

// showAbout is GET /minis/{slug}/about.
func showAbout(e *core.RequestEvent) error {
	m, err := approvedMini(e)
	if err != nil {
		return err
	}
	grants, err := grantsOf(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.MiniAboutVM{Mini: miniView(m, grants[m.ID].granted())}
	vm.Chrome = web.Chrome(e, "minis")
	return web.Render(e, http.StatusOK, templates.MiniAboutPage(vm))
}

// giveConsent is POST /minis/{slug}/consent (permission): the member said
// yes in the host's consent sheet.
func giveConsent(e *core.RequestEvent) error {
	m, err := approvedMini(e)
	if err != nil {
		return err
	}
	p := e.Request.FormValue("permission")
	if !m.Has(p) {
		return e.BadRequestError("This mini-program doesn't ask for that.", nil)
	}
	if err := Allow(e.App, e.Auth.Id, m, p); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]bool{"allowed": true})
}

// showMyMinis is GET /me/minis: the minis the member opened, with what each may do.
func showMyMinis(e *core.RequestEvent) error {
	grants, err := grantsOf(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	all, err := Approved(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.MyMinisVM{}
	for _, m := range all {
		if g, ok := grants[m.ID]; ok {
			vm.Minis = append(vm.Minis, miniView(m, g.granted()))
		}
	}
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, http.StatusOK, templates.MyMinisPage(vm))
}

// revokeMini is POST /me/minis/{slug}/revoke.
func revokeMini(e *core.RequestEvent) error {
	m := Find(e.App, e.Request.PathValue("slug"))
	if m == nil {
		return e.NotFoundError("", nil)
	}
	if err := Revoke(e.App, e.Auth.Id, m); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, m.Name+" no longer has your permissions: it asks again if it needs them.")
	return web.SeeOther(e, "/me/minis")
}
