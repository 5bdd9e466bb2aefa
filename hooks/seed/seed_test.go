package seed_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"plaza/hooks/seed"
	"plaza/hooks/testkit"
)

func TestSeed(t *testing.T) {
	s := testkit.Start(t)
	manifest := t.TempDir() + "/manifest.json"
	res, err := seed.Run(s.App, seed.Options{Members: 40, Friends: 6, Groups: -1, GroupSize: 6, Messages: 10, Posts: 2, Reactions: 6, PhotoEvery: 3, Listings: 2, Manifest: manifest, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rooms < 40 || s.Count("rooms", "kind = 'group'", nil) != 8 {
		t.Errorf("%d rooms (%d groups)", res.Rooms, s.Count("rooms", "kind = 'group'", nil))
	}
	if res.Posts != 80 || s.Count("posts", "photos != '[]' AND photos != ''", nil) == 0 || s.Count("post_comments", "", nil) == 0 {
		t.Errorf("%d posts, %d with photos, %d comments", res.Posts, s.Count("posts", "photos != '[]' AND photos != ''", nil), s.Count("post_comments", "", nil))
	}
	// One member in three sells two things; most are for sale, many with photos.
	if res.Listings != 28 || s.Count("listings", "", nil) != 28 {
		t.Errorf("%d listings reported, %d stored, want 28", res.Listings, s.Count("listings", "", nil))
	}
	if s.Count("listings", "status = 'active'", nil) < 14 || s.Count("listings", "photos != '[]' AND photos != ''", nil) == 0 ||
		s.Count("listings", "status = 'active' AND stock < 1", nil) != 0 || s.Count("listings", "status = 'sold' AND stock > 0", nil) != 0 {
		t.Errorf("%d active listings, %d with photos", s.Count("listings", "status = 'active'", nil), s.Count("listings", "photos != '[]' AND photos != ''", nil))
	}
	if s.Count("messages", "kind = 'text'", nil) < 8*10 {
		t.Errorf("only %d messages of history", s.Count("messages", "kind = 'text'", nil))
	}
	raw, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Members []struct{ ID, Email, Token string }
		Rooms   []struct {
			ID      string
			Members []string
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil || len(m.Members) != 40 || len(m.Rooms) != res.Rooms || m.Members[0].Token == "" {
		t.Fatalf("manifest: %v, %d members, %d rooms", err, len(m.Members), len(m.Rooms))
	}
	if res.NewMembers != 40 || s.Count("users", "", nil) != 40 {
		t.Fatalf("result %+v, %d users stored", res, s.Count("users", "", nil))
	}
	if res.Friendships < 40 || s.Count("friendships", "", nil) != res.Friendships {
		t.Fatalf("%d friendships reported, %d stored", res.Friendships, s.Count("friendships", "", nil))
	}
	if s.Count("friendships", "requester = addressee", nil) != 0 {
		t.Fatal("a member befriended themselves")
	}
	if s.Count("friendships", "state = 'pending'", nil) == 0 {
		t.Error("no pending requests to demo")
	}

	again, err := seed.Run(s.App, seed.Options{Members: 40, Friends: 6, Groups: -1, Listings: 2, Seed: 7})
	if err != nil || again.NewMembers != 0 || again.Rooms != 0 || again.Listings != 0 || s.Count("users", "", nil) != 40 {
		t.Fatalf("second run: %+v %v", again, err)
	}

	// A seeded member signs in with the demo password and sees friends.
	c := s.Client()
	c.PostForm("/signin", url.Values{"email": {seed.Email(1)}, "password": {seed.DemoPassword}}).ExpectRedirect("/chats")
	c.Get("/friends").Expect(http.StatusOK, `data-testid="friends"`)
	c.Get("/chats").Expect(http.StatusOK, `data-testid="rooms"`)
	c.Get("/moments").Expect(http.StatusOK, `data-testid="post"`)
	c.Get("/market").Expect(http.StatusOK, `data-testid="listing"`)

	// The manifest's tokens work on the REST API.
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/collections/rooms/records", nil)
	req.Header.Set("Authorization", m.Members[0].Token)
	if p := s.Client().Do(req); p.Status != http.StatusOK || !strings.Contains(p.Body, `"totalItems"`) {
		t.Errorf("token: %d %s", p.Status, p.Body)
	}
}
