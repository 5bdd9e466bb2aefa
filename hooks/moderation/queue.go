package moderation

import (
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/account"
	"plaza/hooks/web"
	"plaza/templates"
)

var kindLabels = map[string]string{
	"messages": "Message", "posts": "Moment", "post_comments": "Comment",
	"listings": "Listing", "users": "Member", "minis": "Mini-program",
}

// queue gathers the reports in a state into one item per reported thing,
// with the content in context, most reported first.
func queue(app core.App, state string) ([]templates.QueueItem, error) {
	reports, err := app.FindRecordsByFilter("reports", "state = {:s}", "-created", 500, 0, dbx.Params{"s": state})
	if err != nil {
		return nil, err
	}
	byTarget := map[string][]*core.Record{}
	var order []string
	var people []string
	for _, r := range reports {
		key := r.GetString("target_collection") + ":" + r.GetString("target_id")
		if _, ok := byTarget[key]; !ok {
			order = append(order, key)
		}
		byTarget[key] = append(byTarget[key], r)
		people = append(people, r.GetString("reporter"))
	}
	faces, err := account.PeopleByID(app, people)
	if err != nil {
		return nil, err
	}
	history, err := logsOf(app, byTarget)
	if err != nil {
		return nil, err
	}
	var items []templates.QueueItem
	for _, key := range order {
		rs := byTarget[key]
		t := Target{rs[0].GetString("target_collection"), rs[0].GetString("target_id")}
		it := describe(app, t)
		it.Target, it.ReportID = key, rs[0].Id
		for _, r := range rs {
			who := faces[r.GetString("reporter")].Name
			switch {
			case r.GetString("reporter") == "":
				who = "Word filter"
			case who == "":
				who = "Deleted member"
			}
			it.Reports = append(it.Reports, templates.QueueReport{Reporter: who, Reason: reasonLabels[r.GetString("reason")],
				Note: r.GetString("note"), At: r.GetString("created")})
		}
		it.Log = history[key]
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool { return len(items[i].Reports) > len(items[j].Reports) })
	return items, nil
}

// logsOf is the moderation history of the reported targets, oldest first
// (one query for the whole queue).
func logsOf(app core.App, byTarget map[string][]*core.Record) (map[string][]string, error) {
	out := map[string][]string{}
	if len(byTarget) == 0 {
		return out, nil
	}
	ids := make([]any, 0, len(byTarget))
	for _, rs := range byTarget {
		ids = append(ids, rs[0].GetString("target_id"))
	}
	var logs []*core.Record
	err := app.RecordQuery("moderation_log").AndWhere(dbx.In("target_id", ids...)).OrderBy("created", "id").All(&logs)
	for _, l := range logs {
		key := l.GetString("target_collection") + ":" + l.GetString("target_id")
		out[key] = append(out[key], l.GetDateTime("created").Time().UTC().Format("2006-01-02 15:04")+" UTC · "+
			l.GetString("actor_name")+" · "+l.GetString("action")+": "+l.GetString("reason"))
	}
	return out, err
}

// describe shows a reported thing as a moderator needs to judge it.
func describe(app core.App, t Target) templates.QueueItem {
	it := templates.QueueItem{Kind: kindLabels[t.Collection]}
	rec, err := app.FindRecordById(t.Collection, t.ID)
	if err != nil {
		it.Content = "(It no longer exists.)"
		return it
	}
	author := AuthorOf(t, rec)
	if author != "" {
		if u, err := app.FindRecordById("users", author); err == nil {
			it.Author = templates.Person{ID: u.Id, Name: u.GetString("name")}
			it.Suspended = u.GetString("status") == account.StatusSuspended
		}
	}
	if it.Author.Name == "" {
		it.Author.Name = "Deleted member"
	}
	it.Hidden = rec.GetBool("hidden")
	switch t.Collection {
	case "messages":
		it.Content = rec.GetString("body")
		if rec.GetBool("recalled") {
			it.Content = "(Recalled by its author.)"
		}
		var before []struct {
			Body string `db:"body"`
			Name string `db:"name"`
		}
		_ = app.DB().NewQuery(`SELECT m.body, COALESCE(u.name, 'Deleted member') AS name FROM messages m
			LEFT JOIN users u ON u.id = m.author WHERE m.room = {:r} AND m.seq < {:s} ORDER BY m.seq DESC LIMIT 2`).
			Bind(dbx.Params{"r": rec.GetString("room"), "s": rec.GetInt("seq")}).All(&before)
		for i := len(before) - 1; i >= 0; i-- {
			it.Context = append(it.Context, before[i].Name+": "+web.OneLine(before[i].Body, 120))
		}
	case "posts":
		it.Content = rec.GetString("body")
		if n := len(rec.GetStringSlice("photos")); n > 0 {
			it.Content += " [" + strings.Repeat("photo ", n) + "]"
		}
	case "post_comments":
		it.Content = rec.GetString("body")
		if p, err := app.FindRecordById("posts", rec.GetString("post")); err == nil {
			it.Context = append(it.Context, "On the moment: "+web.OneLine(p.GetString("body"), 120))
		}
	case "listings":
		it.Content = rec.GetString("title") + "\n" + rec.GetString("body")
		it.Link = "/market/" + rec.Id
	case "users":
		it.Content = rec.GetString("name") + ": " + rec.GetString("bio")
		it.Link = "/u/" + rec.Id
		it.Hidden = rec.GetString("status") == account.StatusSuspended
	case "minis":
		it.Content = rec.GetString("name") + ": " + rec.GetString("description")
		it.Hidden = rec.GetString("status") == "disabled"
	}
	return it
}
