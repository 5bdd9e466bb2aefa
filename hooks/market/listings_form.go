package market

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"plaza/hooks/pay"
	"plaza/hooks/web"
	"plaza/templates"
)

// Buttons of the listing form (its "intent" field).
const (
	intentDraft   = "draft"   // save without publishing
	intentPublish = "publish" // a draft goes on sale
)

// showNewListing is GET /market/new.
func showNewListing(e *core.RequestEvent) error {
	vm := templates.ListingFormVM{Stock: "1", Currency: strings.ToUpper(OrgCurrency(e.App))}
	return renderListingForm(e, http.StatusOK, vm)
}

// createListing is POST /market/new. A refusal re-renders the form with
// what was typed; nothing is stored.
func createListing(e *core.RequestEvent) error {
	currency := OrgCurrency(e.App)
	vm := templates.ListingFormVM{Currency: strings.ToUpper(currency)}
	in, status, err := readListingForm(e, &vm, currency, nil)
	if err != nil {
		return err
	}
	screen := web.Screen(e.App, in.Title, in.Body)
	if screen.Refused() {
		vm.Errors.Add("title", "Title", screen.Message())
		status = http.StatusUnprocessableEntity
	}
	if vm.Errors.Any() {
		return renderListingForm(e, status, vm)
	}
	draft := e.Request.PostForm.Get("intent") == intentDraft
	listing, err := CreateListing(e.App, NewListing{
		Seller: e.Auth.Id, Title: in.Title, Body: in.Body, Price: in.Price, Currency: currency,
		Stock: in.Stock, Category: in.Category, Photos: in.Add, Draft: draft, Held: screen.Held(),
	})
	if err != nil {
		return e.InternalServerError("", err)
	}
	if screen.Held() {
		if err := web.Hold(e.App, "listings", listing.Id, screen.Word); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, web.HeldMessage)
		return web.SeeOther(e, "/market/"+listing.Id)
	}
	switch listing.GetString("status") {
	case listingDraft:
		web.Flash(e, "Draft saved. Only you can see it until you publish it.")
	case listingSold:
		web.Flash(e, "Listed as sold out: add stock to sell it.")
	default:
		web.Flash(e, "Your listing is up.")
	}
	return web.SeeOther(e, "/market/"+listing.Id)
}

// showEditListing is GET /market/{listingId}/edit, for the seller.
func showEditListing(e *core.RequestEvent) error {
	listing, err := loadOwnListing(e)
	if err != nil {
		return err
	}
	currency := listing.GetString("currency")
	stock := strconv.Itoa(listing.GetInt("stock"))
	vm := templates.ListingFormVM{
		ID:       listing.Id,
		Status:   listing.GetString("status"),
		Title:    listing.GetString("title"),
		Body:     listing.GetString("body"),
		Price:    pay.AmountInput(int64(listing.GetInt("price")), currency),
		Currency: strings.ToUpper(currency),
		Stock:    stock,
		StockWas: stock,
		Category: listing.GetString("category"),
	}
	for _, name := range listing.GetStringSlice("photos") {
		vm.Photos = append(vm.Photos, templates.PhotoChoice{Name: name, Thumb: listingPhotoURL(listing.Id, name, "480x480"), Keep: true})
	}
	return renderListingForm(e, http.StatusOK, vm)
}

// editListing is POST /market/{listingId}/edit: the same checks as a new
// listing; ticked photos stay, the rest are removed, new ones are added.
func editListing(e *core.RequestEvent) error {
	listing, err := loadOwnListing(e)
	if err != nil {
		return err
	}
	currency := listing.GetString("currency")
	vm := templates.ListingFormVM{ID: listing.Id, Status: listing.GetString("status"), Currency: strings.ToUpper(currency)}
	in, status, err := readListingForm(e, &vm, currency, listing.GetStringSlice("photos"))
	if err != nil {
		return err
	}
	screen := web.Screen(e.App, in.Title, in.Body)
	if screen.Refused() {
		vm.Errors.Add("title", "Title", screen.Message())
		status = http.StatusUnprocessableEntity
	}
	if vm.Errors.Any() {
		return renderListingForm(e, status, vm)
	}
	ed := listingEdit{
		Title: in.Title, Body: in.Body, Price: in.Price, Stock: in.Stock, StockWas: -1,
		Category: in.Category, Remove: in.Remove, Add: in.Add, Held: screen.Held(),
	}
	if was, err := strconv.Atoi(vm.StockWas); err == nil {
		ed.StockWas = was
	}
	if vm.Status == listingDraft {
		switch e.Request.PostForm.Get("intent") {
		case intentPublish:
			ed.Status = listingActive
		case intentDraft:
			ed.Status = listingDraft
		}
	}
	if err := saveListingEdit(e.App, listing.Id, ed); err != nil {
		return e.InternalServerError("", err)
	}
	if screen.Held() {
		if err := web.Hold(e.App, "listings", listing.Id, screen.Word); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, web.HeldMessage)
		return web.SeeOther(e, "/market/"+listing.Id)
	}
	web.Flash(e, "Listing saved.")
	return web.SeeOther(e, "/market/"+listing.Id)
}

