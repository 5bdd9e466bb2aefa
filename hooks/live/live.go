package live

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// Register binds the event stream, and ends a member's streams when they
// sign out (one device or all) and every stream when the app stops.
func Register(app core.App) {
	web.OnSignOut(app, func(member, session string) { Of(app).DropSession(member, session) })
	web.OnMemberSignedOut(app, func(member string) { Of(app).DropUser(member) })
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/events", streamEvents).Bind(apis.SkipSuccessActivityLog())
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		err := e.Next() // features finish their writes (and last publishes) first
		Of(e.App).close()
		return err
	})
}

// Publish queues ev for every open tab of users. It never blocks on a slow
// tab. Events for one member arrive in the order they were published, so a
// feature that needs an order (chat's gseq) publishes from one goroutine.
func Publish(app core.App, users []string, ev Event) {
	Of(app).Publish(users, ev)
}

// Online reports whether the member has a tab open on /events.
func Online(app core.App, user string) bool {
	return Of(app).Online(user)
}

// An Opener starts a member's stream: the replayable events they missed
// after last (0 on a first connect: nothing to replay) and any state pushes
// the page needs at once (exact unread counts). more says the member missed
// too much to replay: the page reloads instead. An error is logged and also
// reloads the page.
type Opener func(app core.App, member string, last int64) (events []*Event, more bool, err error)

const openersKey = "plaza.live.openers"

// OnOpen registers a feature's Opener; openers run in registration order on
// every new stream, after it has subscribed, so nothing published meanwhile
// is lost (events already replayed are skipped by id).
func OnOpen(app core.App, o Opener) {
	openers, _ := app.Store().Get(openersKey).([]Opener)
	app.Store().Set(openersKey, append(openers, o))
}

func openersOf(app core.App) []Opener {
	openers, _ := app.Store().Get(openersKey).([]Opener)
	return openers
}
