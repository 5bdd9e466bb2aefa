package pay

import (
	"github.com/pocketbase/pocketbase/core"
)

const configKey = "plaza.pay.config"

// Register reads the Stripe configuration from the environment (tests
// replace it with Configure) and binds the webhook.
func Register(app core.App) {
	app.Store().Set(configKey, ConfigFromEnv())
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/stripe/webhook", receiveWebhook)
		return se.Next()
	})
}

// Configure replaces the app's Stripe configuration (tests point it at stripe-mock).
func Configure(app core.App, c Config) { app.Store().Set(configKey, c) }

// ConfigOf is the app's Stripe configuration.
func ConfigOf(app core.App) Config {
	c, _ := app.Store().Get(configKey).(Config)
	return c
}

// Enabled reports whether members can pay (a secret key is configured).
func Enabled(app core.App) bool { return ConfigOf(app).Enabled() }
