package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// reportReasons1011 are why a member reports something (reports.reason), as
// this migration made them; the live list is moderation.Reasons.
var reportReasons1011 = []string{"spam", "harassment", "hate", "violence", "sexual", "scam", "other"}

// reportTargets1011 are the collections a report can point at, as this
// migration made them; the live list is moderation.Targets.
var reportTargets1011 = []string{"messages", "posts", "post_comments", "listings", "users", "minis"}

// Moderation: members' reports, the log of every moderator action, and a
// hidden flag on content. Hidden content disappears for everyone but its
// author (who is told) and moderators — on pages and through the REST API.
// Reports and the log are read in the dashboard (superusers) and on Plaza's
// moderation page; no API rule opens them to members.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		const seesHidden = `(hidden = false || %s = @request.auth.id || @request.auth.role = "moderator" || @request.auth.role = "admin")`
		for name, author := range map[string]string{"messages": "author", "posts": "author", "post_comments": "author", "listings": "seller"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.Add(&core.BoolField{Name: "hidden"})
			rule := fmt.Sprintf(seesHidden, author)
			if c.ListRule != nil {
				c.ListRule = types.Pointer(*c.ListRule + " && " + rule)
			}
			if c.ViewRule != nil {
				c.ViewRule = types.Pointer(*c.ViewRule + " && " + rule)
			}
			if err := app.Save(c); err != nil {
				return err
			}
		}

		reports := core.NewBaseCollection("reports")
		reports.Fields.Add(
			&core.RelationField{Name: "reporter", CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
			&core.SelectField{Name: "target_collection", Required: true, MaxSelect: 1, Values: reportTargets1011},
			&core.TextField{Name: "target_id", Required: true, Max: 40},
			&core.SelectField{Name: "reason", Required: true, MaxSelect: 1, Values: reportReasons1011},
			&core.TextField{Name: "note", Max: 500},
			&core.SelectField{Name: "state", Required: true, MaxSelect: 1, Values: []string{"open", "dismissed", "actioned"}},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		// One report per member and item: reporting again counts once.
		reports.AddIndex("idx_reports_once", true, "reporter, target_collection, target_id", "")
		reports.AddIndex("idx_reports_state", false, "state, created", "")
		if err := app.Save(reports); err != nil {
			return err
		}

		log := core.NewBaseCollection("moderation_log")
		log.Fields.Add(
			&core.RelationField{Name: "actor", CollectionId: users.Id, MaxSelect: 1},
			&core.TextField{Name: "actor_name", Max: 100}, // kept if the moderator's account goes
			&core.SelectField{Name: "action", Required: true, MaxSelect: 1, Values: []string{"dismiss", "hide", "suspend", "restore"}},
			&core.SelectField{Name: "target_collection", Required: true, MaxSelect: 1, Values: reportTargets1011},
			&core.TextField{Name: "target_id", Required: true, Max: 40},
			&core.TextField{Name: "reason", Max: 500},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		log.AddIndex("idx_moderation_log_target", false, "target_collection, target_id", "")
		return app.Save(log)
	}, func(app core.App) error {
		for _, name := range []string{"moderation_log", "reports"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		for _, name := range []string{"messages", "posts", "post_comments", "listings"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.RemoveByName("hidden")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
