package account_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/testkit"
)

// world is a member with a bit of everything, and the people around her.
type world struct {
	s                 *testkit.Server
	zoe, ben, cai     *core.Record
	z, b              *testkit.Client
	direct, group     string // room ids
	post, benPost     string
	listing           *core.Record
	photo, attachment []byte
}

func befriendVia(t *testing.T, s *testkit.Server, a, b *core.Record) {
	t.Helper()
	s.SignedIn(a).PostForm("/friends/"+b.Id+"/request", nil).ExpectRedirect("/u/" + b.Id)
	s.SignedIn(b).PostForm("/friends/"+a.Id+"/accept", nil).ExpectRedirect("/u/" + a.Id)
}

func roomFrom(t *testing.T, p *testkit.Page) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/chats/") {
		t.Fatalf("open chat: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	return strings.TrimPrefix(p.Location, "/chats/")
}

// newWorld builds Zoe Quist's data: friends Ben and Cai, a request to Dee, a
// tag, a direct chat with Ben (a photo and text each way), a group she owns,
// a moment with a photo (liked and commented by Ben), her like and comment on
// Ben's moment, a listing with a photo, an order each way, a seller account,
// and mini-program storage next to Ben's.
func newWorld(t *testing.T) *world {
	t.Helper()
	s := testkit.Start(t)
	w := &world{s: s, photo: pngBytes(t)}
	w.attachment = append(pngBytes(t), "-attachment"...) // its own bytes, to tell it from the photos
	w.zoe = s.Member("Zoe Quist", "zoe.quist@example.org")
	w.ben = s.Member("Ben Okafor", "ben@example.org")
	w.cai = s.Member("Cai Wen", "cai@example.org")
	dee := s.Member("Dee Stranger", "dee@example.org")
	befriendVia(t, s, w.zoe, w.ben)
	befriendVia(t, s, w.zoe, w.cai)
	w.z, w.b = s.SignedIn(w.zoe), s.SignedIn(w.ben)
	w.z.PostForm("/friends/"+dee.Id+"/request", nil).ExpectRedirect("/u/" + dee.Id)

	tag := w.z.PostForm("/friends/tags", url.Values{"name": {"Family"}})
	w.z.PostForm(tag.Location, url.Values{"name": {"Family"}, "members": {w.ben.Id}}).ExpectRedirect("/friends/tags")
	benTag := w.b.PostForm("/friends/tags", url.Values{"name": {"Work"}})
	w.b.PostForm(benTag.Location, url.Values{"name": {"Work"}, "members": {w.zoe.Id}}).ExpectRedirect("/friends/tags")

	w.direct = roomFrom(t, w.z.PostForm("/chats/direct/"+w.ben.Id, nil))
	w.z.PostMultipart("/chats/"+w.direct+"/messages", url.Values{"body": {"Zoe's holiday photo"}},
		testkit.Upload{Field: "attachments", Name: "beach.png", Data: w.attachment}).Expect(http.StatusSeeOther)
	w.z.PostForm("/chats/"+w.direct+"/messages", url.Values{"body": {"See you at eight"}}).Expect(http.StatusSeeOther)
	w.b.PostForm("/chats/"+w.direct+"/messages", url.Values{"body": {"Ben's private reply"}}).Expect(http.StatusSeeOther)
	w.group = roomFrom(t, w.z.PostForm("/chats", url.Values{"title": {"Book club"}, "members": {w.ben.Id, w.cai.Id}}))
	w.z.PostForm("/chats/"+w.group+"/messages", url.Values{"body": {"Chapter three tonight"}}).Expect(http.StatusSeeOther)
	s.SignedIn(w.cai).PostForm("/chats/"+w.group+"/messages", url.Values{"body": {"Cai's group words"}}).Expect(http.StatusSeeOther)

	w.post = momentID(t, w.z.PostMultipart("/moments", url.Values{"body": {"Zoe's garden"}, "visibility": {"friends"}},
		testkit.Upload{Field: "photos", Name: "garden.png", Data: w.photo}))
	w.benPost = momentID(t, w.b.PostMultipart("/moments", url.Values{"body": {"Ben's bread"}, "visibility": {"friends"}}))
	w.b.PostForm("/moments/"+w.post+"/like", nil).Expect(http.StatusSeeOther)
	w.b.PostForm("/moments/"+w.post+"/comments", url.Values{"body": {"Ben likes the garden"}}).Expect(http.StatusSeeOther)
	w.z.PostForm("/moments/"+w.benPost+"/like", nil).Expect(http.StatusSeeOther)
	w.z.PostForm("/moments/"+w.benPost+"/comments", url.Values{"body": {"Zoe's crumb review"}}).Expect(http.StatusSeeOther)

	p := w.z.PostMultipart("/market/new", url.Values{"title": {"Zoe's road bike"}, "body": {"Fast."}, "price": {"120"},
		"stock": {"1"}, "category": {"sports"}}, testkit.Upload{Field: "photos", Name: "bike.png", Data: w.photo})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("listing: %d %s", p.Status, p.Text("[data-testid=form-errors]"))
	}
	var err error
	if w.listing, err = s.App.FindRecordById("listings", strings.TrimPrefix(p.Location, "/market/")); err != nil {
		t.Fatal(err)
	}
	order(t, s, w.listing.Id, w.ben.Id, w.zoe.Id, "Zoe's road bike", 12000, "paid")
	order(t, s, "", w.zoe.Id, w.ben.Id, "Ben's sourdough", 800, "fulfilled")
	seller, _ := s.App.FindCollectionByNameOrId("seller_accounts")
	acct := core.NewRecord(seller)
	acct.Set("user", w.zoe.Id)
	acct.Set("stripe_account", "acct_zoe123")
	if err := s.App.Save(acct); err != nil {
		t.Fatal(err)
	}

	s.InstallMini(testkit.MiniZip(map[string]any{"slug": "notes", "name": "Notes", "description": "Keeps notes.",
		"version": "1.0.0", "permissions": []string{"storage"}}, map[string]string{"index.html": "<!doctype html><title>n</title>"}))
	for c, value := range map[*testkit.Client]string{w.z: `zoe-note`, w.b: `ben-secret-note`} {
		c.PostForm("/minis/notes/consent", url.Values{"permission": {"storage"}}).Expect(http.StatusOK)
		c.Bridge("notes", "storage.set", "note", map[string]any{"text": value}).Expect(http.StatusOK)
	}
	return w
}

