package chat

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"plaza/hooks/web"
	"plaza/templates"
)

const (
	maxFiles     = 9
	maxFileBytes = 20 << 20
)

// fetchHeader marks a send made by the page's script: it wants JSON, not a redirect.
const fetchHeader = "X-Plaza-Fetch"

// sendMessage is POST /chats/{roomId}/messages (body, attachments, reply_to,
// client_id). Without JS it redirects back to the room; with JS it answers
// JSON. Any refusal re-renders the room with the message kept.
func sendMessage(e *core.RequestEvent) error {
	// The hot path: membership comes from the publisher's cache (kept fresh
	// by record hooks), so a send reads no room row.
	roomID := e.Request.PathValue("roomId")
	info, err := cachesOf(e.App).room(e.App, roomID)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if info.kind == "" || !info.has(e.Auth.Id) {
		return e.NotFoundError("", nil)
	}
	d := Draft{
		Author:   e.Auth.Id,
		Kind:     "text",
		Body:     strings.TrimSpace(e.Request.FormValue("body")),
		ReplyTo:  strings.TrimSpace(e.Request.FormValue("reply_to")),
		ClientID: strings.TrimSpace(e.Request.FormValue("client_id")),
	}
	refuse := func(status int, msg string) error {
		if e.Request.Header.Get(fetchHeader) != "" {
			return e.JSON(status, map[string]string{"error": msg})
		}
		room, err := roomOfMember(e)
		if err != nil {
			return err
		}
		composer := templates.ComposerVM{Body: d.Body, ClientID: d.ClientID}
		if d.ReplyTo != "" {
			if q, err := e.App.FindFirstRecordByFilter("messages", "id = {:id} && room = {:r}", dbx.Params{"id": d.ReplyTo, "r": roomID}); err == nil {
				composer.ReplyTo = quoteOf(e.App, q)
			}
		}
		composer.Errors.Add("body", "Message", msg)
		return renderRoom(e, status, room, 0, composer)
	}

	if why := cannotSend(e.App, roomID, info.kind, e.Auth.Id); why != "" {
		return refuse(http.StatusForbidden, why)
	}
	if !allowSend(e.App, e.Auth.Id) {
		return refuse(http.StatusTooManyRequests, "You are sending messages too fast. Wait a few seconds, then send again.")
	}
	files, msg, err := attachments(e)
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return refuse(http.StatusRequestEntityTooLarge, "Those files are larger than this server accepts.")
	} else if err != nil {
		return e.BadRequestError("The upload could not be read. Try again.", err)
	}
	switch {
	case msg != "":
		return refuse(http.StatusUnprocessableEntity, msg)
	case d.Body == "" && len(files) == 0:
		return refuse(http.StatusUnprocessableEntity, "Write a message or attach a file first.")
	case utf8.RuneCountInString(d.Body) > maxBody:
		return refuse(http.StatusUnprocessableEntity, "This message is too long: keep it under 4,000 characters, or split it.")
	}
	screen := web.Screen(e.App, d.Body)
	if screen.Refused() {
		return refuse(http.StatusUnprocessableEntity, screen.Message())
	}
	d.Hidden = screen.Held()
	if len(files) > 0 {
		d.Files, d.Kind = files, "file"
		if d.Body == "" && allImages(files) {
			d.Kind = "image"
		}
	}
	if d.ClientID == "" || len(d.ClientID) > 64 {
		d.ClientID = ""
	}

	m, _, err := Send(e.App, roomID, d)
	switch {
	case errors.Is(err, errBadReply):
		d.ReplyTo = ""
		return refuse(http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, errNotMember):
		return e.NotFoundError("", err)
	case err != nil && strings.Contains(err.Error(), "another chat"):
		return refuse(http.StatusConflict, err.Error())
	case err != nil:
		return e.InternalServerError("", err)
	}
	note := ""
	if screen.Held() {
		if err := web.Hold(e.App, "messages", m.Id, screen.Word); err != nil {
			return e.InternalServerError("", err)
		}
		note = web.HeldMessage
	}
	if e.Request.Header.Get(fetchHeader) != "" {
		// The page shows a provisional bubble at once; the stream's rendered
		// copy (already on its way) replaces it by id.
		return e.JSON(http.StatusOK, map[string]any{"room": roomID, "id": m.Id, "seq": m.GetInt("seq"), "note": note})
	}
	if note != "" {
		web.Flash(e, note)
	}
	return web.SeeOther(e, "/chats/"+roomID+"#m-"+m.Id)
}

// attachments reads the uploaded files, or explains which one is refused.
func attachments(e *core.RequestEvent) ([]*filesystem.File, string, error) {
	uploads, err := web.Uploads(e, "attachments")
	if err != nil {
		return nil, "", err
	}
	if len(uploads) > maxFiles {
		return nil, "Send at most 9 files at a time.", nil
	}
	files, refusal, err := attachmentRule.Files(uploads)
	if err != nil {
		return nil, "", err
	}
	if refusal != nil {
		// Shown with 422 whatever the refusal, as sendMessage always has.
		return nil, refusal.Message, nil
	}
	return files, "", nil
}

