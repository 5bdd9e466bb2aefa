package market

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/pay"
	"plaza/templates"
)

// listingPhotoURL is a listing photo's address (the field is not protected:
// PocketBase serves it to whoever has the unguessable name), optionally a
// thumb size from the schema (480x480 or 1080x0).
func listingPhotoURL(listing, name, thumb string) string {
	u := "/api/files/listings/" + listing + "/" + name
	if thumb != "" {
		u += "?thumb=" + thumb
	}
	return u
}

// listingCards turns rows into grid cards, loading every seller's name and
// avatar at once. withState labels what isn't plainly for sale (seller pages).
func listingCards(app core.App, rows []listingRow, withState bool) ([]templates.ListingCard, error) {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.Seller)
	}
	people, err := account.PeopleByID(app, ids)
	if err != nil {
		return nil, err
	}
	cards := make([]templates.ListingCard, 0, len(rows))
	for _, r := range rows {
		c := templates.ListingCard{
			ID: r.ID, Title: r.Title, Price: pay.FormatAmount(r.Price, r.Currency), Status: r.Status,
			Seller: account.Face(people, r.Seller),
		}
		if name := r.firstPhoto(); name != "" {
			c.Photo = listingPhotoURL(r.ID, name, "480x480")
		}
		if withState {
			c.State = stateLabel(r.Status, r.Stock)
		}
		cards = append(cards, c)
	}
	return cards, nil
}

// stateLabel names a state that isn't plainly "for sale" ("" when it is).
func stateLabel(status string, stock int) string {
	switch {
	case status == listingDraft:
		return "Draft"
	case status == listingHidden:
		return "Hidden"
	case status == listingSold || stock <= 0:
		return "Sold"
	}
	return ""
}

// categoryOptions are the category choices, with an optional first one.
func categoryOptions(selected, first string) []templates.SelectOption {
	var out []templates.SelectOption
	if first != "" {
		out = append(out, templates.SelectOption{Value: "", Label: first, Selected: selected == ""})
	}
	for _, c := range Categories {
		out = append(out, templates.SelectOption{Value: c, Label: categoryLabel(c), Selected: c == selected})
	}
	return out
}

func sortOptions(selected string) []templates.SelectOption {
	return []templates.SelectOption{
		{Value: sortNewest, Label: "Newest first", Selected: selected == sortNewest},
		{Value: sortPriceAsc, Label: "Price: low to high", Selected: selected == sortPriceAsc},
		{Value: sortPriceDesc, Label: "Price: high to low", Selected: selected == sortPriceDesc},
	}
}

// listingPage builds the listing's page as the viewer sees it.
func listingPage(e *core.RequestEvent, listing *core.Record, buy templates.BuyVM) (templates.ListingPageVM, error) {
	seller := listing.GetString("seller")
	people, err := account.PeopleByID(e.App, []string{seller})
	if err != nil {
		return templates.ListingPageVM{}, err
	}
	vm := templates.ListingPageVM{
		ID:       listing.Id,
		Title:    listing.GetString("title"),
		Body:     listing.GetString("body"),
		Price:    pay.FormatAmount(int64(listing.GetInt("price")), listing.GetString("currency")),
		Category: categoryLabel(listing.GetString("category")),
		At:       listing.GetDateTime("created").Time().UTC().Format(time.RFC3339),
		Stock:    listing.GetInt("stock"),
		Status:   listing.GetString("status"),
		Seller:   account.Face(people, seller),
		Own:      seller == e.Auth.Id,
		Payments: pay.Enabled(e.App),
		Admin:    e.Auth.GetString("role") == "admin",
		Buy:      buy,
		Hidden:   listing.GetBool("hidden"),
	}
	if vm.Own {
		held, err := reserved(e.App, []string{listing.Id})
		if err != nil {
			return vm, err
		}
		vm.Reserved = held[listing.Id]
	} else {
		holds, err := buyerHolds(e.App, e.Auth.Id)
		if err != nil {
			return vm, err
		}
		mine, held, _ := splitHolds(holds, listing.Id)
		if len(mine) > 0 {
			vm.MyHold = templates.MyHold{OrderID: mine[len(mine)-1].Id, Quantity: held}
		}
	}
	for _, name := range listing.GetStringSlice("photos") {
		vm.Photos = append(vm.Photos, templates.Photo{
			Thumb: listingPhotoURL(listing.Id, name, "1080x0"),
			Full:  listingPhotoURL(listing.Id, name, ""),
		})
	}
	return vm, nil
}