// hideListing is POST /market/{listingId}/hide: only the seller sees it then.
func hideListing(e *core.RequestEvent) error {
	listing, err := loadOwnListing(e)
	if err != nil {
		return err
	}
	if err := setListingShown(e.App, listing, false); err != nil {
		return e.InternalServerError("", err)
	}
	web.Flash(e, "Listing hidden. Only you can see it now.")
	return web.SeeOther(e, web.SafeNext(e.Request.FormValue("next"), "/market/"+listing.Id))
}

// unhideListing is POST /market/{listingId}/show: back on the market (as
// sold when none are left); a draft is published.
func unhideListing(e *core.RequestEvent) error {
	listing, err := loadOwnListing(e)
	if err != nil {
		return err
	}
	if err := setListingShown(e.App, listing, true); err != nil {
		return e.InternalServerError("", err)
	}
	if listing.GetString("status") == listingSold {
		web.Flash(e, "Listing shown as sold out: add stock to sell it again.")
	} else {
		web.Flash(e, "Your listing is up.")
	}
	return web.SeeOther(e, web.SafeNext(e.Request.FormValue("next"), "/market/"+listing.Id))
}

// renderListingForm shows the new or edit form.
func renderListingForm(e *core.RequestEvent, status int, vm templates.ListingFormVM) error {
	if vm.ID != "" {
		held, err := reserved(e.App, []string{vm.ID})
		if err != nil {
			return e.InternalServerError("", err)
		}
		vm.Reserved = held[vm.ID]
	}
	vm.Categories = categoryOptions(vm.Category, "Choose a category")
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, status, templates.ListingFormPage(vm))
}

// listingInput is what the form asks for, checked.
type listingInput struct {
	Title, Body string
	Price       int64
	Stock       int
	Category    string
	Remove      []string // stored photos the seller unticked
	Add         []*filesystem.File
}

// listingPhotoRule is what a listing's photos field accepts, photo by photo.
var listingPhotoRule = web.UploadRule{
	MaxBytes:    listingMaxPhotoBytes,
	TooBig:      "“{name}” is larger than 10 MB. Choose smaller photos.",
	NotAccepted: "“{name}” is not a picture. Use JPEG, PNG, GIF or WebP images.",
}

// readListingForm reads and checks the form into vm (what was typed, and
// problems in vm.Errors with the status to answer: 422, or 413 for a photo
// over the limit). stored are the listing's photos when editing. The error
// is for a request that couldn't be read at all.
func readListingForm(e *core.RequestEvent, vm *templates.ListingFormVM, currency string, stored []string) (listingInput, int, error) {
	var in listingInput
	photos, err := web.Uploads(e, "photos")
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return in, 0, e.Error(http.StatusRequestEntityTooLarge, "", err)
	} else if err != nil {
		return in, 0, e.BadRequestError("The upload could not be read. Try again.", err)
	}
	form := e.Request.PostForm
	vm.Title = strings.TrimSpace(form.Get("title"))
	vm.Body = strings.TrimSpace(form.Get("body"))
	vm.Price = strings.TrimSpace(form.Get("price"))
	vm.Stock = strings.TrimSpace(form.Get("stock"))
	vm.StockWas = form.Get("stock_was")
	vm.Category = form.Get("category")
	keep := form["keep"]
	for _, name := range stored {
		kept := slices.Contains(keep, name)
		vm.Photos = append(vm.Photos, templates.PhotoChoice{Name: name, Thumb: listingPhotoURL(vm.ID, name, "480x480"), Keep: kept})
		if !kept {
			in.Remove = append(in.Remove, name)
		}
	}
	in.Title, in.Body, in.Category = vm.Title, vm.Body, vm.Category
	errs := &vm.Errors
	status := http.StatusUnprocessableEntity

	switch n := utf8.RuneCountInString(vm.Title); {
	case n == 0:
		errs.Add("title", "Title", "Give your listing a title.")
	case n > listingMaxTitle:
		errs.Add("title", "Title", "Keep the title under 120 characters.")
	}
	if utf8.RuneCountInString(vm.Body) > listingMaxBody {
		errs.Add("body", "Description", "Keep the description under 5,000 characters.")
	}
	if in.Price, err = pay.ParseAmount(vm.Price, currency); err != nil {
		errs.Add("price", "Price", err.Error())
	}
	if in.Stock, err = strconv.Atoi(vm.Stock); err != nil || in.Stock < 0 || in.Stock > listingMaxStock {
		errs.Add("stock", "How many", "Enter how many you have: a whole number from 0 to 9,999.")
	}
	if !validCategory(vm.Category) {
		errs.Add("category", "Category", "Choose a category.")
	}
	switch kept := len(stored) - len(in.Remove); {
	case kept+len(photos) > listingMaxPhotos && kept > 0:
		errs.Add("photos", "Photos", "A listing holds at most 9 photos. Untick some of the current ones or choose fewer.")
	case kept+len(photos) > listingMaxPhotos:
		errs.Add("photos", "Photos", "Choose at most 9 photos.")
	default:
		files, refusal, err := listingPhotoRule.Files(photos)
		switch {
		case err != nil:
			return in, 0, e.BadRequestError("The upload could not be read. Try again.", err)
		case refusal != nil:
			errs.Add("photos", "Photos", refusal.Message)
			status = refusal.Status // 413 for size, else 422
		default:
			in.Add = append(in.Add, files...)
		}
	}
	if errs.Any() && len(photos) > 0 && vm.Errors.Get("photos") == "" {
		errs.Add("photos", "Photos", "Choose your photos again: browsers don't keep them when a form comes back.")
	}
	return in, status, nil
}
