package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

func setRegistration(t *testing.T, s *testkit.Server, mode string) {
	t.Helper()
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("registration", mode)
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
}

func signUp(s *testkit.Server, name, email, invite string) *testkit.Page {
	return s.Client().PostForm("/signup", url.Values{"name": {name}, "email": {email}, "password": {"long-enough-pw"}, "invite": {invite}})
}

func TestAdminApprovesSignUps(t *testing.T) {
	s := testkit.Start(t)
	admin := s.Member("Ada Admin", "ada@example.org")
	admin.Set("role", "admin")
	if err := s.App.Save(admin); err != nil {
		t.Fatal(err)
	}
	a := s.SignedIn(admin)
	a.Get("/me").Expect(http.StatusOK, "Reports", "Members", "Invites")
	setRegistration(t, s, "approval")
	signUp(s, "Pia Pending", "pia@example.org", "").Expect(http.StatusCreated)
	signUp(s, "Rex Rejected", "rex@example.org", "").Expect(http.StatusCreated)
	// The queue opens on who is waiting.
	a.Get("/admin/members").Expect(http.StatusOK, "Pia Pending", "Rex Rejected", "Approve")
	pia, _ := s.App.FindAuthRecordByEmail("users", "pia@example.org")
	rex, _ := s.App.FindAuthRecordByEmail("users", "rex@example.org")
	a.PostForm("/admin/members/"+pia.Id+"/approve", nil).Expect(http.StatusSeeOther)
	a.PostForm("/admin/members/"+rex.Id+"/reject", nil).Expect(http.StatusSeeOther)
	if s.Reload(pia).GetString("status") != "active" {
		t.Fatal("not approved")
	}
	if n := s.Count("users", "email = 'rex@example.org'", nil); n != 0 {
		t.Fatal("rejected request kept")
	}
	if p := s.Client().PostForm("/signin", url.Values{"email": {"pia@example.org"}, "password": {"long-enough-pw"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("approved member can't sign in: %d", p.Status)
	}
	// Roles and suspensions.
	a.PostForm("/admin/members/"+pia.Id+"/role", url.Values{"role": {"moderator"}}).Expect(http.StatusSeeOther)
	if s.Reload(pia).GetString("role") != "moderator" {
		t.Fatal("role not set")
	}
	a.PostForm("/admin/members/"+pia.Id+"/role", url.Values{"role": {"king"}}).Expect(http.StatusBadRequest)
	a.PostForm("/admin/members/"+pia.Id+"/suspend", url.Values{"why": {"test"}}).Expect(http.StatusSeeOther)
	if s.Reload(pia).GetString("status") != "suspended" || s.Count("moderation_log", "action = 'suspend' AND target_id = {:i}", dbx.Params{"i": pia.Id}) != 1 {
		t.Fatal("suspension not done or not logged")
	}
	a.PostForm("/admin/members/"+admin.Id+"/suspend", nil).Expect(http.StatusSeeOther)
	if s.Reload(admin).GetString("status") != "active" {
		t.Fatal("an admin suspended themself")
	}
	// Not for members or moderators.
	moRec := s.Member("Mo", "mo@example.org")
	moRec.Set("role", "moderator")
	if err := s.App.Save(moRec); err != nil {
		t.Fatal(err)
	}
	mod := s.SignedIn(moRec)
	for _, c := range []*testkit.Client{s.SignedIn(s.Member("Max", "max@example.org")), mod} {
		c.Get("/admin/members").Expect(http.StatusForbidden)
		c.PostForm("/admin/members/"+admin.Id+"/role", url.Values{"role": {"member"}}).Expect(http.StatusForbidden)
		c.Get("/admin/invites").Expect(http.StatusForbidden)
	}
}

func TestAdminInvites(t *testing.T) {
	s := testkit.Start(t)
	admin := s.Member("Ada Admin", "ada@example.org")
	admin.Set("role", "admin")
	if err := s.App.Save(admin); err != nil {
		t.Fatal(err)
	}
	a := s.SignedIn(admin)
	setRegistration(t, s, "invite")
	a.PostForm("/admin/invites", url.Values{"uses": {"0"}, "days": {"400"}}).Expect(http.StatusUnprocessableEntity, "1 to 10,000", "1 to 365")
	if n := s.Count("invites", "", nil); n != 0 {
		t.Fatal("a bad invite was stored")
	}
	a.PostForm("/admin/invites", url.Values{"uses": {"1"}, "days": {"7"}, "note": {"for Lee"}}).ExpectRedirect("/admin/invites")
	inv, err := s.App.FindFirstRecordByFilter("invites", "note = 'for Lee'")
	if err != nil {
		t.Fatal(err)
	}
	code := inv.GetString("code")
	a.Get("/admin/invites").Expect(http.StatusOK, code, "1 uses left", "for Lee")
	signUp(s, "Lee", "lee@example.org", code).ExpectRedirect("/me")
	signUp(s, "Kim", "kim@example.org", code).Expect(http.StatusUnprocessableEntity, "used up")
	// Revoking ends a code at once.
	a.PostForm("/admin/invites", url.Values{"uses": {"5"}, "days": {""}}).ExpectRedirect("/admin/invites")
	inv2, _ := s.App.FindFirstRecordByFilter("invites", "uses_left = 5")
	a.PostForm("/admin/invites/"+inv2.Id+"/revoke", nil).ExpectRedirect("/admin/invites")
	p := signUp(s, "Kim", "kim@example.org", inv2.GetString("code"))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "used up") {
		t.Fatalf("revoked code: %d", p.Status)
	}
}