func momentID(t *testing.T, p *testkit.Page) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/moments#p-") {
		t.Fatalf("post: %d %q %s", p.Status, p.Location, p.Text("[data-testid=form-errors]"))
	}
	return strings.TrimPrefix(p.Location, "/moments#p-")
}

func order(t *testing.T, s *testkit.Server, listing, buyer, seller, title string, amount int, status string) {
	t.Helper()
	c, err := s.App.FindCollectionByNameOrId("orders")
	if err != nil {
		t.Fatal(err)
	}
	o := core.NewRecord(c)
	o.Load(map[string]any{"listing": listing, "buyer": buyer, "seller": seller, "title": title, "quantity": 1,
		"unit_price": amount, "amount": amount, "currency": "usd", "status": status, "payment_intent": "pi_test",
		"checkout_url": "https://checkout.stripe.com/c/pay/cs_test"})
	if err := s.App.Save(o); err != nil {
		t.Fatal(err)
	}
}

func TestExportNeedsSignIn(t *testing.T) {
	s := testkit.Start(t)
	for _, path := range []string{"/me/export", "/me/data", "/me/delete"} {
		s.Client().Get(path).ExpectRedirect("/signin?next=" + url.QueryEscape(path))
	}
	s.Client().PostForm("/me/delete", url.Values{"password": {testkit.Password}}).Expect(http.StatusUnauthorized)
	s.Client().PostForm("/me/export", nil).Expect(http.StatusUnauthorized)
}

