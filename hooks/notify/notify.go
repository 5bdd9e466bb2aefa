// Package notify is the notification centre: what happened for a member
// while they were elsewhere (friend requests, mentions, replies, likes and
// comments, orders, mini-programs, moderation), listed at /notifications,
// counted on the Me tab and pushed live to open tabs.
package notify

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/live"
	"plaza/hooks/web"
	"plaza/templates"
)

// Kinds are what a member hears about (notifications.kind); push settings
// offer a switch for each.
var Kinds = []string{"friend_request", "friend_accept", "mention", "reply", "like", "comment", "order", "mini", "moderation"}

// Event is one notification for a member. Each feature sends its own, when
// what it stores changes (notify knows no feature's collections).
type Event struct {
	User  string // who hears about it
	Kind  string // one of Kinds
	Actor string // who did it ("" for Plaza itself)
	Text  string // what happened, after the actor's name ("liked your moment")
	URL   string // where to look (a Plaza path)
}

// Send stores a notification, updates the member's open tabs and, when
// none is open, pushes it to their devices. Nobody
// is notified of their own doing. A failure is logged, never returned: a
// notification is never worth failing what caused it.
func Send(app core.App, n Event) {
	if n.User == "" || n.User == n.Actor || !strings.HasPrefix(n.URL, "/") {
		return
	}
	c, err := app.FindCachedCollectionByNameOrId("notifications")
	if err == nil {
		r := core.NewRecord(c)
		r.Set("user", n.User)
		r.Set("kind", n.Kind)
		r.Set("actor", n.Actor)
		r.Set("text", web.Clip(n.Text, 300))
		r.Set("url", web.Clip(n.URL, 300))
		err = app.Save(r)
	}
	if err != nil {
		app.Logger().Error("notification not stored", "user", n.User, "kind", n.Kind, "error", err)
		return
	}
	Announce(app, n.User)
	push(app, n)
}

// A Waiting counts what else waits on the Me tab besides unread
// notifications (account: friend requests to answer).
type Waiting func(app core.App, member string) (int, error)

const waitingKey = "plaza.notify.waiting"

// AddWaiting registers a feature's count for the Me tab.
func AddWaiting(app core.App, w Waiting) {
	ws, _ := app.Store().Get(waitingKey).([]Waiting)
	app.Store().Set(waitingKey, append(ws, w))
}

// waiting is the Me tab's count: unread notifications plus what the
// features registered (friend requests).
func waiting(app core.App, member string) (int, error) {
	n, err := unread(app, member)
	if err != nil {
		return 0, err
	}
	ws, _ := app.Store().Get(waitingKey).([]Waiting) // none registered: notifications only
	for _, w := range ws {
		k, err := w(app, member)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

// Announce sends the member's open tabs their new Me count (a feature calls
// it when what it counts there changed without a notification).
func Announce(app core.App, member string) {
	n, err := waiting(app, member)
	if err != nil {
		app.Logger().Error("notify: the Me count failed", "member", member, "error", err)
		return // the tabs keep their count; the next page load corrects it
	}
	data, err := json.Marshal(map[string]int{"count": n})
	if err != nil {
		app.Logger().Error("notify: the Me count could not be encoded", "member", member, "error", err)
		return
	}
	live.Publish(app, []string{member}, live.Event{Name: "notify", Data: data})
}

// Every page shows the count, so it is cached per member and dropped when
// one of their notifications is stored or read.
const unreadKey = "plaza.notify.unread"

func unreadCache(app core.App) *web.Cache[int] {
	return app.Store().GetOrSet(unreadKey, func() any { return web.NewCache[int](50000) }).(*web.Cache[int])
}

// unread counts the member's unread notifications (friend requests aside).
func unread(app core.App, member string) (int, error) {
	return unreadCache(app).Load(member, func() (int, error) {
		var n int
		err := app.DB().NewQuery("SELECT COUNT(*) FROM notifications WHERE user = {:me} AND read = FALSE AND kind != 'friend_request'").
			Bind(dbx.Params{"me": member}).Row(&n)
		return n, err
	})
}

func countUnread(app core.App, member *core.Record, b *templates.Badges) error {
	n, err := unread(app, member.Id)
	b.Notifications = n
	return err
}

func bindUnreadCache(app core.App) {
	drop := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			unreadCache(e.App).Drop(r.GetString("user"))
		}
		return e.Next()
	}
	app.OnModelAfterCreateSuccess("notifications").BindFunc(drop)
	app.OnModelAfterUpdateSuccess("notifications").BindFunc(drop)
	app.OnModelAfterDeleteSuccess("notifications").BindFunc(drop)
}

