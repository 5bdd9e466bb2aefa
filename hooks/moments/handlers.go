package moments

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

func compareFold(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }

// showFeed is GET /moments: the viewer's feed (own, friends', public), or
// with ?author= one member's album; ?before= pages back.
func showFeed(e *core.RequestEvent) error {
	return renderFeed(e, http.StatusOK, &templates.ComposeVM{Visibility: "friends"})
}

func renderFeed(e *core.RequestEvent, status int, compose *templates.ComposeVM) error {
	q := e.Request.URL.Query()
	author := q.Get("author")
	var before Page
	if b := q.Get("before"); b != "" {
		created, id, ok := strings.Cut(b, "|")
		if !ok {
			return e.BadRequestError("That link to older moments is broken.", nil)
		}
		before = Page{Created: created, ID: id}
	}
	vm := templates.MomentsVM{}
	if author != "" && author != e.Auth.Id {
		u, err := e.App.FindRecordById("users", author)
		if err != nil || u.GetString("status") == "pending" {
			return e.NotFoundError("", err)
		}
		p := web.Person(u)
		vm.Album = &p
	} else {
		vm.Compose = compose
	}
	var posts []listed
	var err error
	if author == "" && before.Created == "" {
		posts, err = feedHead(e.App, e.Auth.Id, feedPage+1)
	} else {
		posts, err = visiblePosts(e.App, e.Auth.Id, author, before, feedPage+1)
	}
	if err != nil {
		return e.InternalServerError("", err)
	}
	if len(posts) > feedPage {
		posts = posts[:feedPage]
		last := posts[len(posts)-1]
		v := url.Values{"before": {last.Created + "|" + last.ID}}
		if author != "" {
			v.Set("author", author)
		}
		vm.OlderURL = "/moments?" + v.Encode()
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	if vm.Posts, err = postViews(e.App, e.Auth.Id, ids); err != nil {
		return e.InternalServerError("", err)
	}
	vm.Chrome = web.Chrome(e, "moments")
	return web.Render(e, status, templates.MomentsPage(vm))
}

// showCompose is GET /moments/new: the full posting form with the audience picker.
func showCompose(e *core.RequestEvent) error {
	return renderCompose(e, http.StatusOK, &templates.ComposeVM{Visibility: "only"})
}

// renderCompose shows the full form, ticking the friends and tags in compose.
func renderCompose(e *core.RequestEvent, status int, compose *templates.ComposeVM) error {
	var pick, tagged []string
	for _, c := range compose.People {
		pick = append(pick, c.ID)
	}
	for _, c := range compose.Tags {
		tagged = append(tagged, c.ID)
	}
	people, tags, err := composeChoices(e.App, e.Auth.Id, pick, tagged)
	if err != nil {
		return e.InternalServerError("", err)
	}
	compose.People, compose.Tags = people, tags
	return web.Render(e, status, templates.ComposePage(templates.MomentsVM{Chrome: web.Chrome(e, "moments"), Compose: compose}))
}

// photoRule is what a moment's photos field accepts, photo by photo.
var photoRule = web.UploadRule{
	MaxBytes:    maxPhotoBytes,
	TooBig:      "“{name}” is larger than 10 MB. Choose smaller photos.",
	NotAccepted: "“{name}” is not a picture. Use JPEG, PNG, GIF or WebP images.",
}

// createPost is POST /moments (body, photos, visibility, audience, tags,
// location). A refusal re-renders the feed with the text kept.
func createPost(e *core.RequestEvent) error {
	photos, err := web.Uploads(e, "photos")
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return e.Error(http.StatusRequestEntityTooLarge, "", err)
	} else if err != nil {
		return e.BadRequestError("The upload could not be read. Try again.", err)
	}
	form := e.Request.PostForm
	d := Draft{
		Author:     e.Auth.Id,
		Body:       strings.TrimSpace(form.Get("body")),
		Visibility: form.Get("visibility"),
		People:     form["audience"],
		Tags:       form["tags"],
		Location:   strings.TrimSpace(form.Get("location")),
	}
	compose := &templates.ComposeVM{Body: d.Body, Visibility: d.Visibility, Location: d.Location}
	for _, id := range d.People {
		compose.People = append(compose.People, templates.Choice{ID: id})
	}
	for _, id := range d.Tags {
		compose.Tags = append(compose.Tags, templates.Choice{ID: id})
	}
	errs := &compose.Errors
	status := http.StatusUnprocessableEntity

	switch {
	case utf8.RuneCountInString(d.Body) > maxBody:
		errs.Add("body", "Text", "Keep the text under 5,000 characters.")
	case d.Body == "" && len(photos) == 0:
		errs.Add("body", "Text", "Write something or add a photo.")
	}
	if utf8.RuneCountInString(d.Location) > maxLocation {
		errs.Add("location", "Location", "Keep the location under 100 characters.")
	}
	screen := web.Screen(e.App, d.Body, d.Location)
	if screen.Refused() {
		errs.Add("body", "Text", screen.Message())
	}
	d.Hidden = screen.Held()
	if !slices.Contains(visibilities, d.Visibility) {
		errs.Add("visibility", "Who can see it", "Choose who can see this moment.")
	}
	switch {
	case len(photos) > maxPhotos:
		errs.Add("photos", "Photos", "Choose at most 9 photos.")
	default:
		files, refusal, err := photoRule.Files(photos)
		switch {
		case err != nil:
			return e.BadRequestError("The upload could not be read. Try again.", err)
		case refusal != nil:
			errs.Add("photos", "Photos", refusal.Message)
			status = refusal.Status // 413 for size, else 422
		default:
			d.Photos = append(d.Photos, files...)
		}
	}
	again := func(status int) error {
		if len(photos) > 0 {
			errs.Add("photos", "Photos", "Choose your photos again: browsers don't keep them when a form comes back.")
		}
		if d.Visibility == "only" || d.Visibility == "except" {
			return renderCompose(e, status, compose)
		}
		return renderFeed(e, status, compose)
	}
	if errs.Any() {
		return again(status)
	}
	post, err := Publish(e.App, d)
	switch {
	case errors.Is(err, errAudience), errors.Is(err, errNotFriend):
		errs.Add("audience", "Audience", err.Error())
		return again(http.StatusUnprocessableEntity)
	case err != nil:
		return e.InternalServerError("", err)
	}
	if screen.Held() {
		if err := web.Hold(e.App, "posts", post.Id, screen.Word); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, web.HeldMessage)
	} else {
		web.Flash(e, "Posted.")
	}
	return web.SeeOther(e, "/moments#p-"+post.Id)
}

