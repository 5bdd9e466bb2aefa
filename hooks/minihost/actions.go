package minihost

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	notices "plaza/hooks/notify"
	"plaza/hooks/pay"
	"plaza/hooks/web"
)

var currencyCode = regexp.MustCompile(`^[a-z]{3}$`)

// requestPayment is called by the host once the member confirmed the
// payment in Plaza's own sheet: a pending order for the mini and a Stripe
// Checkout page, which the host opens in a new window.
func requestPayment(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	var req struct {
		Amount      int64  `json:"amount"`
		Currency    string `json:"currency"`
		Description string `json:"description"`
	}
	if err := c.object(0, &req); err != nil {
		return nil, err
	}
	req.Currency = strings.ToLower(req.Currency)
	req.Description = strings.TrimSpace(req.Description)
	switch {
	case req.Amount < 1 || req.Amount > pay.MaxAmount:
		return nil, badRequest("amount must be a whole number of the currency's smallest unit (cents), from 1 to 99999999.")
	case !currencyCode.MatchString(req.Currency):
		return nil, badRequest("currency must be a 3-letter code such as \"usd\".")
	case req.Description == "" || utf8.RuneCountInString(req.Description) > 120:
		return nil, badRequest("description must be 1 to 120 characters.")
	case !pay.Enabled(c.e.App):
		return nil, refusal(http.StatusServiceUnavailable, "unavailable", "Payments are not set up on this Plaza.")
	}
	coll, err := c.e.App.FindCachedCollectionByNameOrId("orders")
	if err != nil {
		return nil, err
	}
	o := core.NewRecord(coll)
	o.Set("buyer", c.e.Auth.Id)
	o.Set("mini", c.mini.ID)
	o.Set("title", req.Description+" ("+c.mini.Name+")")
	o.Set("quantity", 1)
	o.Set("unit_price", req.Amount)
	o.Set("amount", req.Amount)
	o.Set("currency", req.Currency)
	o.Set("status", pay.Pending)
	if err := c.e.App.Save(o); err != nil {
		return nil, err
	}
	url, err := pay.StartCheckout(c.e.App, o)
	if err != nil {
		return nil, refusal(http.StatusBadGateway, "unavailable", pay.Explain(err))
	}
	return map[string]string{"order": o.Id, "checkout_url": url, "status": pay.Pending}, nil
}

// paymentStatus tells the host how a mini's order stands (it asks until
// the payment settles).
func paymentStatus(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	id, err := c.str(0, "The order", 40, false)
	if err != nil {
		return nil, err
	}
	o, err := c.e.App.FindRecordById("orders", id)
	if err != nil || o.GetString("buyer") != c.e.Auth.Id || o.GetString("mini") != c.mini.ID {
		return nil, refusal(http.StatusNotFound, "not_found", "No such order.")
	}
	return map[string]string{"order": o.Id, "status": o.GetString("status")}, nil
}

// share posts a card into a chat the member picked in the host's sheet.
func share(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	var req struct {
		Room  string `json:"room"`
		Title string `json:"title"`
		Path  string `json:"path"`
	}
	if err := c.object(0, &req); err != nil {
		return nil, err
	}
	req.Title = strings.TrimSpace(req.Title)
	switch {
	case req.Title == "" || utf8.RuneCountInString(req.Title) > 80:
		return nil, badRequest("title must be 1 to 80 characters.")
	case len(req.Path) > 200 || (req.Path != "" && !strings.HasPrefix(req.Path, "#")) || strings.ContainsAny(req.Path, "\x00\r\n\t <>\"'\\"):
		return nil, badRequest("path must start with \"#\" and be at most 200 characters, without spaces or quotes.")
	case req.Room == "":
		return nil, badRequest("Choose a chat to share to.")
	}
	if _, err := chat.Membership(c.e.App, req.Room, c.e.Auth.Id); err != nil {
		return nil, refusal(http.StatusNotFound, "not_found", "No such chat.")
	}
	body, err := json.Marshal(chat.MiniCard{Slug: c.mini.Slug, Name: c.mini.Name, Title: req.Title, Path: req.Path, Icon: c.mini.Icon})
	if err != nil {
		return nil, err
	}
	if _, _, err := chat.Send(c.e.App, req.Room, chat.Draft{Author: c.e.Auth.Id, Kind: "mini_card", Body: string(body)}); err != nil {
		return nil, err
	}
	return map[string]bool{"shared": true}, nil
}

var notifyLimiter = web.NewLimiter(5, 1.0/12) // 5 at once, then one every 12 s

// notify shows the member a short note from the mini in Plaza.
func notify(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	text, err := c.str(0, "The note", 140, false)
	if err != nil {
		return nil, err
	}
	if !notifyLimiter.Allow(c.e.Auth.Id+"/"+c.mini.ID, time.Now()) {
		return nil, refusal(http.StatusTooManyRequests, "rate_limited", "Too many notes: try again in a minute.")
	}
	data, err := json.Marshal(map[string]string{"text": c.mini.Name + ": " + text, "href": "/minis/" + c.mini.Slug})
	if err != nil {
		return nil, err
	}
	chat.HubOf(c.e.App).Publish([]string{c.e.Auth.Id}, chat.Event{Name: "note", Data: data})
	notices.Send(c.e.App, notices.Notice{User: c.e.Auth.Id, Kind: "mini", Text: c.mini.Name + ": " + text, URL: "/minis/" + c.mini.Slug})
	return true, nil
}
