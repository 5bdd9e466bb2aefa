package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

const nonceKey = "plazaNonce"

// StripeOrigins are where Plaza's forms may lead besides itself: "Buy"
// redirects to Stripe Checkout and "Connect with Stripe" to its onboarding.
const StripeOrigins = "https://checkout.stripe.com https://connect.stripe.com"

// securityHeaders sets a strict CSP with a fresh nonce for every page.
func securityHeaders() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "plazaSecurityHeaders",
		Priority: apis.DefaultSecurityHeadersMiddlewarePriority + 1, // after PocketBase's, to override X-Frame-Options
		Func: func(e *core.RequestEvent) error {
			var b [18]byte
			if _, err := rand.Read(b[:]); err != nil {
				return e.InternalServerError("", err)
			}
			nonce := base64.RawStdEncoding.EncodeToString(b[:])
			e.Set(nonceKey, nonce)
			h := e.Response.Header()
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+nonce+"'; "+
				"style-src 'self'; img-src 'self' data: blob:; manifest-src 'self'; worker-src 'self'; "+
				"object-src 'none'; base-uri 'none'; "+
				"frame-ancestors 'none'; form-action 'self' "+StripeOrigins)
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			return e.Next()
		},
	}
}

// Nonce is this request's CSP nonce.
func Nonce(e *core.RequestEvent) string {
	s, _ := e.Get(nonceKey).(string)
	return s
}

var crossOrigin = http.NewCrossOriginProtection()

// crossOriginProtection rejects state-changing requests sent by another site
// (Go's Sec-Fetch-Site / Origin check); safe methods pass.
func crossOriginProtection() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "plazaCSRF",
		Func: func(e *core.RequestEvent) error {
			if err := crossOrigin.Check(e.Request); err != nil {
				return e.ForbiddenError("This form was sent from another site, so it was refused. Go back, reload the page and try again.", err)
			}
			return e.Next()
		},
	}
}
