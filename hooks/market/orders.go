package market

import (
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"plaza/hooks/account"
	"plaza/hooks/chat"
	"plaza/hooks/live"
	"plaza/hooks/notify"
	"plaza/hooks/pay"
	"plaza/hooks/web"
	"plaza/templates"
)

const ordersPage = 30

func bindOrders(pages *router.RouterGroup[*core.RequestEvent]) {
	pages.POST("/market/{listingId}/buy", buy)
	pages.POST("/market/{listingId}/contact", contactSeller)
	pages.GET("/orders", showOrders)
	pages.GET("/orders/{orderId}", showOrder)
	pages.POST("/orders/{orderId}/{action}", actOnOrder)
	pages.GET("/market/seller", showGettingPaid)
	pages.POST("/market/seller/connect", connectStripe)
}

// buy is POST /market/{listingId}/buy (quantity): a pending order holding
// the stock, then Stripe Checkout. The buyer's earlier unpaid order for the
// same listing is canceled first (its stock counts as theirs to take), and
// the hold limits apply (holds.go). Refusals re-render the listing.
func buy(e *core.RequestEvent) error {
	listing, err := e.App.FindRecordById("listings", e.Request.PathValue("listingId"))
	if err != nil || (listing.GetString("seller") != e.Auth.Id && (!forSale(listing.GetString("status")) || listing.GetBool("hidden"))) {
		return e.NotFoundError("This listing isn't for sale.", err)
	}
	vm := templates.BuyVM{Quantity: strings.TrimSpace(e.Request.FormValue("quantity"))}
	refuse := func(status int, field, msg string) error {
		vm.Errors.Add(field, "Quantity", msg)
		return renderListing(e, status, listing, vm)
	}
	holds, err := buyerHolds(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	mine, held, others := splitHolds(holds, listing.Id) // mine are replaced by this purchase
	lim := holdLimitsOf(e.App)
	q, err := strconv.Atoi(vm.Quantity)
	stock := listing.GetInt("stock") + held
	onSale := listing.GetString("status") == "active" || listing.GetString("status") == "sold" && held > 0
	switch {
	case listing.GetString("seller") == e.Auth.Id:
		return refuse(http.StatusUnprocessableEntity, "", "You can't buy your own listing.")
	case !onSale || stock == 0:
		return refuse(http.StatusConflict, "", "Sorry, this has sold out.")
	case err != nil || q < 1:
		return refuse(http.StatusUnprocessableEntity, "quantity", "Choose how many to buy: a whole number, at least 1.")
	case q > stock:
		return refuse(http.StatusUnprocessableEntity, "quantity", "Only "+strconv.Itoa(stock)+" left: choose "+strconv.Itoa(stock)+" or fewer.")
	case q > lim.Quantity:
		return refuse(http.StatusUnprocessableEntity, "quantity", "You can reserve at most "+strconv.Itoa(lim.Quantity)+
			" of this at a time: choose "+strconv.Itoa(lim.Quantity)+" or fewer, and buy more once you've paid.")
	case others >= lim.Orders:
		return refuse(http.StatusUnprocessableEntity, "", tooManyHolds(others))
	case !pay.Enabled(e.App):
		return refuse(http.StatusServiceUnavailable, "", "Payments are not set up on this Plaza yet, so nothing can be bought. Please tell an admin.")
	}

	// The earlier order's Checkout page is closed first, as canceling does,
	// so it can't be paid once its stock is back on sale.
	for _, o := range mine {
		if err := pay.ExpireCheckout(e.App, o); err != nil {
			return refuse(http.StatusBadGateway, "", "We couldn't reach the payment service to close the payment page of your earlier order for this, so nothing changed. Try again in a moment.")
		}
		if _, err := moveOrder(e.App, o.Id, pay.Canceled); err != nil {
			return e.InternalServerError("", err)
		}
	}
	order, err := placeOrder(e.App, listing, e.Auth.Id, q, lim)
	if errors.Is(err, pay.ErrStock) {
		fresh, ferr := e.App.FindRecordById("listings", listing.Id)
		if ferr == nil {
			listing = fresh
		}
		return refuse(http.StatusConflict, "quantity", "Someone bought it first: only "+strconv.Itoa(listing.GetInt("stock"))+" left now.")
	} else if errors.Is(err, errHoldLimit) {
		return refuse(http.StatusConflict, "", "You started another purchase meanwhile: pay for or cancel your unpaid orders (under Orders) first.")
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	checkout, err := pay.StartCheckout(e.App, order)
	if err != nil {
		// The order page explains and offers "try again" and "cancel".
		e.App.Logger().Warn("checkout not started", "order", order.Id, "error", err)
		return web.SeeOther(e, "/orders/"+order.Id)
	}
	return e.Redirect(http.StatusSeeOther, checkout)
}

// tooManyHolds explains the limit on unpaid orders.
func tooManyHolds(n int) string {
	orders := strconv.Itoa(n) + " unpaid orders"
	if n == 1 {
		orders = "an unpaid order"
	}
	return "You have " + orders + " waiting. Pay for or cancel one (under Orders) before buying something else: unpaid orders keep things off the market for everyone."
}

// contactSeller is POST /market/{listingId}/contact: a direct chat with the
// seller, friends or not (a block still stops it).
func contactSeller(e *core.RequestEvent) error {
	listing, err := loadVisibleListing(e)
	if err != nil {
		return err
	}
	if listing.GetString("seller") == e.Auth.Id {
		return web.SeeOther(e, "/market/"+listing.Id)
	}
	room, err := chat.OpenDirectWith(e.App, e.Auth.Id, listing.GetString("seller"), true)
	if errors.Is(err, chat.ErrCannotMessage) {
		return e.ForbiddenError(err.Error(), err)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	return web.SeeOther(e, "/chats/"+room.Id)
}

func forSale(status string) bool { return status == "active" || status == "sold" }

// placeOrder checks the hold limits, reserves the stock and stores a
// pending order, in one transaction. A seller with a Connect account that
// can take charges is paid directly, less the organisation's fee.
func placeOrder(app core.App, listing *core.Record, buyer string, q int, lim holdLimits) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId("orders")
	if err != nil {
		return nil, err
	}
	order := core.NewRecord(c)
	unit := listing.GetInt("price")
	order.Set("listing", listing.Id)
	order.Set("buyer", buyer)
	order.Set("seller", listing.GetString("seller"))
	order.Set("title", listing.GetString("title"))
	order.Set("quantity", q)
	order.Set("unit_price", unit)
	order.Set("amount", unit*q)
	order.Set("currency", listing.GetString("currency"))
	order.Set("status", pay.Pending)
	if org, err := app.FindFirstRecordByFilter("org_settings", ""); err == nil && org.GetBool("market_connect") {
		acct, err := app.FindFirstRecordByFilter("seller_accounts", "user = {:u} && charges_enabled = true",
			dbx.Params{"u": listing.GetString("seller")})
		if err == nil {
			order.Set("destination", acct.GetString("stripe_account"))
			pct := org.GetFloat("market_fee_percent")
			order.Set("fee", int(math.Round(float64(unit*q)*pct/100)))
		}
	}
	err = app.RunInTransaction(func(tx core.App) error {
		if err := checkHoldLimits(tx, buyer, listing.Id, q, lim); err != nil {
			return err
		}
		if err := pay.Reserve(tx, listing.Id, q); err != nil {
			return err
		}
		return tx.Save(order)
	})
	return order, err
}

// showOrders is GET /orders (?view=sales): purchases or sales, newest first.
func showOrders(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	vm := templates.OrdersVM{View: "purchases"}
	side := "buyer"
	if q.Get("view") == "sales" {
		vm.View, side = "sales", "seller"
	}
	where := dbx.HashExp{side: e.Auth.Id}
	query := e.App.RecordQuery("orders").AndWhere(where)
	if b := q.Get("before"); b != "" {
		created, id, _ := strings.Cut(b, "|")
		query = query.AndWhere(dbx.NewExp("(created, id) < ({:c}, {:i})", dbx.Params{"c": created, "i": id}))
	}
	var orders []*core.Record
	if err := query.OrderBy("created DESC", "id DESC").Limit(ordersPage + 1).All(&orders); err != nil {
		return e.InternalServerError("", err)
	}
	if len(orders) > ordersPage {
		orders = orders[:ordersPage]
		last := orders[len(orders)-1]
		v := url.Values{"before": {last.GetString("created") + "|" + last.Id}}
		if vm.View == "sales" {
			v.Set("view", "sales")
		}
		vm.Older = "/orders?" + v.Encode()
	}
	views, err := orderViews(e, orders)
	if err != nil {
		return e.InternalServerError("", err)
	}
	vm.Orders = views
	if vm.View == "sales" {
		if vm.ReservedItems, vm.ReservedOrders, err = sellerReserved(e.App, e.Auth.Id); err != nil {
			return e.InternalServerError("", err)
		}
	}
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, http.StatusOK, templates.OrdersPage(vm))
}

// orderViews builds order cards with names and photos in two queries.
func orderViews(e *core.RequestEvent, orders []*core.Record) ([]templates.OrderVM, error) {
	var ids, listingIDs []string
	for _, o := range orders {
		ids = append(ids, o.GetString("buyer"), o.GetString("seller"))
		if l := o.GetString("listing"); l != "" {
			listingIDs = append(listingIDs, l)
		}
	}
	faces, err := account.PeopleByID(e.App, ids)
	if err != nil {
		return nil, err
	}
	photos := map[string]string{}
	if len(listingIDs) > 0 {
		listings, err := e.App.FindRecordsByIds("listings", listingIDs)
		if err != nil {
			return nil, err
		}
		for _, l := range listings {
			photos[l.Id] = web.FileURL(l, "photos", "480x480")
		}
	}
	out := make([]templates.OrderVM, 0, len(orders))
	for _, o := range orders {
		out = append(out, orderView(e, o, faces, photos))
	}
	return out, nil
}

func orderView(e *core.RequestEvent, o *core.Record, faces map[string]templates.Person, photos map[string]string) templates.OrderVM {
	cur := o.GetString("currency")
	me := e.Auth.Id
	vm := templates.OrderVM{
		ID: o.Id, Title: o.GetString("title"), Quantity: o.GetInt("quantity"),
		UnitPrice: pay.FormatAmount(int64(o.GetInt("unit_price")), cur),
		Amount:    pay.FormatAmount(int64(o.GetInt("amount")), cur),
		Status:    o.GetString("status"),
		Buyer:     account.Face(faces, o.GetString("buyer")), Seller: account.Face(faces, o.GetString("seller")),
		IsBuyer: o.GetString("buyer") == me, IsSeller: o.GetString("seller") == me,
		At: isoTime(o.GetDateTime("created")), Updated: isoTime(o.GetDateTime("updated")),
		Problem: o.GetString("problem"), Refunding: o.GetBool("refund_requested"),
		Processing: o.GetBool("processing") && o.GetString("status") == pay.Pending,
	}
	if o.GetString("seller") == "" && o.GetString("mini") != "" { // a mini-program's payment: the organisation's
		vm.Seller = templates.Person{Name: web.OrgInfo(e.App).Name}
	}
	if l := o.GetString("listing"); l != "" {
		vm.ListingURL = "/market/" + l
		vm.Photo = photos[l]
	}
	if fee := o.GetInt("fee"); fee > 0 {
		vm.Fee = pay.FormatAmount(int64(fee), cur)
	}
	admin := e.Auth.GetString("role") == account.RoleAdmin
	// While the bank confirms a payment, paying again would charge twice
	// and canceling would leave that payment to refund by hand.
	vm.CanPay = vm.IsBuyer && vm.Status == pay.Pending && !vm.Processing
	vm.CanCancel = vm.IsBuyer && vm.Status == pay.Pending && !vm.Processing
	vm.CanFulfil = vm.IsSeller && vm.Status == pay.Paid && !vm.Refunding
	vm.CanRefund = (vm.IsSeller || admin) && (vm.Status == pay.Paid || vm.Status == pay.Fulfilled) && !vm.Refunding
	vm.CanContact = (vm.IsBuyer || vm.IsSeller) && o.GetString("buyer") != "" && o.GetString("seller") != "" && !(vm.IsBuyer && vm.IsSeller)
	return vm
}

// orderFor loads the order in the path for its buyer, its seller or an
// admin; to anyone else it does not exist.
func orderFor(e *core.RequestEvent) (*core.Record, error) {
	o, err := e.App.FindRecordById("orders", e.Request.PathValue("orderId"))
	if err != nil {
		return nil, e.NotFoundError("", err)
	}
	me := e.Auth.Id
	if o.GetString("buyer") != me && o.GetString("seller") != me && e.Auth.GetString("role") != account.RoleAdmin {
		return nil, e.NotFoundError("", nil)
	}
	return o, nil
}

// showOrder is GET /orders/{orderId} (?checkout=done|back after Stripe).
func showOrder(e *core.RequestEvent) error {
	o, err := orderFor(e)
	if err != nil {
		return err
	}
	return renderOrder(e, http.StatusOK, o, nil)
}

func renderOrder(e *core.RequestEvent, status int, o *core.Record, errs templates.FormErrors) error {
	views, err := orderViews(e, []*core.Record{o})
	if err != nil {
		return e.InternalServerError("", err)
	}
	if e.Request.Header.Get("X-Plaza-Fragment") == "order" {
		return web.Render(e, http.StatusOK, templates.OrderCard(views[0]))
	}
	vm := templates.OrderPageVM{Order: views[0], Errors: errs, Checkout: e.Request.URL.Query().Get("checkout")}
	vm.Chrome = web.Chrome(e, "market")
	return web.Render(e, status, templates.OrderPage(vm))
}

// actOnOrder is POST /orders/{orderId}/{pay,cancel,fulfil,refund,contact}.
func actOnOrder(e *core.RequestEvent) error {
	o, err := orderFor(e)
	if err != nil {
		return err
	}
	vm := orderView(e, o, nil, nil)
	back := "/orders/" + o.Id
	refuse := func(status int, msg string) error {
		var errs templates.FormErrors
		errs.Add("", "Order", msg)
		return renderOrder(e, status, o, errs)
	}
	switch e.Request.PathValue("action") {
	case "pay":
		if vm.Processing {
			return refuse(http.StatusConflict, "Your payment is being confirmed by your bank, so there is nothing more to pay.")
		}
		if !vm.CanPay {
			return refuse(http.StatusConflict, "This order can't be paid any more.")
		}
		if u := o.GetString("checkout_url"); u != "" && o.GetString("problem") == "" {
			return e.Redirect(http.StatusSeeOther, u) // the page Stripe gave us is still open
		}
		u, err := pay.StartCheckout(e.App, o)
		if err != nil {
			return refuse(http.StatusBadGateway, pay.Explain(err))
		}
		return e.Redirect(http.StatusSeeOther, u)

	case "cancel":
		if vm.Processing {
			return refuse(http.StatusConflict, "Your bank is confirming the payment for this order, so it can't be canceled now. If you no longer want it, ask the seller for a refund once it's paid.")
		}
		if !vm.CanCancel {
			return refuse(http.StatusConflict, "Only an unpaid order can be canceled.")
		}
		if err := pay.ExpireCheckout(e.App, o); err != nil {
			return refuse(http.StatusBadGateway, "We couldn't reach the payment service to close the payment page, so the order is still open. Try again in a moment.")
		}
		moved, err := moveOrder(e.App, o.Id, pay.Canceled)
		if err != nil {
			return e.InternalServerError("", err)
		}
		if !moved {
			web.FlashError(e, "The order changed meanwhile: see its status below.")
		} else {
			web.Flash(e, "Order canceled. Nothing was charged.")
		}

	case "fulfil":
		if !vm.CanFulfil {
			return refuse(http.StatusConflict, "Only the seller can mark a paid order as sent.")
		}
		if _, err := moveOrder(e.App, o.Id, pay.Fulfilled); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, "Marked as sent. The buyer has been told.")

	case "refund":
		if !vm.CanRefund {
			return refuse(http.StatusConflict, "This order can't be refunded.")
		}
		if err := pay.Refund(e.App, o); err != nil {
			return refuse(http.StatusBadGateway, pay.Explain(err))
		}
		web.Flash(e, "Refund requested. The order shows “Refunded” once Stripe confirms it.")

	case "contact":
		if !vm.CanContact {
			return e.NotFoundError("", nil)
		}
		other := o.GetString("seller")
		if vm.IsSeller {
			other = o.GetString("buyer")
		}
		room, err := chat.OpenDirectWith(e.App, e.Auth.Id, other, true)
		if errors.Is(err, chat.ErrCannotMessage) {
			return refuse(http.StatusForbidden, err.Error())
		} else if err != nil {
			return e.InternalServerError("", err)
		}
		return web.SeeOther(e, "/chats/"+room.Id)

	default:
		return e.NotFoundError("", nil)
	}
	return web.SeeOther(e, back)
}

