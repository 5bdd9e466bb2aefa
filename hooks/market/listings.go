package market

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"plaza/hooks/account"
	"plaza/hooks/web"
	"plaza/templates"
)

func bindListings(pages *router.RouterGroup[*core.RequestEvent]) {
	pages.GET("/market", showMarket)
	pages.GET("/market/new", showNewListing)
	pages.POST("/market/new", createListing)
	pages.GET("/market/sellers/{userId}", showSeller)
	pages.GET("/market/{listingId}", showListing)
	// GET /market/{listingId}/edit is one pattern with a wildcard: Go's mux
	// can't hold both it and /market/sellers/{userId} (they overlap on
	// /market/sellers/edit). Posts name their action literally.
	pages.GET("/market/{listingId}/{page}", showListingSubpage)
	pages.POST("/market/{listingId}/edit", editListing)
	pages.POST("/market/{listingId}/hide", hideListing)
	pages.POST("/market/{listingId}/show", unhideListing)
}

// showMarket is GET /market: active listings, newest first, narrowed by
// ?q= (words in the title or description) and ?category=, ordered by
// ?sort=, paged by ?after=.
func showMarket(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	vm := templates.MarketVM{
		Query:   strings.TrimSpace(q.Get("q")),
		Sort:    q.Get("sort"),
		MineURL: "/market/sellers/" + e.Auth.Id,
	}
	if len([]rune(vm.Query)) > 100 {
		vm.Query = string([]rune(vm.Query)[:100])
	}
	if c := q.Get("category"); validCategory(c) {
		vm.Category = c
	}
	if vm.Sort != sortPriceAsc && vm.Sort != sortPriceDesc {
		vm.Sort = sortNewest
	}
	rows, err := findListings(e.App, listingQuery{
		Text: vm.Query, Category: vm.Category, Sort: vm.Sort, Statuses: []string{listingActive},
		After: q.Get("after"), Limit: listingPageSize,
	})
	if errors.Is(err, errBadCursor) {
		return e.BadRequestError(err.Error(), nil)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	if len(rows) > listingPageSize {
		rows = rows[:listingPageSize]
		next := url.Values{"after": {rows[len(rows)-1].cursor(vm.Sort)}}
		if vm.Query != "" {
			next.Set("q", vm.Query)
		}
		if vm.Category != "" {
			next.Set("category", vm.Category)
		}
		if vm.Sort != sortNewest {
			next.Set("sort", vm.Sort)
		}
		vm.MoreURL = "/market?" + next.Encode()
	}
	if vm.Listings, err = listingCards(e.App, rows, false); err != nil {
		return e.InternalServerError("", err)
	}
	vm.Categories = categoryOptions(vm.Category, "All categories")
	vm.Sorts = sortOptions(vm.Sort)
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, http.StatusOK, templates.MarketPage(vm))
}

// loadVisibleListing loads the listing in the path if the viewer may see
// it; to anyone else it does not exist.
func loadVisibleListing(e *core.RequestEvent) (*core.Record, error) {
	listing, err := e.App.FindRecordById("listings", e.Request.PathValue("listingId"))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !listingVisibleTo(listing, e.Auth.Id) {
		return nil, e.NotFoundError("", err)
	} else if err != nil {
		return nil, e.InternalServerError("", err)
	}
	return listing, nil
}

// loadOwnListing is loadVisibleListing for the seller's changes: others
// are refused.
func loadOwnListing(e *core.RequestEvent) (*core.Record, error) {
	listing, err := loadVisibleListing(e)
	if err != nil {
		return nil, err
	}
	if listing.GetString("seller") != e.Auth.Id {
		return nil, e.ForbiddenError("Only the seller can change this listing.", nil)
	}
	return listing, nil
}

// showListing is GET /market/{listingId}.
func showListing(e *core.RequestEvent) error {
	listing, err := loadVisibleListing(e)
	if err != nil {
		return err
	}
	return renderListing(e, http.StatusOK, listing, templates.BuyVM{Quantity: "1"})
}

// showListingSubpage dispatches GET /market/{listingId}/{page}: only the
// edit form lives there.
func showListingSubpage(e *core.RequestEvent) error {
	if e.Request.PathValue("page") != "edit" {
		return e.NotFoundError("", nil)
	}
	return showEditListing(e)
}

// renderListing shows a listing's page with status; buy is the buy form's
// state (the buy handler passes what was typed and what went wrong). A
// listing the viewer may not see is a 404.
func renderListing(e *core.RequestEvent, status int, listing *core.Record, buy templates.BuyVM) error {
	if !listingVisibleTo(listing, e.Auth.Id) {
		return e.NotFoundError("", nil)
	}
	vm, err := listingPage(e, listing, buy)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, status, templates.ListingPage(vm))
}

// showSeller is GET /market/sellers/{userId}: a member's listings for sale
// and sold; to the seller themself every listing, drafts and hidden ones too.
func showSeller(e *core.RequestEvent) error {
	u, err := e.App.FindRecordById("users", e.Request.PathValue("userId"))
	if err != nil || u.GetString("status") == account.StatusPending {
		return e.NotFoundError("", err)
	}
	vm := templates.SellerVM{Seller: web.Person(u), Own: u.Id == e.Auth.Id}
	statuses := []string{listingActive, listingSold}
	if vm.Own {
		statuses = append(statuses, listingDraft, listingHidden)
	}
	rows, err := findListings(e.App, listingQuery{
		Seller: u.Id, Sort: sortNewest, Statuses: statuses, Hidden: vm.Own,
		After: e.Request.URL.Query().Get("after"), Limit: listingPageSize,
	})
	if errors.Is(err, errBadCursor) {
		return e.BadRequestError(err.Error(), nil)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	if len(rows) > listingPageSize {
		rows = rows[:listingPageSize]
		vm.MoreURL = "/market/sellers/" + u.Id + "?" + url.Values{"after": {rows[len(rows)-1].cursor(sortNewest)}}.Encode()
	}
	if vm.Listings, err = listingCards(e.App, rows, true); err != nil {
		return e.InternalServerError("", err)
	}
	if vm.Own {
		ids := make([]string, len(vm.Listings))
		for i, c := range vm.Listings {
			ids[i] = c.ID
		}
		held, err := reserved(e.App, ids)
		if err != nil {
			return e.InternalServerError("", err)
		}
		for i := range vm.Listings {
			vm.Listings[i].Reserved = held[vm.Listings[i].ID]
		}
	}
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, http.StatusOK, templates.SellerPage(vm))
}