// visiblePost loads the post in the path if the viewer may see it; to anyone
// else it does not exist.
func visiblePost(e *core.RequestEvent) (*core.Record, error) {
	post, err := VisiblePost(e.App, e.Auth.Id, e.Request.PathValue("postId"))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, e.NotFoundError("", err)
	} else if err != nil {
		return nil, e.InternalServerError("", err)
	}
	return post, nil
}

func showPost(e *core.RequestEvent) error {
	post, err := visiblePost(e)
	if err != nil {
		return err
	}
	return renderPost(e, http.StatusOK, post, templates.PostPageVM{}, e.Request.URL.Query().Get("reply"))
}

func renderPost(e *core.RequestEvent, status int, post *core.Record, vm templates.PostPageVM, replyTo string) error {
	views, err := postViews(e.App, e.Auth.Id, []string{post.Id})
	if err != nil {
		return e.InternalServerError("", err)
	}
	if len(views) == 0 { // deleted meanwhile
		return e.NotFoundError("", nil)
	}
	vm.Post = views[0]
	if e.Request.Header.Get("X-Plaza-Fragment") == "card" {
		return web.Render(e, http.StatusOK, templates.PostCard(vm.Post))
	}
	for i := range vm.Post.Comments {
		if vm.Post.Comments[i].ID == replyTo {
			vm.ReplyTo = &vm.Post.Comments[i]
		}
	}
	vm.Chrome = web.Chrome(e, "moments")
	return web.Render(e, status, templates.PostPage(vm))
}

// actOnPost is POST /moments/{postId}/{like,unlike,comments,delete}.
func actOnPost(e *core.RequestEvent) error {
	post, err := visiblePost(e)
	if err != nil {
		return err
	}
	back := "/moments/" + post.Id
	switch e.Request.PathValue("action") {
	case "like":
		if err = Like(e.App, post.Id, e.Auth.Id); err == nil && post.GetString("author") != e.Auth.Id {
			announce(e.App, post.Id, post.GetString("author"))
		}
	case "unlike":
		err = Unlike(e.App, post.Id, e.Auth.Id)
	case "delete":
		if post.GetString("author") != e.Auth.Id {
			return e.ForbiddenError("You can only delete your own moments.", nil)
		}
		if err := e.App.Delete(post); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, "Moment deleted.")
		return web.SeeOther(e, "/moments")
	case "comments":
		return addComment(e, post)
	default:
		return e.NotFoundError("", nil)
	}
	if err != nil {
		return e.InternalServerError("", err)
	}
	return web.SeeOther(e, web.SafeNext(e.Request.FormValue("next"), back))
}

