package account

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// Every page shows faces and most ask who the member's friends are; both
// change rarely, so they are cached per app and dropped by record hooks once
// a change is committed.

type caches struct {
	friends *web.Cache[map[string]bool]  // member → their friends
	people  *web.Cache[templates.Person] // member → public face
}

const cachesKey = "plaza.account.caches"

func cachesOf(app core.App) *caches {
	return app.Store().GetOrSet(cachesKey, func() any {
		return &caches{friends: web.NewCache[map[string]bool](20000), people: web.NewCache[templates.Person](50000)}
	}).(*caches)
}

func bindCaches(app core.App) {
	dropFriends := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			cachesOf(e.App).friends.Drop(r.GetString("requester"), r.GetString("addressee"))
		}
		return e.Next()
	}
	app.OnModelAfterCreateSuccess("friendships").BindFunc(dropFriends)
	app.OnModelAfterUpdateSuccess("friendships").BindFunc(dropFriends)
	app.OnModelAfterDeleteSuccess("friendships").BindFunc(dropFriends)

	dropPerson := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			cachesOf(e.App).people.Drop(r.Id)
		}
		return e.Next()
	}
	app.OnModelAfterUpdateSuccess("users").BindFunc(dropPerson)
	app.OnModelAfterDeleteSuccess("users").BindFunc(dropPerson)
}
