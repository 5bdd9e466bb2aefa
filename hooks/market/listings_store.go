package market

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

// Limits of a listing, as the schema holds them.
const (
	listingMaxTitle      = 120
	listingMaxBody       = 5000
	listingMaxPhotos     = 9
	listingMaxPhotoBytes = 10 << 20
	listingMaxStock      = 9999
	listingPageSize      = 24
)

// Listing states (listings.status).
const (
	listingDraft  = "draft"
	listingActive = "active"
	listingSold   = "sold"
	listingHidden = "hidden"
)

// Browse orders (?sort=).
const (
	sortNewest    = "newest"
	sortPriceAsc  = "price_asc"
	sortPriceDesc = "price_desc"
)

// NewListing is a listing about to be stored.
type NewListing struct {
	Seller   string
	Title    string
	Body     string // markdown
	Price    int64  // minor units of Currency
	Currency string
	Stock    int
	Category string
	Photos   []*filesystem.File
	Draft    bool // only the seller sees it until published
	Held     bool // hidden for moderators by the word filter
}

// CreateListing stores a listing: active, or sold when there is no stock,
// or a draft.
func CreateListing(app core.App, n NewListing) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId("listings")
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	r.Set("seller", n.Seller)
	r.Set("title", n.Title)
	r.Set("body", n.Body)
	r.Set("price", n.Price)
	r.Set("currency", n.Currency)
	r.Set("stock", n.Stock)
	r.Set("category", n.Category)
	status := listingActive
	if n.Draft {
		status = listingDraft
	}
	r.Set("status", statusForStock(status, n.Stock))
	r.Set("hidden", n.Held)
	if len(n.Photos) > 0 {
		r.Set("photos", n.Photos)
	}
	return r, app.Save(r)
}

// statusForStock keeps a listing's state in step with its stock: an active
// listing with none left is sold, a sold one restocked is for sale again.
// Drafts and hidden listings keep their state.
func statusForStock(status string, stock int) string {
	switch {
	case status == listingActive && stock <= 0:
		return listingSold
	case status == listingSold && stock > 0:
		return listingActive
	}
	return status
}

// listingEdit is a seller's change to a stored listing.
type listingEdit struct {
	Title, Body string
	Price       int64
	Stock       int
	StockWas    int // the stock the seller's form showed
	Category    string
	Remove      []string // photo names to drop
	Add         []*filesystem.File
	Status      string // "" keeps the state (then stock decides sold or active)
	Held        bool   // the word filter hides it for moderators (false changes nothing)
}

// saveListingEdit applies an edit to the freshest copy of the listing. When
// the seller left the stock as the form showed it, a purchase meanwhile
// keeps its effect instead of being overwritten by the older number.
func saveListingEdit(app core.App, id string, ed listingEdit) error {
	return app.RunInTransaction(func(tx core.App) error {
		r, err := tx.FindRecordById("listings", id)
		if err != nil {
			return err
		}
		r.Set("title", ed.Title)
		r.Set("body", ed.Body)
		r.Set("price", ed.Price)
		r.Set("category", ed.Category)
		stock := ed.Stock
		if stock == ed.StockWas {
			stock = r.GetInt("stock")
		}
		r.Set("stock", stock)
		if len(ed.Remove) > 0 {
			r.Set("photos-", ed.Remove)
		}
		if len(ed.Add) > 0 {
			r.Set("photos+", ed.Add)
		}
		status := r.GetString("status")
		if ed.Status != "" {
			status = ed.Status
		}
		r.Set("status", statusForStock(status, stock))
		if ed.Held {
			r.Set("hidden", true)
		}
		return tx.Save(r)
	})
}

// setListingShown hides a listing, or puts it back on the market (sold
// when none are left).
func setListingShown(app core.App, r *core.Record, shown bool) error {
	status := listingHidden
	if shown {
		status = statusForStock(listingActive, r.GetInt("stock"))
	}
	r.Set("status", status)
	return app.Save(r)
}

// listingVisibleTo reports whether member may see the listing: anyone sees
// what is for sale or sold, only the seller drafts and hidden ones (the
// REST API's rule, in Go).
func listingVisibleTo(r *core.Record, member string) bool {
	if r.GetBool("hidden") { // by moderators
		return r.GetString("seller") == member
	}
	switch r.GetString("status") {
	case listingActive, listingSold:
		return true
	}
	return r.GetString("seller") == member
}

var currencyCode = regexp.MustCompile(`^[a-z]{3}$`)

// OrgCurrency is the currency new listings are priced in
// (org_settings.currency; "usd" when unset).
func OrgCurrency(app core.App) string {
	r, err := app.FindFirstRecordByFilter("org_settings", "")
	if err != nil {
		app.Logger().Warn("market: org_settings missing; pricing in usd", "error", err)
		return "usd"
	}
	if c := r.GetString("currency"); currencyCode.MatchString(c) {
		return c
	}
	return "usd"
}

