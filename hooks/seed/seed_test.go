package seed_test

import (
	"net/http"
	"net/url"
	"testing"

	"plaza/hooks/seed"
	"plaza/hooks/testkit"
)

func TestSeed(t *testing.T) {
	s := testkit.Start(t)
	res, err := seed.Run(s.App, seed.Options{Members: 40, Friends: 6, Seed: 7})
	if err != nil {
		t.Fatal(err)
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

	again, err := seed.Run(s.App, seed.Options{Members: 40, Friends: 6, Seed: 7})
	if err != nil || again.NewMembers != 0 || s.Count("users", "", nil) != 40 {
		t.Fatalf("second run: %+v %v", again, err)
	}

	// A seeded member signs in with the demo password and sees friends.
	c := s.Client()
	c.PostForm("/signin", url.Values{"email": {seed.Email(1)}, "password": {seed.DemoPassword}}).ExpectRedirect("/chats")
	c.Get("/friends").Expect(http.StatusOK, `data-testid="friends"`)
}
