package pay

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// receiveWebhook is POST /stripe/webhook.
func receiveWebhook(e *core.RequestEvent) error {
	return e.NoContent(http.StatusServiceUnavailable)
}