func addComment(e *core.RequestEvent, post *core.Record) error {
	body := strings.TrimSpace(e.Request.FormValue("body"))
	replyTo := strings.TrimSpace(e.Request.FormValue("reply_to"))
	vm := templates.PostPageVM{Comment: body}
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		vm.Errors.Add("body", "Comment", "Write a comment first.")
	case n > maxComment:
		vm.Errors.Add("body", "Comment", "Keep comments under 1,000 characters.")
	}
	if replyTo != "" {
		var n int
		err := e.App.DB().NewQuery("SELECT COUNT(*) FROM post_comments WHERE id = {:id} AND post = {:p}").
			Bind(dbx.Params{"id": replyTo, "p": post.Id}).Row(&n)
		if err != nil {
			return e.InternalServerError("", err)
		}
		if n == 0 {
			vm.Errors.Add("body", "Comment", "The comment you replied to is gone.")
			replyTo = ""
		}
	}
	screen := web.Screen(e.App, body)
	if screen.Refused() {
		vm.Errors.Add("body", "Comment", screen.Message())
	}
	if vm.Errors.Any() {
		return renderPost(e, http.StatusUnprocessableEntity, post, vm, replyTo)
	}
	c, err := comment(e.App, post.Id, e.Auth.Id, body, replyTo, screen.Held())
	if err != nil {
		return e.InternalServerError("", err)
	}
	if screen.Held() {
		if err := web.Hold(e.App, "post_comments", c.Id, screen.Word); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, web.HeldMessage)
		return web.SeeOther(e, "/moments/"+post.Id+"#c-"+c.Id)
	}
	hear := []string{post.GetString("author")}
	if replyTo != "" {
		if to, err := e.App.FindRecordById("post_comments", replyTo); err == nil {
			hear = append(hear, to.GetString("author"))
		}
	}
	hear = slices.DeleteFunc(hear, func(id string) bool { return id == e.Auth.Id })
	announce(e.App, post.Id, hear...)
	return web.SeeOther(e, "/moments/"+post.Id+"#c-"+c.Id)
}

// deleteComment lets a comment's author, or the post's author, remove it.
func deleteComment(e *core.RequestEvent) error {
	post, err := visiblePost(e)
	if err != nil {
		return err
	}
	c, err := e.App.FindFirstRecordByFilter("post_comments", "id = {:id} && post = {:p}",
		dbx.Params{"id": e.Request.PathValue("commentId"), "p": post.Id})
	if err != nil {
		return e.NotFoundError("", err)
	}
	if c.GetString("author") != e.Auth.Id && post.GetString("author") != e.Auth.Id {
		return e.ForbiddenError("You can only delete your own comments, or comments on your moments.", nil)
	}
	if err := e.App.Delete(c); err != nil {
		return e.InternalServerError("", err)
	}
	return web.SeeOther(e, "/moments/"+post.Id)
}

// servePhoto serves a photo (or its thumb) of a post the viewer may see.
// Photos are a protected field: only this checked route hands them out.
func servePhoto(e *core.RequestEvent) error {
	post, err := visiblePost(e)
	if err != nil {
		return err
	}
	name := e.Request.PathValue("name")
	if !slices.Contains(post.GetStringSlice("photos"), name) {
		return e.NotFoundError("", nil)
	}
	fsys, err := e.App.NewFilesystem()
	if err != nil {
		return e.InternalServerError("", err)
	}
	defer fsys.Close()
	key, served := post.BaseFilesPath()+"/"+name, name
	if thumb := e.Request.URL.Query().Get("thumb"); thumb == "240x240" || thumb == "720x0" {
		tkey := post.BaseFilesPath() + "/thumbs_" + name + "/" + thumb + "_" + name
		ok, err := fsys.Exists(tkey)
		if err == nil && !ok {
			err = web.CreateThumb(fsys, key, tkey, thumb)
		}
		if big := new(web.ImageTooLargeError); errors.As(err, &big) {
			return e.Error(http.StatusUnprocessableEntity, big.Error(), nil)
		}
		if err == nil {
			key, served = tkey, thumb+"_"+name
		} else {
			e.App.Logger().Warn("moments: thumb failed, serving the original", "post", post.Id, "error", err)
		}
	}
	e.Response.Header().Set("Cache-Control", "private, max-age=3600")
	return web.ServeUpload(e, fsys, key, served)
}