func TestExportZip(t *testing.T) {
	w := newWorld(t)
	w.z.Get("/me").Expect(http.StatusOK, `href="/me/data"`, "Your data")
	w.z.Get("/me/data").Expect(http.StatusOK, `action="/me/export"`, `href="/me/delete"`)
	// GET only shows the page: an image or a link to /me/export can't start
	// the (expensive) download in a member's browser.
	if g := w.z.Get("/me/export").Expect(http.StatusOK, `action="/me/export"`); g.Header.Get("Content-Type") == "application/zip" {
		t.Fatal("GET /me/export sent the zip")
	}

	start := time.Now()
	p := w.z.PostForm("/me/export", nil).Expect(http.StatusOK)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("export took %s", took)
	}
	if ct := p.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := p.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="plaza-export-\d{4}-\d{2}-\d{2}\.zip"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(strings.NewReader(p.Body), int64(len(p.Body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
		if strings.HasSuffix(f.Name, ".json") && !json.Valid(b) {
			t.Errorf("%s is not valid JSON:\n%s", f.Name, b)
		}
	}
	for _, name := range []string{"README.txt", "profile.json", "privacy.json", "friends.json", "friend_tags.json", "chats.json",
		"messages.json", "moments.json", "comments.json", "likes.json", "listings.json", "orders.json",
		"seller_account.json", "mini_programs.json", "mini_storage.json", "notifications.json", "reports.json", "push_devices.json"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the export lacks %s", name)
		}
	}
	decode := func(name string, into any) {
		t.Helper()
		if err := json.Unmarshal(files[name], into); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	var profile map[string]any
	decode("profile.json", &profile)
	if profile["email"] != "zoe.quist@example.org" || profile["name"] != "Zoe Quist" {
		t.Errorf("profile %v", profile)
	}
	for _, secret := range []string{`"password`, "tokenKey", w.s.Reload(w.zoe).TokenKey()} {
		if bytes.Contains(files["profile.json"], []byte(secret)) {
			t.Errorf("profile.json holds %q", secret)
		}
	}

	var friends map[string][]named
	decode("friends.json", &friends)
	if names(friends["friends"]) != "Ben Okafor,Cai Wen" || names(friends["requests_sent"]) != "Dee Stranger" {
		t.Errorf("friends %+v", friends)
	}
	var tags []struct {
		Name    string
		Members []named
	}
	decode("friend_tags.json", &tags)
	if len(tags) != 1 || tags[0].Name != "Family" || names(tags[0].Members) != "Ben Okafor" {
		t.Errorf("tags %+v", tags)
	}
	var chats []struct {
		ID, Kind, Title string
		With            struct{ Name string }
	}
	decode("chats.json", &chats)
	sort.Slice(chats, func(i, j int) bool { return chats[i].Kind == "direct" && chats[j].Kind != "direct" })
	if len(chats) != 2 || chats[0].ID != w.direct || chats[0].With.Name != "Ben Okafor" || chats[1].ID != w.group || chats[1].Title != "Book club" {
		t.Errorf("chats %+v", chats)
	}

	// Her messages with their attachment; nobody else's.
	var msgs []struct {
		Chat, Body  string
		Attachments []string
	}
	decode("messages.json", &msgs)
	sent := map[string]string{}
	for _, m := range msgs {
		sent[m.Body] = m.Chat
		if m.Body == "Zoe's holiday photo" && (len(m.Attachments) != 1 || !bytes.Equal(files[m.Attachments[0]], w.attachment)) {
			t.Errorf("attachment %v not in the zip with its bytes", m.Attachments)
		}
	}
	if len(msgs) != 3 || sent["Zoe's holiday photo"] != w.direct || sent["See you at eight"] != w.direct || sent["Chapter three tonight"] != w.group {
		t.Fatalf("messages %+v", msgs)
	}

	var posts []struct {
		ID, Body string
		Photos   []string
	}
	decode("moments.json", &posts)
	if len(posts) != 1 || posts[0].ID != w.post || len(posts[0].Photos) != 1 || !bytes.Equal(files[posts[0].Photos[0]], w.photo) {
		t.Errorf("moments %+v", posts)
	}
	var comments []struct{ Moment, Body string }
	decode("comments.json", &comments)
	if len(comments) != 1 || comments[0].Moment != w.benPost || comments[0].Body != "Zoe's crumb review" {
		t.Errorf("comments %+v", comments)
	}
	var likes []struct{ Moment string }
	decode("likes.json", &likes)
	if len(likes) != 1 || likes[0].Moment != w.benPost {
		t.Errorf("likes %+v", likes)
	}
	var listings []struct {
		Title  string
		Price  int
		Photos []string
	}
	decode("listings.json", &listings)
	if len(listings) != 1 || listings[0].Title != "Zoe's road bike" || listings[0].Price != 12000 ||
		len(listings[0].Photos) != 1 || !bytes.Equal(files[listings[0].Photos[0]], w.photo) {
		t.Errorf("listings %+v", listings)
	}
	var orders []struct {
		Role, Title string
		Amount      int
		Buyer       struct{ Name string }
		Seller      struct{ Name string }
	}
	decode("orders.json", &orders)
	sort.Slice(orders, func(i, j int) bool { return orders[i].Role == "seller" && orders[j].Role != "seller" })
	if len(orders) != 2 || orders[0].Role != "seller" || orders[0].Buyer.Name != "Ben Okafor" || orders[0].Amount != 12000 ||
		orders[1].Role != "buyer" || orders[1].Seller.Name != "Ben Okafor" || orders[1].Title != "Ben's sourdough" {
		t.Errorf("orders %+v", orders)
	}
	var seller struct {
		StripeAccount string `json:"stripe_account"`
	}
	decode("seller_account.json", &seller)
	if seller.StripeAccount != "acct_zoe123" {
		t.Errorf("seller account %+v", seller)
	}
	var grants []struct {
		Mini struct{ Slug string }
	}
	decode("mini_programs.json", &grants)
	if len(grants) != 1 || grants[0].Mini.Slug != "notes" {
		t.Errorf("grants %+v", grants)
	}
	var storage []struct {
		Mini, Key string
		Value     struct{ Text string }
	}
	decode("mini_storage.json", &storage)
	if len(storage) != 1 || storage[0].Mini != "notes" || storage[0].Key != "note" || storage[0].Value.Text != "zoe-note" {
		t.Errorf("mini storage %+v", storage)
	}
	var notes []struct{ Kind, Text string }
	decode("notifications.json", &notes)
	if len(notes) == 0 {
		t.Error("no notifications exported")
	}
	for _, n := range notes {
		if n.Kind == "" || n.Text == "" {
			t.Errorf("notification %+v", n)
		}
	}
	if !strings.Contains(string(files["README.txt"]), "messages.json") || !strings.Contains(string(files["README.txt"]), "notifications.json") {
		t.Error("README.txt does not explain the files")
	}

	// Other members' private data is nowhere in the archive.
	for name, b := range files {
		for _, private := range []string{"Ben's private reply", "Cai's group words", "ben-secret-note", "Ben likes the garden",
			"Ben's bread", "ben@example.org", "cai@example.org"} {
			if bytes.Contains(b, []byte(private)) {
				t.Errorf("%s holds another member's %q", name, private)
			}
		}
	}

	// Someone else's export is their own.
	p = w.b.PostForm("/me/export", nil).Expect(http.StatusOK)
	if strings.Contains(p.Body, "zoe.quist@example.org") {
		t.Error("Ben's export holds Zoe's email")
	}
}

type named struct{ Name string }

// names lists the names in alphabetical order.
func names(list []named) string {
	var out []string
	for _, p := range list {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// rowsMentioning lists every stored row, in every collection (system ones
// included), that holds any of needles in any column.
func rowsMentioning(t *testing.T, s *testkit.Server, needles ...string) []string {
	t.Helper()
	cols, err := s.App.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var hits []string
	for _, c := range cols {
		if c.IsView() {
			continue
		}
		var rows []dbx.NullStringMap
		if err := s.App.DB().NewQuery("SELECT * FROM {{" + c.Name + "}}").All(&rows); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, row := range rows {
			for col, v := range row {
				for _, n := range needles {
					if v.Valid && strings.Contains(strings.ToLower(v.String), strings.ToLower(n)) {
						hits = append(hits, c.Name+"."+col+" = "+v.String)
					}
				}
			}
		}
	}
	return hits
}

func TestDeleteAccount(t *testing.T) {
	w := newWorld(t)
	s := w.s
	other := s.SignedIn(w.zoe) // a second device
	other.Get("/chats").Expect(http.StatusOK)
	count := func() map[string]int {
		cols, err := s.App.FindAllCollections()
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, c := range cols {
			if !c.IsView() {
				n[c.Name] = s.Count(c.Name, "", nil)
			}
		}
		return n
	}
	before := count()
	for _, sys := range []string{"_superusers", "_mfas", "_otps", "_externalAuths", "_authOrigins"} {
		if _, ok := before[sys]; !ok {
			t.Fatalf("%s is not among the collections checked", sys)
		}
	}
	// A REST API sign-in leaves PocketBase's own traces (an auth origin).
	s.API(http.MethodPost, "/api/collections/users/auth-with-password", "", "application/json",
		[]byte(`{"identity":"zoe.quist@example.org","password":"`+testkit.Password+`"}`)).Expect(http.StatusOK)
	if s.Count("_authOrigins", "recordRef = {:z}", dbx.Params{"z": w.zoe.Id}) != 1 {
		t.Fatal("no auth origin to check")
	}
	if hits := rowsMentioning(t, s, w.zoe.Id, "Zoe Quist"); len(hits) < 20 {
		t.Fatalf("the scan finds only %d rows of hers before deletion", len(hits))
	}
	before = count()

	w.z.Get("/me/delete").Expect(http.StatusOK, `data-testid="delete-form"`, `autocomplete="current-password"`)
	p := w.z.PostForm("/me/delete", url.Values{"password": {"not-my-password"}}).Expect(http.StatusUnprocessableEntity)
	if got := p.Text("[data-testid=error-password]"); !strings.Contains(got, "not right") {
		t.Errorf("wrong password error %q", got)
	}
	w.z.PostForm("/me/delete", nil).Expect(http.StatusUnprocessableEntity, "Enter your password")
	if after := count(); !equalCounts(before, after) {
		t.Fatalf("a refused deletion changed data: %v → %v", before, after)
	}
	w.z.Get("/me").Expect(http.StatusOK, "Zoe Quist")

	postRec, err := s.App.FindRecordById("posts", w.post)
	if err != nil {
		t.Fatal(err)
	}
	photoKey := postRec.BaseFilesPath() + "/" + postRec.GetStringSlice("photos")[0]
	listingKey := w.listing.BaseFilesPath() + "/" + w.listing.GetStringSlice("photos")[0]

	p = w.z.PostForm("/me/delete", url.Values{"password": {testkit.Password}}).ExpectRedirect("/signin")
	w.z.Follow(p).Expect(http.StatusOK, "Your account was deleted")
	for _, c := range []*testkit.Client{w.z, other} {
		c.Get("/chats").ExpectRedirect("/signin?next=%2Fchats")
	}

	// Nothing of hers is left anywhere: not her id, email or name.
	if hits := rowsMentioning(t, s, w.zoe.Id, "zoe.quist@example.org", "Zoe Quist", "acct_zoe123", "zoe-note"); len(hits) > 0 {
		t.Errorf("personal data left after deletion:\n%s", strings.Join(hits, "\n"))
	}
	for coll, n := range map[string]int{"posts": 1, "post_likes": 0, "post_comments": 0, "listings": 0, "friendships": 0,
		"friend_tags": 1, "seller_accounts": 0, "mini_grants": 1, "mini_storage": 1, "users": 3} {
		if got := s.Count(coll, "", nil); got != n {
			t.Errorf("%d %s left, want %d", got, coll, n)
		}
	}
	if s.Count("posts", "id = {:id}", dbx.Params{"id": w.benPost}) != 1 {
		t.Error("Ben's moment went with Zoe")
	}
	if tag, err := s.App.FindFirstRecordByFilter("friend_tags", "name = 'Work'"); err != nil || len(tag.GetStringSlice("members")) != 0 {
		t.Errorf("Ben's tag: %v %v", tag, err)
	}

	// Orders stay for the accounts, without her.
	orders, err := s.App.FindAllRecords("orders")
	if err != nil || len(orders) != 2 {
		t.Fatalf("orders %v %v", orders, err)
	}
	for _, o := range orders {
		if o.GetInt("amount") == 0 || o.GetString("title") == "" || o.GetString("status") == "" {
			t.Errorf("order lost its accounting data: %v", o)
		}
		if o.GetString("title") == "Ben's sourdough" && (o.GetString("buyer") != "" || o.GetString("seller") != w.ben.Id || o.GetString("checkout_url") != "") {
			t.Errorf("bought order %v", o)
		}
		if o.GetString("title") == "Zoe's road bike" && (o.GetString("seller") != "" || o.GetString("buyer") != w.ben.Id || o.GetString("listing") != "") {
			t.Errorf("sold order %v", o)
		}
	}
	sales := w.b.Get("/orders?view=sales").Expect(http.StatusOK, "Ben&#39;s sourdough")
	if got := sales.Text("[data-testid=order] .cell__sub"); !strings.Contains(got, "Deleted member") {
		t.Errorf("Ben's sale to her shows %q", got)
	}
	w.b.Get("/orders").Expect(http.StatusOK, "Zoe&#39;s road bike")

	// Her messages stay for the others, from "Deleted member".
	if n := s.Count("messages", "author = '' AND kind != 'system' AND body IN ('Zoe''s holiday photo', 'See you at eight', 'Chapter three tonight')", nil); n != 3 {
		t.Errorf("%d of her 3 messages kept without author", n)
	}
	if n := s.Count("messages", "body = 'Ben''s private reply' AND author = {:b}", dbx.Params{"b": w.ben.Id}); n != 1 {
		t.Error("Ben's message changed")
	}
	w.b.Get("/chats").Expect(http.StatusOK, "Deleted member")
	room := w.b.Get("/chats/"+w.group).Expect(http.StatusOK, "Chapter three tonight", "Deleted member created the group")
	if !strings.Contains(room.Text("[data-testid=message]"), "Deleted member") {
		t.Error("her group message does not show as from Deleted member")
	}
	dm := w.b.Get("/chats/" + w.direct).Expect(http.StatusOK)
	if got := dm.Text("[data-testid=message]"); !strings.Contains(got, "Zoe's holiday photo") || !strings.Contains(got, "Ben's private reply") {
		t.Errorf("Ben's direct chat after she left: %q", got)
	}
	// The group she owned passes on, as when an owner leaves.
	owners, err := s.App.FindAllRecords("room_members", dbx.HashExp{"room": w.group, "role": "owner"})
	if err != nil || len(owners) != 1 || (owners[0].GetString("user") != w.ben.Id && owners[0].GetString("user") != w.cai.Id) {
		t.Errorf("the group's owners after she left: %v %v", owners, err)
	}

	// Her moment's and listing's photos are gone from storage; the chat
	// attachment stays with its message.
	fsys, err := s.App.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	deadline := time.Now().Add(5 * time.Second)
	for _, key := range []string{photoKey, listingKey} {
		for {
			exists, err := fsys.Exists(key)
			if err != nil {
				t.Fatal(err)
			}
			if !exists {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s still in storage", key)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	msg, err := s.App.FindFirstRecordByFilter("messages", "body = {:b}", dbx.Params{"b": "Zoe's holiday photo"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := fsys.Exists(msg.BaseFilesPath() + "/" + msg.GetStringSlice("attachments")[0]); err != nil || !ok {
		t.Errorf("the chat attachment went: %v %v", ok, err)
	}

	// The email is free again.
	s.Client().PostForm("/signup", url.Values{"name": {"Zoe Again"}, "email": {"zoe.quist@example.org"},
		"password": {"a-brand-new-password"}}).ExpectRedirect("/me")
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDeleteLastMemberDeletesTheChat(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	befriendVia(t, s, ana, ben)
	a := s.SignedIn(ana)
	room := roomFrom(t, a.PostForm("/chats/direct/"+ben.Id, nil))
	a.PostForm("/chats/"+room+"/messages", url.Values{"body": {"hi"}}).Expect(http.StatusSeeOther)
	a.PostForm("/me/delete", url.Values{"password": {testkit.Password}}).ExpectRedirect("/signin")
	if n := s.Count("rooms", "id = {:r} AND direct_key = ''", dbx.Params{"r": room}); n != 1 {
		t.Fatal("the direct chat did not stay for Ben without its key")
	}
	s.SignedIn(ben).PostForm("/me/delete", url.Values{"password": {testkit.Password}}).ExpectRedirect("/signin")
	if s.Count("rooms", "", nil) != 0 || s.Count("messages", "", nil) != 0 {
		t.Error("a chat nobody is left in was kept")
	}
}
