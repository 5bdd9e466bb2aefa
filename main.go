// Command plaza is a self-hosted community app: chat, moments, marketplace and
// mini-programs in one binary over one SQLite file (see README.md).
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"

	"plaza/hooks"
	"plaza/hooks/seed"
)

func main() {
	// Keep as many idle SQLite connections as open ones: with the default 15
	// idle of 120, a busy server closes and reopens connections constantly.
	app := pocketbase.NewWithConfig(pocketbase.Config{DataMaxOpenConns: 32, DataMaxIdleConns: 32})
	hooks.Register(app)
	app.RootCmd.AddCommand(seed.Command(app))
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