// moveOrder moves an order forward in a transaction that rereads it, so a
// webhook landing at the same moment can't be overwritten.
func moveOrder(app core.App, id, to string) (bool, error) {
	var moved bool
	err := app.RunInTransaction(func(tx core.App) error {
		o, err := tx.FindRecordById("orders", id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		moved, err = pay.Move(tx, o, to)
		return err
	})
	return moved, err
}

func isoTime(t types.DateTime) string { return t.Time().UTC().Format(time.RFC3339) }

// bindOrderEvents tells the buyer's and the seller's open tabs when an
// order changes (a webhook, the other side's action, a dashboard edit): an
// order on screen refreshes itself, and elsewhere a toast says what happened.
// A move to a new status is also a notification for each side.
func bindOrderEvents(app core.App) {
	app.OnModelAfterUpdateSuccess("orders").BindFunc(func(e *core.ModelEvent) error {
		o, ok := e.Model.(*core.Record)
		if !ok {
			return e.Next()
		}
		old := o.Original()
		st := o.GetString("status")
		if st == old.GetString("status") && o.GetBool("refund_requested") == old.GetBool("refund_requested") &&
			o.GetString("problem") == old.GetString("problem") {
			return e.Next()
		}
		changed := st != old.GetString("status")
		for _, side := range []string{"buyer", "seller"} {
			who := o.GetString(side)
			if who == "" {
				continue
			}
			text := ""
			if changed {
				text = orderNews(side, st, o.GetString("title"))
			}
			data, err := json.Marshal(map[string]string{"order": o.Id, "status": st, "text": text})
			if err != nil {
				e.App.Logger().Error("market: an order event could not be encoded", "order", o.Id, "error", err)
			} else {
				live.Publish(e.App, []string{who}, live.Event{Name: "order", Data: data})
			}
			if text != "" {
				notify.Send(e.App, notify.Event{User: who, Kind: "order", Text: text, URL: "/orders/" + o.Id})
			}
		}
		return e.Next()
	})
}

// orderNews is what a buyer or seller is told when an order moves ("" for nothing).
func orderNews(side, status, title string) string {
	q := "“" + title + "”"
	buyer := side == "buyer"
	switch status {
	case pay.Paid:
		if buyer {
			return "Payment received for " + q + "."
		}
		return "Sold: " + q + " is paid. Time to send it."
	case pay.Fulfilled:
		if buyer {
			return q + " is on its way."
		}
	case pay.Refunded:
		if buyer {
			return "Refunded: " + q + "."
		}
		return "Refund confirmed for " + q + "."
	case pay.Canceled, pay.Expired:
		if buyer {
			return "Your order for " + q + " ended unpaid."
		}
		return "An unpaid order for " + q + " ended; it's back on sale."
	}
	return ""
}
