package templates

// MarketVM is the market's browse page: filters, then a grid of listings.
type MarketVM struct {
	Chrome
	Query      string // the search words
	Category   string
	Sort       string
	Categories []SelectOption // "All categories" first
	Sorts      []SelectOption
	Listings   []ListingCard
	MoreURL    string // the next page, "" on the last
	MineURL    string // the viewer's seller page ("My listings")
}

// Filtered reports whether the browse page is narrowed by a search or a category.
func (vm MarketVM) Filtered() bool { return vm.Query != "" || vm.Category != "" }

// SelectOption is one choice of a select.
type SelectOption struct {
	Value, Label string
	Selected     bool
}

// ListingCard is a listing in a grid: cover photo, title, price, seller.
type ListingCard struct {
	ID     string
	Title  string
	Price  string // formatted, "$12.50"
	Photo  string // the cover's square thumb; "" for none
	Seller Person
	Status string // draft, active, sold, hidden
	State  string // on seller pages, a label for what isn't plainly for sale: Sold, Draft, Hidden
	// On the seller's own page: how many unpaid orders hold (0 for none).
	Reserved int
}

// SellerVM is one member's listings. The seller themself also sees drafts
// and hidden listings, with links to manage them.
type SellerVM struct {
	Chrome
	Seller   Person
	Own      bool
	Listings []ListingCard
	MoreURL  string
}

// ListingPageVM is one listing with its buy bar.
type ListingPageVM struct {
	Chrome
	ID       string
	Title    string
	Body     string // markdown
	Price    string // formatted
	Category string // its label
	At       string // ISO time it was posted
	Photos   []Photo
	Stock    int
	Status   string // draft, active, sold, hidden
	Seller   Person
	Own      bool // the viewer is the seller
	Payments bool // Stripe is configured: Buy works
	Admin    bool // the viewer administers Plaza (sees how to set up payments)
	Buy      BuyVM
	Hidden   bool // by moderators: only the seller sees it
	// To the seller: how many unpaid orders hold (the stock left excludes them).
	Reserved int
	// To a buyer: their own unpaid order for this listing, if any (buying
	// again replaces it).
	MyHold MyHold
}

// MyHold is the viewer's unpaid order for a listing.
type MyHold struct {
	OrderID  string // "" for none
	Quantity int
}

// BuyVM is the buy form's state: what was typed and what went wrong. Field
// "quantity" is the quantity input; field "" is about buying as a whole
// (e.g. payments unavailable).
type BuyVM struct {
	Quantity string
	Errors   FormErrors
}

// ListingFormVM is the form that creates or edits a listing.
type ListingFormVM struct {
	Chrome
	ID         string // "" for a new listing
	Status     string // the listing's state when editing
	Title      string
	Body       string
	Price      string // as typed, "12.50"
	Currency   string // the price's currency code, upper case
	Stock      string
	StockWas   string // the stock the form showed (editing)
	Category   string
	Categories []SelectOption
	Photos     []PhotoChoice // photos already on the listing (editing)
	Reserved   int           // editing: how many unpaid orders hold, besides Stock
	Errors     FormErrors
}

// PhotoChoice is a stored photo with a box to keep it.
type PhotoChoice struct {
	Name  string
	Thumb string
	Keep  bool
}
