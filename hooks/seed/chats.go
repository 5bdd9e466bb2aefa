package seed

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/chat"
	"plaza/hooks/web"
)

// seedRequest describes the device the manifest's tokens are for (Me →
// Devices shows it).
var seedRequest = &http.Request{Header: http.Header{"User-Agent": {"plaza-seed/1 (load test)"}}}

// chats creates group chats among friends and a direct chat for every
// member with a friend, each with some history. Members who already have
// rooms (a second run) get none.
func chats(app core.App, rng *rand.Rand, ids []string, o Options) (int, error) {
	var existing int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM rooms").Row(&existing); err != nil || existing > 0 {
		return 0, err
	}
	groups := o.Groups
	if groups < 0 {
		groups = len(ids) / 5
	}
	created := 0
	for g := 0; g < groups; g++ {
		ownerID := ids[rng.IntN(len(ids))]
		friends, err := account.FriendIDs(app, ownerID)
		if err != nil {
			return created, err
		}
		if len(friends) == 0 {
			continue
		}
		rng.Shuffle(len(friends), func(i, j int) { friends[i], friends[j] = friends[j], friends[i] })
		members := friends[:min(len(friends), max(1, o.GroupSize-1))]
		owner, err := app.FindRecordById("users", ownerID)
		if err != nil {
			return created, err
		}
		room, err := chat.CreateGroup(app, owner, groupNames[g%len(groupNames)], members)
		if err != nil {
			return created, err
		}
		created++
		if err := history(app, rng, room.Id, append([]string{ownerID}, members...), o.Messages); err != nil {
			return created, err
		}
	}
	for _, id := range ids {
		friends, err := account.FriendIDs(app, id)
		if err != nil {
			return created, err
		}
		if len(friends) == 0 {
			continue
		}
		other := friends[rng.IntN(len(friends))]
		var n int
		if err := app.DB().NewQuery("SELECT COUNT(*) FROM rooms WHERE direct_key IN ({:a}, {:b})").
			Bind(dbx.Params{"a": id + ":" + other, "b": other + ":" + id}).Row(&n); err != nil {
			return created, err
		}
		if n > 0 {
			continue
		}
		room, err := chat.OpenDirect(app, id, other)
		if err != nil {
			return created, err
		}
		created++
		if err := history(app, rng, room.Id, []string{id, other}, o.Messages/2); err != nil {
			return created, err
		}
	}
	return created, nil
}

func history(app core.App, rng *rand.Rand, room string, members []string, n int) error {
	drafts := make([]chat.Draft, 0, n)
	for i := 0; i < n; i++ {
		drafts = append(drafts, chat.Draft{Author: members[rng.IntN(len(members))], Kind: "text", Body: lines[rng.IntN(len(lines))]})
	}
	return chat.Import(app, room, drafts)
}

// manifest is what benchmarks need to act as the seeded members.
type manifest struct {
	Members []manifestMember `json:"members"`
	Rooms   []manifestRoom   `json:"rooms"`
}

type manifestMember struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Token string `json:"token"`
}

type manifestRoom struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Members []string `json:"members"`
}

func writeManifest(app core.App, path string, ids []string) error {
	var m manifest
	users, err := app.FindRecordsByIds("users", ids)
	if err != nil {
		return err
	}
	byID := map[string]*core.Record{}
	for _, u := range users {
		byID[u.Id] = u
	}
	for _, id := range ids {
		u := byID[id]
		tok, err := web.NewSessionToken(app, u, seedRequest, "127.0.0.1")
		if err != nil {
			return err
		}
		m.Members = append(m.Members, manifestMember{ID: u.Id, Email: u.Email(), Token: tok})
	}
	var rows []struct {
		Room string `db:"room"`
		Kind string `db:"kind"`
		User string `db:"user"`
	}
	if err := app.DB().NewQuery("SELECT m.room AS room, r.kind AS kind, m.user AS user FROM room_members m JOIN rooms r ON r.id = m.room ORDER BY m.room").All(&rows); err != nil {
		return err
	}
	for _, r := range rows {
		if len(m.Rooms) == 0 || m.Rooms[len(m.Rooms)-1].ID != r.Room {
			m.Rooms = append(m.Rooms, manifestRoom{ID: r.Room, Kind: r.Kind})
		}
		last := &m.Rooms[len(m.Rooms)-1]
		last.Members = append(last.Members, r.User)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}

var groupNames = []string{
	"Book club", "Saturday football", "Garden plot 4", "Parents of class 2B", "Board game night", "Bike repair crew",
	"Choir altos", "Lunch runners", "Community kitchen", "Photo walk", "Hiking group", "Swap shop",
}

var lines = []string{
	"Morning everyone!", "Who's coming on Saturday?", "I can bring snacks 🍎", "Running 10 minutes late, sorry",
	"Great idea — count me in.", "Does anyone have a ladder I could borrow?", "Photos from yesterday are up.",
	"Thanks so much for organising!", "Is it still on if it rains?", "See you there 👋", "**Reminder:** meeting at 7pm",
	"Can we move it to next week?", "I left my umbrella in the hall — has anyone seen it?", "Happy birthday! 🎉",
	"Let's vote on the date.", "Sounds good to me.", "Who has the key to the shed?", "Welcome to the group!",
}
