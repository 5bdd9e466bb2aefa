// Package minihost hosts mini-programs (DESIGN §6): the registry of
// built-in and uploaded bundles, their sandboxed serving under /m/, the
// launcher and host pages, the bridge the SDK calls, members' consent and
// the minis' storage.
package minihost

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// Register binds the registry's hooks and the mini-program routes.
func Register(app core.App) {
	bindRegistry(app)
	bindReceipts(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := syncBuiltins(se.App); err != nil {
			return err
		}
		// Bundles: outside the pages' session and CSP, under the sandbox's own.
		se.Router.GET("/m/sdk/{name}", serveSDK)
		se.Router.GET("/m/{slug}/{path...}", serveFile)

		pages := web.Pages(se.Router)
		pages.Bind(web.RequireMember())
		pages.GET("/minis", showLauncher)
		pages.GET("/minis/{slug}", showHost)
		pages.GET("/minis/{slug}/about", showAbout)
		pages.POST("/minis/{slug}/consent", giveConsent)
		pages.POST("/minis/{slug}/bridge/{method}", runBridge)
		pages.GET("/me/minis", showMyMinis)
		pages.POST("/me/minis/{slug}/revoke", revokeMini)
		return se.Next()
	})
}