// Register binds the centre's pages, its badge and the record hooks that
// notice what happens.
func Register(app core.App) {
	web.AddBadgeCounter(app, countUnread)
	bindUnreadCache(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/notifications", showNotifications)
		pages.POST("/notifications/read", markAllRead)
		pages.GET("/notifications/{id}/open", openNotification)
		pages.GET("/me/notifications", showPushSettings)
		pages.POST("/me/notifications", savePushSettings)
		pages.POST("/me/push", subscribePush)
		pages.POST("/me/push/delete", unsubscribePush)
		return se.Next()
	})
}

// showNotifications is GET /notifications: newest first, alike ones grouped
// ("Ana and 2 others liked your moment"), unread marked.
func showNotifications(e *core.RequestEvent) error {
	var rows []struct {
		ID      string `db:"id"`
		Kind    string `db:"kind"`
		Actor   string `db:"actor"`
		Name    string `db:"name"`
		Text    string `db:"text"`
		URL     string `db:"url"`
		Read    bool   `db:"read"`
		Created string `db:"created"`
	}
	err := e.App.DB().NewQuery(`SELECT n.id, n.kind, n.actor, COALESCE(u.name, '') AS name, n.text, n.url, n.read, n.created
		FROM notifications n LEFT JOIN users u ON u.id = n.actor
		WHERE n.user = {:me} ORDER BY n.created DESC, n.id DESC LIMIT 200`).Bind(dbx.Params{"me": e.Auth.Id}).All(&rows)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm := templates.NotificationsVM{}
	at := map[string]int{} // kind + text + url → index in vm.Items
	for _, r := range rows {
		key := r.Kind + "\x00" + r.Text + "\x00" + r.URL
		if i, ok := at[key]; ok && r.Kind != "order" && r.Kind != "mini" && r.Kind != "moderation" {
			it := &vm.Items[i]
			if r.Name != "" && !contains(it.Names, r.Name) {
				it.Names = append(it.Names, r.Name)
			}
			it.Unread = it.Unread || !r.Read
			continue
		}
		it := templates.NotificationVM{ID: r.ID, Kind: r.Kind, Text: r.Text, URL: r.URL, Unread: !r.Read, At: r.Created}
		if at, err := types.ParseDateTime(r.Created); err == nil {
			it.At = at.Time().UTC().Format(time.RFC3339)
		}
		if r.Name != "" {
			it.Names = []string{r.Name}
		} else if r.Actor != "" {
			it.Names = []string{"Deleted member"}
		}
		at[key] = len(vm.Items)
		vm.Items = append(vm.Items, it)
		if !r.Read {
			vm.Unread++
		}
	}
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, http.StatusOK, templates.NotificationsPage(vm))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// markAllRead is POST /notifications/read.
func markAllRead(e *core.RequestEvent) error {
	if _, err := e.App.DB().Update("notifications", dbx.Params{"read": true},
		dbx.HashExp{"user": e.Auth.Id, "read": false}).Execute(); err != nil {
		return e.InternalServerError("", err)
	}
	unreadCache(e.App).Drop(e.Auth.Id) // a plain UPDATE: no record hooks
	Announce(e.App, e.Auth.Id)
	web.Flash(e, "All caught up.")
	return web.SeeOther(e, "/notifications")
}

// openNotification is GET /notifications/{id}/open: mark it (and its group) read, go there.
func openNotification(e *core.RequestEvent) error {
	n, err := e.App.FindRecordById("notifications", e.Request.PathValue("id"))
	if err != nil || n.GetString("user") != e.Auth.Id {
		return e.NotFoundError("", err)
	}
	if _, err := e.App.DB().Update("notifications", dbx.Params{"read": true}, dbx.HashExp{
		"user": e.Auth.Id, "kind": n.GetString("kind"), "text": n.GetString("text"), "url": n.GetString("url")}).Execute(); err != nil {
		return e.InternalServerError("", err)
	}
	unreadCache(e.App).Drop(e.Auth.Id)
	Announce(e.App, e.Auth.Id)
	return web.SeeOther(e, web.SafeNext(n.GetString("url"), "/notifications"))
}
