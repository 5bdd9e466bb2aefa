package hooks_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"plaza/hooks/testkit"
)

// TestChatAPIRules: rooms, members, messages and attachments are visible
// through the REST API to the room's members only, and nobody writes them there.
func TestChatAPIRules(t *testing.T) {
	s := testkit.Start(t)
	ana, ben, eve := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org"), s.Member("Eve", "eve@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	a.PostForm("/friends/"+ben.Id+"/request", nil)
	b.PostForm("/friends/"+ana.Id+"/accept", nil)
	p := a.PostForm("/chats/direct/"+ben.Id, nil)
	room := strings.TrimPrefix(p.Location, "/chats/")
	a.PostMultipart("/chats/"+room+"/messages", url.Values{"body": {"secret plans"}},
		testkit.Upload{Field: "attachments", Name: "plan.txt", Data: []byte("the plan")}).Expect(http.StatusSeeOther)
	msg, err := s.App.FindFirstRecordByFilter("messages", "room = {:r}", dbx.Params{"r": room})
	if err != nil {
		t.Fatal(err)
	}
	file := msg.GetStringSlice("attachments")[0]
	evil, anaTok := s.Token(eve), s.Token(ana)

	for _, coll := range []string{"rooms", "room_members", "messages"} {
		_, body := api(t, s, evil, "GET", "/api/collections/"+coll+"/records", "")
		if n := len(items(t, body)); n != 0 {
			t.Errorf("outsider lists %d %s", n, coll)
		}
		_, body = api(t, s, anaTok, "GET", "/api/collections/"+coll+"/records", "")
		if n := len(items(t, body)); n == 0 {
			t.Errorf("a member lists no %s", coll)
		}
		_, body = api(t, s, "", "GET", "/api/collections/"+coll+"/records", "")
		if strings.Contains(body, `"items":[{`) {
			t.Errorf("guests list %s", coll)
		}
	}
	if code, body := api(t, s, evil, "GET", "/api/collections/messages/records/"+msg.Id, ""); code != 404 || strings.Contains(body, "secret") {
		t.Errorf("outsider viewed the message: %d %s", code, body)
	}
	if code, _ := api(t, s, evil, "GET", "/api/collections/rooms/records/"+room, ""); code != 404 {
		t.Errorf("outsider viewed the room: %d", code)
	}

	// Nobody writes chat records through the API, members included.
	for _, tok := range []string{evil, anaTok} {
		if code, _ := api(t, s, tok, "POST", "/api/collections/messages/records",
			`{"room":"`+room+`","author":"`+ana.Id+`","body":"forged","kind":"text","seq":99,"gseq":99}`); code < 400 {
			t.Errorf("message created through the API: %d", code)
		}
		if code, _ := api(t, s, tok, "POST", "/api/collections/room_members/records",
			`{"room":"`+room+`","user":"`+eve.Id+`","role":"member"}`); code < 400 {
			t.Errorf("joined a room through the API: %d", code)
		}
		if code, _ := api(t, s, tok, "PATCH", "/api/collections/messages/records/"+msg.Id, `{"body":"changed"}`); code < 400 {
			t.Errorf("message edited through the API: %d", code)
		}
	}
	if s.Reload(msg).GetString("body") != "secret plans" || s.Count("messages", "", nil) != 1 {
		t.Fatal("chat data changed through the API")
	}

	// Attachments: protected. No token, or a non-member's token, reads nothing.
	fileURL := "/api/files/messages/" + msg.Id + "/" + file
	if code, _ := api(t, s, "", "GET", fileURL, ""); code == 200 {
		t.Error("attachment served without a token")
	}
	_, tokBody := api(t, s, evil, "POST", "/api/files/token", "")
	eveFileTok := between(tokBody, `"token":"`, `"`)
	if eveFileTok == "" {
		t.Fatalf("file token: %s", tokBody)
	}
	if code, body := api(t, s, "", "GET", fileURL+"?token="+eveFileTok, ""); code == 200 || strings.Contains(body, "the plan") {
		t.Errorf("a non-member's file token read the attachment: %d", code)
	}
	_, tokBody = api(t, s, anaTok, "POST", "/api/files/token", "")
	if code, body := api(t, s, "", "GET", fileURL+"?token="+between(tokBody, `"token":"`, `"`), ""); code != 200 || body != "the plan" {
		t.Errorf("a member's file token: %d %q", code, body)
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}