// attachmentRule is what a message's attachments field accepts: any file
// but pages and scripts, pictures within the pixel limit.
var attachmentRule = web.UploadRule{
	MaxBytes:    maxFileBytes,
	Accept:      allowedFile,
	TooBig:      "“{name}” is {size}; files can be up to 20 MB.",
	NotAccepted: "“{name}” is a kind of file Plaza doesn't accept (web pages and scripts can't be sent).",
}

// allowedFile refuses content a browser would run or render as a page.
func allowedFile(sniffed string) bool {
	switch sniffed {
	case "text/html", "text/xml", "application/xml", "application/javascript", "text/javascript":
		return false
	}
	return true
}

func allImages(files []*filesystem.File) bool {
	for _, f := range files {
		if !isImageName(f.OriginalName) {
			return false
		}
	}
	return true
}

// messageIn loads a message of the room in the path (a member's room).
func messageIn(e *core.RequestEvent) (*core.Record, *core.Record, error) {
	room, err := roomOfMember(e)
	if err != nil {
		return nil, nil, err
	}
	m, err := e.App.FindFirstRecordByFilter("messages", "id = {:id} && room = {:r}",
		dbx.Params{"id": e.Request.PathValue("msgId"), "r": room.Id})
	if err != nil {
		return nil, nil, e.NotFoundError("", err)
	}
	return room, m, nil
}

func showEditMessage(e *core.RequestEvent) error {
	room, m, err := messageIn(e)
	if err != nil {
		return err
	}
	if m.GetString("author") != e.Auth.Id || m.GetString("kind") != "text" || m.GetBool("recalled") {
		return e.ForbiddenError("You can only edit your own text messages.", nil)
	}
	return web.Render(e, http.StatusOK, templates.EditMessagePage(templates.EditMessageVM{
		Chrome: web.Chrome(e, "chats"), RoomID: room.Id, ID: m.Id, Body: m.GetString("body"),
	}))
}

func editMessage(e *core.RequestEvent) error {
	room, m, err := messageIn(e)
	if err != nil {
		return err
	}
	vm := templates.EditMessageVM{RoomID: room.Id, ID: m.Id, Body: strings.TrimSpace(e.Request.FormValue("body"))}
	switch n := utf8.RuneCountInString(vm.Body); {
	case n == 0:
		vm.Errors.Add("body", "Message", "A message can't be empty. To take it back, recall it instead.")
	case n > maxBody:
		vm.Errors.Add("body", "Message", "Keep the message under 4,000 characters.")
	}
	screen := web.Screen(e.App, vm.Body)
	if screen.Refused() {
		vm.Errors.Add("body", "Message", screen.Message())
	}
	if vm.Errors.Any() {
		vm.Chrome = web.Chrome(e, "chats")
		return web.Render(e, http.StatusUnprocessableEntity, templates.EditMessagePage(vm))
	}
	err = Edit(e.App, m, e.Auth.Id, vm.Body)
	if errors.Is(err, errNotYours) || errors.Is(err, errNotEditable) {
		return e.ForbiddenError(err.Error(), err)
	} else if err != nil {
		return e.InternalServerError("", err)
	}
	if screen.Held() {
		if err := SetHidden(e.App, m.Id, true); err != nil {
			return e.InternalServerError("", err)
		}
		if err := web.Hold(e.App, "messages", m.Id, screen.Word); err != nil {
			return e.InternalServerError("", err)
		}
		web.Flash(e, web.HeldMessage)
	}
	return web.SeeOther(e, "/chats/"+room.Id+"#m-"+m.Id)
}

func recallMessage(e *core.RequestEvent) error {
	room, m, err := messageIn(e)
	if err != nil {
		return err
	}
	err = Recall(e.App, m, e.Auth.Id)
	switch {
	case errors.Is(err, errNotYours), errors.Is(err, errTooLate):
		if e.Request.Header.Get(fetchHeader) != "" {
			return e.JSON(http.StatusForbidden, map[string]string{"error": err.Error()})
		}
		return e.ForbiddenError(err.Error(), err)
	case err != nil:
		return e.InternalServerError("", err)
	}
	if e.Request.Header.Get(fetchHeader) != "" {
		return e.NoContent(http.StatusNoContent)
	}
	return web.SeeOther(e, "/chats/"+room.Id+"#m-"+m.Id)
}

// serveAttachment checks membership with the session, then hands the file to
// PocketBase's file API with a short-lived file token (attachments are a
// protected field: without a token nobody reads them).
func serveAttachment(e *core.RequestEvent) error {
	_, m, err := messageIn(e)
	if err != nil {
		return err
	}
	name := e.Request.PathValue("name")
	found := false
	for _, f := range m.GetStringSlice("attachments") {
		found = found || f == name
	}
	if !found || (m.GetBool("hidden") && m.GetString("author") != e.Auth.Id) {
		return e.NotFoundError("", nil)
	}
	token, err := e.Auth.NewFileToken()
	if err != nil {
		return e.InternalServerError("", err)
	}
	u := "/api/files/" + m.Collection().Id + "/" + m.Id + "/" + name + "?token=" + token
	if thumb := e.Request.URL.Query().Get("thumb"); thumb == "480x0" || thumb == "160x160" {
		u += "&thumb=" + thumb
	}
	if e.Request.URL.Query().Get("download") == "1" {
		u += "&download=1"
	}
	e.Response.Header().Set("Cache-Control", "private, no-store")
	return e.Redirect(http.StatusFound, u)
}
