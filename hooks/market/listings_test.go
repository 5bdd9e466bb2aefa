package market_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/market"
	"plaza/hooks/pay"
	"plaza/hooks/testkit"
)

// testPNG is a small picture; shade makes each one different.
func testPNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := 0; x < 32; x++ {
		img.Set(x, x%24, color.RGBA{shade, 193, 96, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sellForm is a valid listing form; change fields with set.
func sellForm(set ...string) url.Values {
	f := url.Values{
		"title": {"Road bike"}, "body": {"Barely used, **mint** condition."},
		"price": {"12.50"}, "stock": {"1"}, "category": {"sports"},
	}
	for i := 0; i+1 < len(set); i += 2 {
		f.Set(set[i], set[i+1])
	}
	return f
}

// sellViaForm lists something through the form and returns the listing.
func sellViaForm(t *testing.T, s *testkit.Server, c *testkit.Client, form url.Values, files ...testkit.Upload) *core.Record {
	t.Helper()
	p := c.PostMultipart("/market/new", form, files...)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/market/") {
		t.Fatalf("sell: %d → %q\n%s", p.Status, p.Location, p.Text("[data-testid=form-errors]"))
	}
	l, err := s.App.FindRecordById("listings", strings.TrimPrefix(p.Location, "/market/"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// cardIDs are the listings shown in a grid, in order.
func cardIDs(p *testkit.Page) []string {
	var ids []string
	p.Doc.Find("[data-testid=listing]").Each(func(_ int, el *goquery.Selection) {
		id, _ := el.Attr("data-listing")
		ids = append(ids, id)
	})
	return ids
}

func TestSellAndBrowse(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana Seller", "ana@example.org"), s.Member("Ben Buyer", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)

	form := a.Get("/market/new").Expect(http.StatusOK, "Price (USD)")
	if form.Value("#f-stock") != "1" {
		t.Errorf("stock starts at %q, want 1", form.Value("#f-stock"))
	}
	l := sellViaForm(t, s, a, sellForm(),
		testkit.Upload{Field: "photos", Name: "front.png", Data: testPNG(t, 10)},
		testkit.Upload{Field: "photos", Name: "back.jpg", Data: testJPEG(t)})
	if l.GetString("status") != "active" || l.GetInt("price") != 1250 || l.GetString("currency") != "usd" ||
		l.GetInt("stock") != 1 || len(l.GetStringSlice("photos")) != 2 || l.GetString("seller") != ana.Id {
		t.Fatalf("stored %v", l.PublicExport())
	}
	a.Get("/market/"+l.Id).Expect(http.StatusOK, "Your listing is up.")

	market := b.Get("/market").Expect(http.StatusOK, "Road bike", "$12.50", "Ana Seller")
	if ids := cardIDs(market); len(ids) != 1 || ids[0] != l.Id {
		t.Fatalf("market shows %v", ids)
	}
	if src, _ := market.Doc.Find("[data-testid=listing] img").Attr("src"); !strings.Contains(src, "thumb=480x480") {
		t.Errorf("card photo %q", src)
	}
	if href, _ := market.Doc.Find("[data-testid=my-listings]").Attr("href"); href != "/market/sellers/"+ben.Id {
		t.Errorf("My listings → %q", href)
	}

	// A buyer's view: photos, price, markdown, seller, contact and a Buy
	// that explains why it is off (no Stripe key in tests).
	page := b.Get("/market/"+l.Id).Expect(http.StatusOK, "<strong>mint</strong>", "Sports", "1 available")
	if page.Text("[data-testid=price]") != "$12.50" || page.Doc.Find("[data-testid=photos] img").Length() != 2 {
		t.Errorf("price %q, %d photos", page.Text("[data-testid=price]"), page.Doc.Find("[data-testid=photos] img").Length())
	}
	photo, _ := page.Doc.Find("[data-testid=photos] img").First().Attr("src")
	if ph := b.Get(photo); ph.Status != http.StatusOK || !strings.HasPrefix(ph.Header.Get("Content-Type"), "image/") {
		t.Errorf("photo %s: %d %s", photo, ph.Status, ph.Header.Get("Content-Type"))
	}
	if href, _ := page.Doc.Find("[data-testid=seller-link]").Attr("href"); href != "/market/sellers/"+ana.Id {
		t.Errorf("seller link %q", href)
	}
	if action, _ := page.Doc.Find("[data-testid=contact]").Attr("action"); action != "/market/"+l.Id+"/contact" {
		t.Errorf("contact form posts to %q", action)
	}
	buy := page.Doc.Find("[data-testid=buy-form]")
	if action, _ := buy.Attr("action"); action != "/market/"+l.Id+"/buy" || page.Value("input[name=quantity]") != "1" {
		t.Errorf("buy form posts to %q, quantity %q", action, page.Value("input[name=quantity]"))
	}
	if _, off := page.Doc.Find("[data-testid=buy]").Attr("disabled"); !off || !strings.Contains(page.Text("[data-testid=payments-off]"), "Payments are not set up") {
		t.Error("Buy isn't disabled with an explanation while payments are off")
	}
	if page.Has("[data-testid=payments-setup]") || page.Has("[data-testid=edit]") {
		t.Error("a member sees the admin's setup steps or the seller's Edit")
	}

	// An admin also reads how to turn payments on.
	ben = s.Reload(ben)
	ben.Set("role", "admin")
	if err := s.App.Save(ben); err != nil {
		t.Fatal(err)
	}
	s.SignedIn(ben).Get("/market/"+l.Id).Expect(http.StatusOK, "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "restart")

	// With Stripe configured, Buy works and nothing explains it away.
	pay.Configure(s.App, pay.Config{SecretKey: "sk_test_x"})
	page = b.Get("/market/" + l.Id).Expect(http.StatusOK)
	if _, off := page.Doc.Find("[data-testid=buy]").Attr("disabled"); off || page.Has("[data-testid=payments-off]") {
		t.Error("Buy still off with payments configured")
	}
	if page.Value("input[name=quantity]") != "1" {
		t.Error("no quantity to buy")
	}

	// The seller manages instead of buying.
	own := a.Get("/market/" + l.Id).Expect(http.StatusOK)
	if own.Has("[data-testid=buy-form]") || own.Has("[data-testid=contact]") || !own.Has("[data-testid=edit]") || !own.Has("[data-testid=hide]") {
		t.Error("the seller's listing page should offer Edit and Hide, not Buy or Contact")
	}
}

func TestSellInOrgCurrencyAndDraft(t *testing.T) {
	s := testkit.Start(t)
	org, err := s.App.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		t.Fatal(err)
	}
	org.Set("currency", "eur")
	if err := s.App.Save(org); err != nil {
		t.Fatal(err)
	}
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a := s.SignedIn(ana)
	a.Get("/market/new").Expect(http.StatusOK, "Price (EUR)")
	l := sellViaForm(t, s, a, sellForm("price", "1,200", "intent", "draft"))
	if l.GetString("currency") != "eur" || l.GetInt("price") != 120000 || l.GetString("status") != "draft" {
		t.Fatalf("stored %v", l.PublicExport())
	}
	a.Get("/market/"+l.Id).Expect(http.StatusOK, "€1,200.00", "Draft saved", "Draft — only you can see it")
	s.SignedIn(ben).Get("/market/" + l.Id).Expect(http.StatusNotFound)
	if len(cardIDs(s.SignedIn(ben).Get("/market"))) != 0 {
		t.Error("a draft is on the market")
	}
	// Publishing from the edit form puts it up.
	edit := a.Get("/market/" + l.Id + "/edit").Expect(http.StatusOK)
	if edit.Value("#f-price") != "1200.00" || !edit.Has("[data-testid=publish]") {
		t.Errorf("edit form price %q (publish button %v)", edit.Value("#f-price"), edit.Has("[data-testid=publish]"))
	}
	form := sellForm("price", edit.Value("#f-price"), "intent", "publish", "stock_was", "1")
	a.PostMultipart("/market/"+l.Id+"/edit", form).ExpectRedirect("/market/" + l.Id)
	if got := s.Reload(l).GetString("status"); got != "active" {
		t.Errorf("published draft is %s", got)
	}
	s.SignedIn(ben).Get("/market/"+l.Id).Expect(http.StatusOK, "€1,200.00")
}

func TestSellBadInput(t *testing.T) {
	s := testkit.Start(t)
	a := s.SignedIn(s.Member("Ana", "ana@example.org"))
	img := testkit.Upload{Field: "photos", Name: "p.png", Data: testPNG(t, 1)}
	var ten []testkit.Upload
	for i := 0; i < 10; i++ {
		ten = append(ten, img)
	}
	cases := []struct {
		name   string
		form   url.Values
		files  []testkit.Upload
		status int
		field  string
		msg    string
	}{
		{"no title", sellForm("title", "   "), nil, 422, "title", "Give your listing a title"},
		{"long title", sellForm("title", strings.Repeat("t", 121)), nil, 422, "title", "under 120 characters"},
		{"long body", sellForm("body", strings.Repeat("b", 5001)), nil, 422, "body", "under 5,000 characters"},
		{"no price", sellForm("price", ""), nil, 422, "price", "Enter a price like 12.50"},
		{"zero price", sellForm("price", "0"), nil, 422, "price", "more than zero"},
		{"negative price", sellForm("price", "-3"), nil, 422, "price", "Enter a price like 12.50"},
		{"words for a price", sellForm("price", "cheap"), nil, 422, "price", "Enter a price like 12.50"},
		{"three decimals", sellForm("price", "1.005"), nil, 422, "price", "Enter a price like 12.50"},
		{"huge price", sellForm("price", "1000000"), nil, 422, "price", "too high"},
		{"negative stock", sellForm("stock", "-1"), nil, 422, "stock", "whole number from 0 to 9,999"},
		{"fractional stock", sellForm("stock", "1.5"), nil, 422, "stock", "whole number from 0 to 9,999"},
		{"too much stock", sellForm("stock", "10000"), nil, 422, "stock", "whole number from 0 to 9,999"},
		{"unknown category", sellForm("category", "weapons"), nil, 422, "category", "Choose a category"},
		{"no category", sellForm("category", ""), nil, 422, "category", "Choose a category"},
		{"ten photos", sellForm(), ten, 422, "photos", "at most 9 photos"},
		{"not a picture", sellForm(), []testkit.Upload{img, {Field: "photos", Name: "cv.png", Data: []byte("%PDF-1.4 a document")}}, 422, "photos", "“cv.png” is not a picture"},
		{"oversized photo", sellForm(), []testkit.Upload{{Field: "photos", Name: "big.png", Data: append(testPNG(t, 2), make([]byte, 10<<20)...)}}, 413, "photos", "larger than 10 MB"},
		{"photos come back unchosen", sellForm("title", ""), []testkit.Upload{img}, 422, "photos", "Choose your photos again"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := a.PostMultipart("/market/new", tc.form, tc.files...).Expect(tc.status)
			if got := p.Text("[data-testid=form-errors]"); !strings.Contains(got, tc.msg) {
				t.Errorf("errors %q, want %q", got, tc.msg)
			}
			if got := p.Text("[data-testid=error-" + tc.field + "]"); got == "" {
				t.Errorf("no error under the %s field", tc.field)
			}
			if !p.Has("[data-testid=form-errors] a[href='#f-" + tc.field + "']") {
				t.Errorf("the summary doesn't link to the %s field", tc.field)
			}
			// What was typed comes back.
			if p.Value("#f-title") != strings.TrimSpace(tc.form.Get("title")) || p.Value("#f-price") != tc.form.Get("price") ||
				p.Value("#f-stock") != tc.form.Get("stock") || p.Text("#f-body") != strings.Join(strings.Fields(tc.form.Get("body")), " ") {
				t.Errorf("typed text lost: title %q price %q stock %q", p.Value("#f-title"), p.Value("#f-price"), p.Value("#f-stock"))
			}
			if sel, _ := p.Doc.Find("#f-category option[selected]").Attr("value"); tc.form.Get("category") == "sports" && sel != "sports" {
				t.Errorf("category %q not kept (%q)", tc.form.Get("category"), sel)
			}
			if n := s.Count("listings", "", nil); n != 0 {
				t.Fatalf("%d listings stored", n)
			}
		})
	}
}

func TestBrowseSearchCategorySort(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	age := 10 // minutes: each listing is newer than the one before
	put := func(title, body, category string, price int64, stock int, draft bool) *core.Record {
		t.Helper()
		l, err := market.CreateListing(s.App, market.NewListing{Seller: ana.Id, Title: title, Body: body, Price: price,
			Currency: "usd", Stock: stock, Category: category, Draft: draft})
		if err != nil {
			t.Fatal(err)
		}
		age--
		if _, err := s.App.DB().NewQuery("UPDATE listings SET created = strftime('%Y-%m-%d %H:%M:%fZ', 'now', {:ago}) WHERE id = {:id}").
			Bind(dbx.Params{"ago": "-" + strconv.Itoa(age) + " minutes", "id": l.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
		return l
	}
	lamp := put("Desk lamp", "Warm light", "home", 1500, 1, false)
	novel := put("Mystery novel", "A page-turner about a LAMP thief", "books", 500, 2, false)
	sale := put("100% cotton shirt", "Size M", "clothing", 2500, 1, false)
	put("Secret lamp", "not ready", "home", 100, 1, true) // a draft
	put("Sold lamp", "gone", "home", 200, 0, false)       // sold out
	hidden := put("Hidden lamp", "", "home", 300, 1, false)
	hidden.Set("status", "hidden")
	if err := s.App.Save(hidden); err != nil {
		t.Fatal(err)
	}
	b := s.SignedIn(ben)
	want := func(path string, ids ...string) {
		t.Helper()
		got := cardIDs(b.Get(path).Expect(http.StatusOK))
		if strings.Join(got, ",") != strings.Join(ids, ",") {
			t.Errorf("%s shows %v, want %v", path, got, ids)
		}
	}
	want("/market", sale.Id, novel.Id, lamp.Id) // newest first, only what's for sale
	want("/market?q=lamp", novel.Id, lamp.Id)   // title or description, any case
	want("/market?q=100%25", sale.Id)           // % is a character, not a wildcard
	want("/market?q=_")
	want("/market?category=home", lamp.Id)
	want("/market?category=home&q=novel")
	want("/market?sort=price_asc", novel.Id, lamp.Id, sale.Id)
	want("/market?sort=price_desc", sale.Id, lamp.Id, novel.Id)
	want("/market?category=nonsense&sort=nonsense", sale.Id, novel.Id, lamp.Id)

	filtered := b.Get("/market?q=lamp&category=books&sort=price_desc")
	if filtered.Value("#market-q") != "lamp" || filtered.Value("#market-category option[selected]") != "books" ||
		filtered.Value("#market-sort option[selected]") != "price_desc" {
		t.Error("the filters don't show what was chosen")
	}
	none := b.Get("/market?q=unicorn").Expect(http.StatusOK, "Nothing for sale matches")
	if href, _ := none.Doc.Find("[data-testid=empty] a").Attr("href"); href != "/market" {
		t.Errorf("empty search leads to %q", href)
	}
	b.Get("/market?after=garbage").Expect(http.StatusBadRequest)
}

func TestBrowsePaging(t *testing.T) {
	s := testkit.Start(t)
	ana := s.Member("Ana", "ana@example.org")
	prices := map[string]int64{}
	for i := 0; i < 30; i++ {
		price := int64(100 + (i%7)*10) // ties on price page by newest
		l, err := market.CreateListing(s.App, market.NewListing{Seller: ana.Id, Title: "Item " + strconv.Itoa(i),
			Price: price, Currency: "usd", Stock: 1, Category: "other"})
		if err != nil {
			t.Fatal(err)
		}
		prices[l.Id] = price
	}
	c := s.SignedIn(s.Member("Ben", "ben@example.org"))
	for _, sort := range []string{"newest", "price_asc", "price_desc"} {
		seen := map[string]bool{}
		var order []string
		page := c.Get("/market?sort=" + sort).Expect(http.StatusOK)
		for n := 0; n < 4; n++ {
			ids := cardIDs(page)
			if n == 0 && len(ids) != 24 {
				t.Errorf("%s: first page has %d listings", sort, len(ids))
			}
			for _, id := range ids {
				if seen[id] {
					t.Errorf("%s: %s shown twice", sort, id)
				}
				seen[id] = true
				order = append(order, id)
			}
			more, ok := page.Doc.Find("[data-testid=more]").Attr("href")
			if !ok {
				break
			}
			if !strings.Contains(more, "sort="+sort) && sort != "newest" {
				t.Errorf("the More link drops the order: %s", more)
			}
			page = c.Get(more).Expect(http.StatusOK)
		}
		if len(seen) != 30 {
			t.Errorf("%s: paged through %d of 30", sort, len(seen))
		}
		for i := 1; i < len(order); i++ {
			a, b := prices[order[i-1]], prices[order[i]]
			if sort == "price_asc" && a > b || sort == "price_desc" && a < b {
				t.Errorf("%s: out of order at %d (%d then %d)", sort, i, a, b)
			}
		}
	}
}

func TestListingVisibilityAndSellerPage(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana Seller", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	forSale := sellViaForm(t, s, a, sellForm("title", "Tent"))
	soldOut := sellViaForm(t, s, a, sellForm("title", "Stove", "stock", "0"))
	draft := sellViaForm(t, s, a, sellForm("title", "Kayak", "intent", "draft"))
	hidden := sellViaForm(t, s, a, sellForm("title", "Paddle"))
	a.PostForm("/market/"+hidden.Id+"/hide", nil).ExpectRedirect("/market/" + hidden.Id)

	if got := s.Reload(soldOut).GetString("status"); got != "sold" {
		t.Fatalf("no stock listed as %s", got)
	}
	// Sold: visible, clearly sold, no Buy.
	sold := b.Get("/market/"+soldOut.Id).Expect(http.StatusOK, "Sold out")
	if sold.Has("[data-testid=buy-form]") || !sold.Has("[data-testid=contact]") {
		t.Error("a sold-out listing offers Buy (or no way to contact)")
	}
	// Hidden and draft: the seller only.
	for _, l := range []*core.Record{draft, hidden} {
		b.Get("/market/" + l.Id).Expect(http.StatusNotFound)
		b.Get("/market/" + l.Id + "/edit").Expect(http.StatusNotFound)
		b.PostForm("/market/"+l.Id+"/show", nil).Expect(http.StatusNotFound)
		a.Get("/market/"+l.Id).Expect(http.StatusOK, "only you can see it")
	}
	b.Get("/market/nosuchlisting").Expect(http.StatusNotFound)
	b.Get("/market/" + forSale.Id + "/nosuchpage").Expect(http.StatusNotFound)

	// The seller page: others see what is for sale and sold.
	theirs := b.Get("/market/sellers/"+ana.Id).Expect(http.StatusOK, "Ana Seller&#39;s listings")
	// (both made in the same millisecond, their order may be either)
	if got := cardIDs(theirs); len(got) != 2 || !slices.Contains(got, soldOut.Id) || !slices.Contains(got, forSale.Id) {
		t.Errorf("others see %v", got)
	}
	if theirs.Text("[data-testid=state]") != "Sold" || theirs.Has("a[href$='/edit']") {
		t.Errorf("states %q (or edit links for a visitor)", theirs.Text("[data-testid=state]"))
	}
	// The seller sees everything, labelled, with Edit links; "My listings" leads there.
	mine := a.Get("/market/sellers/"+ana.Id).Expect(http.StatusOK, "My listings")
	if got := cardIDs(mine); len(got) != 4 {
		t.Errorf("the seller sees %d of 4", len(got))
	}
	if st := mine.Text("[data-testid=state]"); !strings.Contains(st, "Hidden") || !strings.Contains(st, "Draft") || !strings.Contains(st, "Sold") {
		t.Errorf("states %q", st)
	}
	if mine.Doc.Find("[data-testid=card-edit]").Length() != 4 || mine.Doc.Find("[data-testid=card-show]").Length() != 2 || mine.Doc.Find("[data-testid=card-hide]").Length() != 2 {
		t.Error("no Edit, Hide and Show for the seller on each card")
	}
	b.Get("/market/sellers/nosuchmember").Expect(http.StatusNotFound)
	empty := b.Get("/market/sellers/"+ben.Id).Expect(http.StatusOK, "You aren&#39;t selling anything yet")
	if !empty.Has("[data-testid=empty]") {
		t.Error("no empty state")
	}
}

func TestHideAndShow(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	l := sellViaForm(t, s, a, sellForm())
	b.PostForm("/market/"+l.Id+"/hide", nil).Expect(http.StatusForbidden, "Only the seller")
	if s.Reload(l).GetString("status") != "active" {
		t.Fatal("a stranger hid the listing")
	}
	a.PostForm("/market/"+l.Id+"/hide", url.Values{"next": {"/market/sellers/" + ana.Id}}).ExpectRedirect("/market/sellers/" + ana.Id)
	if s.Reload(l).GetString("status") != "hidden" {
		t.Fatal("not hidden")
	}
	b.Get("/market/" + l.Id).Expect(http.StatusNotFound)
	if !a.Get("/market/" + l.Id).Has("[data-testid=show]") {
		t.Error("the seller can't show it again")
	}
	a.PostForm("/market/"+l.Id+"/show", url.Values{"next": {"https://evil.example/"}}).ExpectRedirect("/market/" + l.Id)
	if s.Reload(l).GetString("status") != "active" {
		t.Fatal("not shown again")
	}
	// Shown with no stock left, it is sold.
	r := s.Reload(l)
	r.Set("stock", 0)
	r.Set("status", "hidden")
	if err := s.App.Save(r); err != nil {
		t.Fatal(err)
	}
	a.PostForm("/market/"+l.Id+"/show", nil).ExpectRedirect("/market/" + l.Id)
	if got := s.Reload(l).GetString("status"); got != "sold" {
		t.Errorf("shown without stock: %s", got)
	}
}

func TestEditListing(t *testing.T) {
	s := testkit.Start(t)
	ana, ben := s.Member("Ana", "ana@example.org"), s.Member("Ben", "ben@example.org")
	a, b := s.SignedIn(ana), s.SignedIn(ben)
	l := sellViaForm(t, s, a, sellForm("stock", "2"),
		testkit.Upload{Field: "photos", Name: "one.png", Data: testPNG(t, 1)},
		testkit.Upload{Field: "photos", Name: "two.png", Data: testPNG(t, 2)})
	photos := l.GetStringSlice("photos")

	// Only the seller edits.
	b.Get("/market/" + l.Id + "/edit").Expect(http.StatusForbidden)
	b.PostMultipart("/market/"+l.Id+"/edit", sellForm("title", "Stolen")).Expect(http.StatusForbidden)
	if s.Reload(l).GetString("title") != "Road bike" {
		t.Fatal("a stranger edited the listing")
	}

	edit := a.Get("/market/"+l.Id+"/edit").Expect(http.StatusOK, "Edit listing")
	if edit.Value("#f-title") != "Road bike" || edit.Value("#f-price") != "12.50" || edit.Value("#f-stock") != "2" ||
		edit.Doc.Find("input[name=keep][checked]").Length() != 2 || edit.Value("input[name=stock_was]") != "2" {
		t.Fatalf("edit form not filled in: %q %q %q", edit.Value("#f-title"), edit.Value("#f-price"), edit.Value("#f-stock"))
	}

	// Bad input comes back with the choices kept and nothing saved.
	bad := sellForm("price", "abc", "stock_was", "2")
	bad["keep"] = []string{photos[1]}
	p := a.PostMultipart("/market/"+l.Id+"/edit", bad).Expect(http.StatusUnprocessableEntity, "Enter a price like 12.50")
	if p.Value("#f-price") != "abc" || p.Doc.Find("input[name=keep][checked]").Length() != 1 || p.Value("input[name=keep][checked]") != photos[1] {
		t.Error("the edit form lost what was typed or ticked")
	}
	// Too many photos in all.
	var nine []testkit.Upload
	for i := 0; i < 8; i++ {
		nine = append(nine, testkit.Upload{Field: "photos", Name: "n.png", Data: testPNG(t, uint8(i))})
	}
	keepBoth := sellForm("stock_was", "2")
	keepBoth["keep"] = photos
	a.PostMultipart("/market/"+l.Id+"/edit", keepBoth, nine...).Expect(http.StatusUnprocessableEntity, "at most 9 photos")
	if got := s.Reload(l); got.GetInt("price") != 1250 || len(got.GetStringSlice("photos")) != 2 {
		t.Fatal("a refused edit changed the listing")
	}

	// Remove the first photo, keep the second, add a third; new price and title.
	ok := sellForm("title", "Road bike, 54 cm", "price", "99", "stock", "2", "stock_was", "2")
	ok["keep"] = []string{photos[1]}
	a.PostMultipart("/market/"+l.Id+"/edit", ok, testkit.Upload{Field: "photos", Name: "three.jpg", Data: testJPEG(t)}).
		ExpectRedirect("/market/" + l.Id)
	got := s.Reload(l)
	now := got.GetStringSlice("photos")
	if got.GetString("title") != "Road bike, 54 cm" || got.GetInt("price") != 9900 || len(now) != 2 || now[0] != photos[1] {
		t.Fatalf("after edit: %v", got.PublicExport())
	}
	if p := b.Get("/api/files/listings/" + l.Id + "/" + photos[0]); p.Status == http.StatusOK {
		t.Error("the removed photo is still served")
	}
	b.Get("/market/"+l.Id).Expect(http.StatusOK, "$99.00", "Road bike, 54 cm")

	// Stock 0 makes it sold (no Buy); restocking puts it back on sale.
	a.PostMultipart("/market/"+l.Id+"/edit", sellForm("stock", "0", "stock_was", "2", "price", "99")).ExpectRedirect("/market/" + l.Id)
	if st := s.Reload(l).GetString("status"); st != "sold" {
		t.Fatalf("stock 0 left it %s", st)
	}
	if p := b.Get("/market/"+l.Id).Expect(http.StatusOK, "Sold out"); p.Has("[data-testid=buy-form]") || p.Has("[data-testid=buy]") {
		t.Error("a sold-out listing still has a Buy button")
	}
	if len(cardIDs(b.Get("/market"))) != 0 {
		t.Error("a sold-out listing is still on the market")
	}
	a.PostMultipart("/market/"+l.Id+"/edit", sellForm("stock", "3", "stock_was", "0", "price", "99")).ExpectRedirect("/market/" + l.Id)
	if r := s.Reload(l); r.GetString("status") != "active" || r.GetInt("stock") != 3 {
		t.Fatalf("restocked: %s, %d", r.GetString("status"), r.GetInt("stock"))
	}

	// A purchase while the seller edits isn't undone by the older number…
	if _, err := s.App.DB().NewQuery("UPDATE listings SET stock = 1 WHERE id = {:id}").Bind(dbx.Params{"id": l.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	a.PostMultipart("/market/"+l.Id+"/edit", sellForm("title", "Renamed", "stock", "3", "stock_was", "3", "price", "99")).ExpectRedirect("/market/" + l.Id)
	if r := s.Reload(l); r.GetInt("stock") != 1 || r.GetString("title") != "Renamed" {
		t.Errorf("stock %d after an unrelated edit, want 1", r.GetInt("stock"))
	}
	// …but a stock the seller typed wins.
	a.PostMultipart("/market/"+l.Id+"/edit", sellForm("stock", "5", "stock_was", "3", "price", "99")).ExpectRedirect("/market/" + l.Id)
	if r := s.Reload(l); r.GetInt("stock") != 5 {
		t.Errorf("stock %d, want 5", r.GetInt("stock"))
	}
}
