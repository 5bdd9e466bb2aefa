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
	app := pocketbase.NewWithConfig(pocketbase.Config{
		DBConnect:        hooks.DBConnect,
		DataMaxOpenConns: hooks.DBConns,
		DataMaxIdleConns: hooks.DBConns,
	})
	hooks.Register(app)
	app.RootCmd.AddCommand(seed.Command(app))
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
