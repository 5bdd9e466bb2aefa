package web

import (
	"net/http"

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
			err := e.Next()
			if err == nil || !isPageRequest(e.Request) {
				return err
			}
			if e.Written() {
				e.App.Logger().Error("page failed after writing", "path", e.Request.URL.Path, "error", err)
				return nil
			}
			apiErr := router.ToApiError(err)
			if apiErr.Status >= 500 {
				e.App.Logger().Error("page failed", "path", e.Request.URL.Path, "error", err)
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
