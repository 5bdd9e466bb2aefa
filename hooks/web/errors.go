package web

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"plaza/templates"
)

// htmlErrors turns any error a page handler (or an inner middleware: rate
// limiter, CSRF, panic recovery) returns into an HTML error page with the
// right status. It sits outside PocketBase's panic recovery so panics become
// HTML 500s too. The REST API keeps PocketBase's JSON errors.
func htmlErrors() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "plazaHTMLErrors",
		Priority: apis.DefaultPanicRecoverMiddlewarePriority - 1,
		Func: func(e *core.RequestEvent) error {
			err := AsApiError(e.Next()) // a Problem keeps its status and message
			if err == nil || !isPageRequest(e.Request) {
				return err
			}
			apiErr := router.ToApiError(err)
			if e.Written() {
				e.App.Logger().Error("page failed after writing", "method", e.Request.Method, "path", e.Request.URL.Path,
					"status", apiErr.Status, "error", apiErr.Message, "cause", causeOf(err))
				return nil
			}
			if apiErr.Status >= 500 {
				e.App.Logger().Error("page failed", "method", e.Request.Method, "path", e.Request.URL.Path,
					"status", apiErr.Status, "error", apiErr.Message, "cause", causeOf(err))
			}
			if wantsJSON(e.Request) {
				// A page's script (a chat send, the mini bridge) reads the
				// reason, where an HTML page would read as a broken connection.
				return e.JSON(apiErr.Status, map[string]any{"error": errorMessage(apiErr), "status": apiErr.Status})
			}
			vm := templates.ErrorVM{
				Chrome:  Chrome(e, ""),
				Status:  apiErr.Status,
				Title:   errorTitle(apiErr.Status),
				Message: errorMessage(apiErr),
			}
			if apiErr.Status == http.StatusUnauthorized {
				vm.SignIn = "/signin"
			}
			return Render(e, apiErr.Status, templates.ErrorPage(vm))
		},
	}
}

func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusTooManyRequests:
		return "Slow down"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return "That didn't work"
}

// errorMessage is what the member reads: the handler's public message when it
// gave one, else a plain explanation of the status. Causes stay in the log.
func errorMessage(apiErr *router.ApiError) string {
	switch apiErr.Status {
	case http.StatusTooManyRequests:
		return "Too many attempts in a short time. Wait a minute, then try again."
	case http.StatusNotFound:
		if apiErr.Message == "" || apiErr.Message == "The requested resource wasn't found." {
			return "There is nothing here. It may have been removed, or the link is mistyped."
		}
	case http.StatusRequestEntityTooLarge:
		return "What you sent is larger than this server accepts."
	}
	if apiErr.Status >= 500 {
		return "Plaza hit a problem and could not finish. Nothing you sent was lost on our side; try again in a moment."
	}
	return apiErr.Message
}

// causeOf is what went wrong underneath: a PocketBase ApiError's Error() is
// only its public message, the real cause (a SQLite error, a full disk) is
// its raw data.
func causeOf(err error) string {
	if err == nil {
		return ""
	}
	if apiErr, ok := err.(*router.ApiError); ok {
		switch raw := apiErr.RawData().(type) {
		case nil:
			return apiErr.Message
		case error:
			return causeOf(raw)
		default:
			return fmt.Sprint(raw)
		}
	}
	return err.Error() // a wrapping error's text already names what it wraps
}

// wantsJSON tells a page's own fetch (it sends X-Plaza-Fetch, or asks for
// application/json before HTML) from a browser loading a page.
func wantsJSON(r *http.Request) bool {
	if r.Header.Get("X-Plaza-Fetch") != "" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case "application/json":
			return true
		case "text/html", "application/xhtml+xml", "*/*":
			return false
		}
	}
	return false
}
