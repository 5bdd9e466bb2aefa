package chat

import (
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// The publisher renders every message for the live stream; it would ask the
// database for the room's kind, members and their names and the author's
// face each time. These change rarely, so they are cached per app and
// dropped by record hooks after each commit that touches them (membership
// changes run on the committer, so later messages always see fresh entries).

type roomInfo struct {
	kind    string // "" when there is no such room
	members []string
	names   []string
}

// has reports whether member belongs to the room.
func (ri *roomInfo) has(member string) bool {
	for _, m := range ri.members {
		if m == member {
			return true
		}
	}
	return false
}

type caches struct {
	mu     sync.RWMutex
	rooms  map[string]*roomInfo
	people map[string]templates.Person
}

const cachesKey = "plaza.chat.caches"

func cachesOf(app core.App) *caches {
	return app.Store().GetOrSet(cachesKey, func() any {
		return &caches{rooms: map[string]*roomInfo{}, people: map[string]templates.Person{}}
	}).(*caches)
}

func bindCacheInvalidation(app core.App) {
	dropRoom := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok {
			c := cachesOf(e.App)
			c.mu.Lock()
			delete(c.rooms, r.GetString("room"))
			delete(c.rooms, r.Id) // rooms themselves
			c.mu.Unlock()
		}
		return e.Next()
	}
	for _, coll := range []string{"room_members", "rooms"} {
		app.OnModelAfterCreateSuccess(coll).BindFunc(dropRoom)
		app.OnModelAfterUpdateSuccess(coll).BindFunc(dropRoom)
		app.OnModelAfterDeleteSuccess(coll).BindFunc(dropRoom)
	}
	dropPerson := func(e *core.ModelEvent) error {
		c := cachesOf(e.App)
		c.mu.Lock()
		// A name change reaches every room's mention list: start over.
		c.rooms = map[string]*roomInfo{}
		c.people = map[string]templates.Person{}
		c.mu.Unlock()
		return e.Next()
	}
	app.OnModelAfterUpdateSuccess("users").BindFunc(dropPerson)
	app.OnModelAfterDeleteSuccess("users").BindFunc(dropPerson)
}

func (c *caches) room(app core.App, id string) (*roomInfo, error) {
	c.mu.RLock()
	ri := c.rooms[id]
	c.mu.RUnlock()
	if ri != nil {
		return ri, nil
	}
	var rows []struct {
		Kind string `db:"kind"`
		User string `db:"user"`
		Name string `db:"name"`
	}
	err := app.DB().NewQuery(`SELECT r.kind AS kind, m.user AS user, COALESCE(u.name, '') AS name
		FROM rooms r LEFT JOIN room_members m ON m.room = r.id LEFT JOIN users u ON u.id = m.user
		WHERE r.id = {:r}`).Bind(dbx.Params{"r": id}).All(&rows)
	if err != nil {
		return nil, err
	}
	ri = &roomInfo{}
	for _, r := range rows {
		ri.kind = r.Kind
		if r.User != "" {
			ri.members = append(ri.members, r.User)
			ri.names = append(ri.names, r.Name)
		}
	}
	c.mu.Lock()
	c.rooms[id] = ri
	c.mu.Unlock()
	return ri, nil
}

// person is a member's public face, cached ("Deleted member" if gone).
func (c *caches) person(app core.App, id string) templates.Person {
	if id == "" {
		return templates.Person{Name: "Deleted member"}
	}
	c.mu.RLock()
	p, ok := c.people[id]
	c.mu.RUnlock()
	if ok {
		return p
	}
	u, err := app.FindRecordById("users", id)
	if err != nil {
		return templates.Person{ID: id, Name: "Deleted member"}
	}
	p = web.Person(u)
	c.mu.Lock()
	c.people[id] = p
	c.mu.Unlock()
	return p
}
