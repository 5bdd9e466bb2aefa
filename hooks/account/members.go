package account

import (
	"database/sql"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/bcrypt"

	"plaza/hooks/web"
	"plaza/templates"
)

// Member roles and statuses (users.role, users.status).
const (
	RoleMember      = "member"
	RoleModerator   = "moderator"
	RoleAdmin       = "admin"
	StatusPending   = "pending"
	StatusSuspended = "suspended"
	minPasswordLen  = 10
	maxPasswordLen  = 71 // bcrypt reads 72 bytes at most
	maxNameLen      = 60
	maxBioLen       = 280
)

// SignUp is what the sign-up form submits.
type SignUp struct {
	Name     string
	Email    string
	Password string
	Invite   string
	// ConfirmEmail: the account waits (pending, unverified) until its owner
	// opens the link emailed to them.
	ConfirmEmail bool
}

var (
	errEmailTaken = errors.New("email taken")
	errBadInvite  = errors.New("unknown or used-up invite")
)

// normalizeEmail trims and lower-cases an address, so one person has one account.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// validEmail accepts a bare address (no display name) with a dotted domain.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

func checkName(name string, errs *templates.FormErrors) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs.Add("name", "Name", "Enter your name, as other members will see it.")
	case n > maxNameLen:
		errs.Add("name", "Name", "Keep your name under 60 characters.")
	}
}

func checkPassword(pw string, errs *templates.FormErrors) {
	switch {
	case utf8.RuneCountInString(pw) < minPasswordLen:
		errs.Add("password", "Password", "Use at least 10 characters for your password.")
	case len(pw) > maxPasswordLen:
		errs.Add("password", "Password", "Keep your password under 72 characters.")
	}
}

// validateSignUp checks the form; the invite is required in invite mode.
func validateSignUp(in SignUp, mode string) templates.FormErrors {
	var errs templates.FormErrors
	checkName(in.Name, &errs)
	if !validEmail(in.Email) {
		errs.Add("email", "Email", "Enter a valid email address, like name@example.org.")
	}
	checkPassword(in.Password, &errs)
	if mode == web.RegistrationInvite && in.Invite == "" {
		errs.Add("invite", "Invite code", "Enter the invite code you were given.")
	}
	return errs
}

// createMember stores a new member, consuming an invite in invite mode; in
// approval mode, or until the email is confirmed, the account starts
// pending. All of it happens in one transaction, so a failed sign-up uses
// up no invite. The invite is checked first: without a good code, the form
// says nothing about whether the email has an account.
func createMember(app core.App, in SignUp, mode string) (*core.Record, error) {
	var member *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		if mode == web.RegistrationInvite {
			if err := useInvite(tx, in.Invite); err != nil {
				return err
			}
		}
		if _, err := tx.FindAuthRecordByEmail("users", in.Email); err == nil {
			return errEmailTaken
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		users, err := tx.FindCachedCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		member = core.NewRecord(users)
		member.Set("name", in.Name)
		member.SetEmail(in.Email)
		member.SetPassword(in.Password)
		member.Set("role", RoleMember)
		member.Set("privacy", DefaultPrivacy())
		if mode == web.RegistrationApproval || in.ConfirmEmail {
			member.Set("status", StatusPending)
		} else {
			member.Set("status", web.StatusActive)
		}
		return tx.Save(member)
	})
	return member, err
}

// useInvite takes one use of a live invite code.
func useInvite(tx core.App, code string) error {
	inv, err := liveInvite(tx, code)
	if err != nil {
		return err
	}
	inv.Set("uses_left", inv.GetInt("uses_left")-1)
	return tx.Save(inv)
}

// liveInvite finds an invite code with uses left that hasn't expired.
func liveInvite(app core.App, code string) (*core.Record, error) {
	inv, err := app.FindFirstRecordByFilter("invites", "code = {:code}", dbx.Params{"code": code})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadInvite
	} else if err != nil {
		return nil, err
	}
	expires := inv.GetDateTime("expires")
	if inv.GetInt("uses_left") < 1 || (!expires.IsZero() && expires.Time().Before(time.Now())) {
		return nil, errBadInvite
	}
	return inv, nil
}

// decoys are bcrypt hashes, one per cost, compared against when the email is
// unknown, so "no such member" takes as long as "wrong password".
var decoys sync.Map // cost → []byte

func decoyHash(app core.App) []byte {
	cost := bcrypt.DefaultCost
	if users, err := app.FindCachedCollectionByNameOrId("users"); err == nil {
		if pw, ok := users.Fields.GetByName("password").(*core.PasswordField); ok && pw.Cost > 0 {
			cost = pw.Cost
		}
	}
	if h, ok := decoys.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("plaza-decoy-password"), cost)
	if err != nil {
		panic(err) // only on a broken crypto/rand
	}
	decoys.Store(cost, h)
	return h
}

// authenticate finds the member with this email and password, or returns nil.
func authenticate(app core.App, email, password string) *core.Record {
	member, err := app.FindAuthRecordByEmail("users", email)
	if err != nil {
		_ = bcrypt.CompareHashAndPassword(decoyHash(app), []byte(password)) // timing only; the result is meaningless
		return nil
	}
	if !member.ValidatePassword(password) {
		return nil
	}
	return member
}