// Categories are the marketplace's categories (listings.category); a new one
// needs a migration adding it to the field's values, and a label below.
var Categories = []string{"electronics", "home", "clothing", "books", "sports", "toys", "tickets", "services", "food", "other"}

// listingCategoryLabels name the categories for people.
var listingCategoryLabels = map[string]string{
	"electronics": "Electronics", "home": "Home and garden", "clothing": "Clothing", "books": "Books",
	"sports": "Sports", "toys": "Toys and games", "tickets": "Tickets", "services": "Services",
	"food": "Food", "other": "Other",
}

// categoryLabel is a category's name ("Other" for one the schema dropped).
func categoryLabel(c string) string {
	if l, ok := listingCategoryLabels[c]; ok {
		return l
	}
	return "Other"
}

func validCategory(c string) bool { return slices.Contains(Categories, c) }

// listingQuery selects a page of listings.
type listingQuery struct {
	Text     string   // words to find in the title or description
	Category string   // "" for every category
	Sort     string   // newest, price_asc, price_desc
	Seller   string   // "" for every seller
	Statuses []string // which states to show
	Hidden   bool     // also listings moderators hid (the seller's own page)
	After    string   // the cursor of the last listing on the previous page
	Limit    int
}

// listingRow is a listing as a grid card needs it.
type listingRow struct {
	ID       string `db:"id"`
	Seller   string `db:"seller"`
	Title    string `db:"title"`
	Price    int64  `db:"price"`
	Currency string `db:"currency"`
	Photos   string `db:"photos"` // JSON list of names
	Stock    int    `db:"stock"`
	Status   string `db:"status"`
	Created  string `db:"created"`
}

// firstPhoto is the name of the listing's cover photo, or "".
func (r listingRow) firstPhoto() string {
	var names []string
	if json.Unmarshal([]byte(r.Photos), &names) != nil || len(names) == 0 {
		return ""
	}
	return names[0]
}

// cursor marks where the next page starts, for the query's order.
func (r listingRow) cursor(sort string) string {
	if sort == sortPriceAsc || sort == sortPriceDesc {
		return strconv.FormatInt(r.Price, 10) + "|" + r.Created + "|" + r.ID
	}
	return r.Created + "|" + r.ID
}

var errBadCursor = errors.New("That link to more listings is broken.")

// likePattern matches text anywhere, with LIKE's wildcards taken literally.
func likePattern(text string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
}

// findListings runs q: one query, keyset-paged (no OFFSET), with one row
// more than the limit when another page follows.
func findListings(app core.App, q listingQuery) ([]listingRow, error) {
	statuses := make([]any, len(q.Statuses))
	for i, s := range q.Statuses {
		statuses[i] = s
	}
	sel := app.DB().Select("id", "seller", "title", "price", "currency", "photos", "stock", "status", "created").
		From("listings").Where(dbx.In("status", statuses...))
	if q.Seller != "" {
		sel.AndWhere(dbx.HashExp{"seller": q.Seller})
	}
	if !q.Hidden {
		sel.AndWhere(dbx.HashExp{"hidden": false})
	}
	if q.Category != "" {
		sel.AndWhere(dbx.HashExp{"category": q.Category})
	}
	if q.Text != "" {
		sel.AndWhere(dbx.NewExp(`(title LIKE {:text} ESCAPE '\' OR body LIKE {:text} ESCAPE '\')`,
			dbx.Params{"text": likePattern(q.Text)}))
	}
	if q.After != "" {
		exp, err := afterCursor(q.Sort, q.After)
		if err != nil {
			return nil, err
		}
		sel.AndWhere(exp)
	}
	switch q.Sort {
	case sortPriceAsc:
		sel.OrderBy("price ASC", "created DESC", "id DESC")
	case sortPriceDesc:
		sel.OrderBy("price DESC", "created DESC", "id DESC")
	default:
		sel.OrderBy("created DESC", "id DESC")
	}
	var rows []listingRow
	err := sel.Limit(int64(q.Limit + 1)).All(&rows)
	return rows, err
}

// afterCursor is the condition for rows after a cursor in sort's order.
func afterCursor(sort, cur string) (dbx.Expression, error) {
	parts := strings.Split(cur, "|")
	if sort == sortPriceAsc || sort == sortPriceDesc {
		if len(parts) != 3 {
			return nil, errBadCursor
		}
		price, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return nil, errBadCursor
		}
		p := dbx.Params{"p": price, "c": parts[1], "id": parts[2]}
		if sort == sortPriceAsc {
			return dbx.NewExp("(price > {:p} OR (price = {:p} AND (created, id) < ({:c}, {:id})))", p), nil
		}
		return dbx.NewExp("(price, created, id) < ({:p}, {:c}, {:id})", p), nil
	}
	if len(parts) != 2 {
		return nil, errBadCursor
	}
	return dbx.NewExp("(created, id) < ({:c}, {:id})", dbx.Params{"c": parts[0], "id": parts[1]}), nil
}
