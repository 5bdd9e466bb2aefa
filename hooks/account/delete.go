package account

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// Deleting an account, as WeChat does it: what the member owns goes (profile,
// friends, tags, moments, comments, likes, listings, seller account, mini
// grants and storage, all through the relations' cascades, see migration
// 1795300010); what they said to others stays with the others, no longer
// linked to them (messages show "Deleted member"); orders stay for the
// organisation's accounts without the member.

// DeletedName is how a deleted member is shown wherever something of theirs stays.
const DeletedName = "Deleted member"

func showDeleteAccount(e *core.RequestEvent) error {
	return renderDeleteAccount(e, http.StatusOK, templates.DeleteAccountVM{})
}

func renderDeleteAccount(e *core.RequestEvent, status int, vm templates.DeleteAccountVM) error {
	vm.Chrome = web.Chrome(e, "me")
	return web.Render(e, status, templates.DeleteAccountPage(vm))
}

// deleteAccount is POST /me/delete: with the right password the account
// and the member's sessions end, and the browser lands on the sign-in page.
func deleteAccount(e *core.RequestEvent) error {
	member, err := e.App.FindRecordById("users", e.Auth.Id) // fresh: the session's copy may be cached
	if err != nil {
		return e.NotFoundError("", err)
	}
	var vm templates.DeleteAccountVM
	switch pw := e.Request.FormValue("password"); {
	case pw == "":
		vm.Errors.Add("password", "Your password", "Enter your password to confirm that you want to delete your account.")
	case !member.ValidatePassword(pw):
		vm.Errors.Add("password", "Your password", "That password is not right. Your account was not deleted.")
	}
	if vm.Errors.Any() {
		return renderDeleteAccount(e, http.StatusUnprocessableEntity, vm)
	}
	if err := DeleteMember(e.App, member); err != nil {
		return e.InternalServerError("", err)
	}
	web.EndSession(e)
	web.Flash(e, "Your account was deleted. Thank you for being part of "+web.OrgInfo(e.App).Name+".")
	return web.SeeOther(e, "/signin")
}

// DeleteMember deletes member's account in one transaction: their own
// records and files go, their chat messages and orders stay without them.
// Every token they hold stops working with the record.
func DeleteMember(app core.App, member *core.Record) error {
	return app.RunInTransaction(func(tx core.App) error {
		if err := leaveChats(tx, member); err != nil {
			return err
		}
		if err := anonymiseOrders(tx, member.Id); err != nil {
			return err
		}
		return tx.Delete(member) // cascades to everything the member owns
	})
}

// leaveChats keeps the member's messages for the others in each chat without
// their author, names them "Deleted member" in the chats' system notes,
// hands the groups they owned on, and deletes chats nobody is left in.
func leaveChats(tx core.App, member *core.Record) error {
	me := member.Id
	var rooms []string
	err := tx.DB().NewQuery(`SELECT room FROM room_members WHERE user = {:me}
		UNION SELECT room FROM messages WHERE author = {:me}`).Bind(dbx.Params{"me": me}).Column(&rooms)
	if err != nil {
		return err
	}
	if name := member.GetString("name"); name != "" {
		for _, room := range rooms {
			if err := renameInNotes(tx, room, name); err != nil {
				return err
			}
		}
	}
	// client_id is an idempotency key unique per author: every deleted
	// member's messages share the empty author, so theirs is dropped too.
	if _, err := tx.DB().NewQuery("UPDATE messages SET author = '', client_id = '' WHERE author = {:me}").
		Bind(dbx.Params{"me": me}).Execute(); err != nil {
		return err
	}

	memberships, err := tx.FindAllRecords("room_members", dbx.HashExp{"user": me})
	if err != nil {
		return err
	}
	for _, m := range memberships {
		if err := tx.Delete(m); err != nil {
			return err
		}
		room, err := tx.FindRecordById("rooms", m.GetString("room"))
		if err != nil {
			return err
		}
		rest, err := tx.FindRecordsByFilter("room_members", "room = {:r}", "created", 0, 0, dbx.Params{"r": room.Id})
		if err != nil {
			return err
		}
		switch {
		case len(rest) == 0:
			// Nobody is left to read it.
			if err := tx.Delete(room); err != nil {
				return err
			}
		case room.GetString("kind") == "direct":
			// The other member keeps the chat; the key naming the pair goes.
			room.Set("direct_key", "")
			if err := tx.Save(room); err != nil {
				return err
			}
		case m.GetString("role") == "owner" && !hasOwner(rest):
			// Like an owner who leaves: the longest-standing member takes over.
			rest[0].Set("role", "owner")
			if err := tx.Save(rest[0]); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasOwner(members []*core.Record) bool {
	for _, m := range members {
		if m.GetString("role") == "owner" {
			return true
		}
	}
	return false
}

// renameInNotes replaces the member's name with "Deleted member" in a room's
// system notes ("Ana added Ben", "Ana left the group").
func renameInNotes(tx core.App, room, name string) error {
	var notes []struct {
		ID   string `db:"id"`
		Body string `db:"body"`
	}
	err := tx.DB().NewQuery("SELECT id, body FROM messages WHERE room = {:r} AND kind = 'system' AND instr(body, {:name}) > 0").
		Bind(dbx.Params{"r": room, "name": name}).All(&notes)
	if err != nil {
		return err
	}
	for _, n := range notes {
		body := replaceWord(n.Body, name, DeletedName)
		if body == n.Body {
			continue
		}
		if _, err := tx.DB().NewQuery("UPDATE messages SET body = {:b} WHERE id = {:id}").
			Bind(dbx.Params{"b": body, "id": n.ID}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// replaceWord replaces old in s where it stands as whole words (so "Ana"
// is not replaced inside "Anabel").
func replaceWord(s, old, new string) string {
	if old == "" {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(old):])
		if isWordRune(before) || isWordRune(after) {
			b.WriteString(s[:i+len(old)])
		} else {
			b.WriteString(s[:i])
			b.WriteString(new)
		}
		s = s[i+len(old):]
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// anonymiseOrders keeps the member's orders for the accounts (title,
// amounts, status, payment references) and removes the member from them.
func anonymiseOrders(tx core.App, me string) error {
	orders, err := tx.FindAllRecords("orders", dbx.Or(dbx.HashExp{"buyer": me}, dbx.HashExp{"seller": me}))
	if err != nil {
		return err
	}
	for _, o := range orders {
		if o.GetString("buyer") == me {
			o.Set("buyer", "")
			o.Set("checkout_url", "") // the buyer's payment page, no one's now
		}
		if o.GetString("seller") == me {
			o.Set("seller", "")
		}
		// Without validation, like PocketBase's own cascade: an old order
		// must not stop an account from going.
		if err := tx.SaveNoValidate(o); err != nil {
			return err
		}
	}
	return nil
}
