package notify

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// maxPushDevices bounds a member's push devices: every push goes to each of
// them, so a member (or a script with their session) can't make one
// notification into thousands of requests from Plaza.
const maxPushDevices = 10

// capPushDevices keeps the member's maxPushDevices most recently turned-on
// devices and turns the older ones off.
func capPushDevices(app core.App, member string) error {
	subs, err := app.FindRecordsByFilter("push_subscriptions", "user = {:u}", "-updated,-created,-id", 0, 0, dbx.Params{"u": member})
	if err != nil || len(subs) <= maxPushDevices {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		for _, old := range subs[maxPushDevices:] {
			if err := tx.Delete(old); err != nil {
				return err
			}
		}
		return nil
	})
}
