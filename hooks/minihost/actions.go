package minihost

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"plaza/hooks/chat"
	"plaza/hooks/live"
	notices "plaza/hooks/notify"
	"plaza/hooks/web"
)

// share posts a card into a chat the member picked in the host's sheet.
func share(c *call) (any, error) {
	if err := c.arity(1, 1); err != nil {
		return nil, err
	}
	var req struct{ Room, Title, Path string }
	if err := c.object(0, "share's object", fields{"room": &req.Room, "title": &req.Title, "path": &req.Path}, "title"); err != nil {
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
	live.Publish(c.e.App, []string{c.e.Auth.Id}, live.Event{Name: "note", Data: data})
	notices.Send(c.e.App, notices.Event{User: c.e.Auth.Id, Kind: "mini", Text: c.mini.Name + ": " + text, URL: "/minis/" + c.mini.Slug})
	return true, nil
}
