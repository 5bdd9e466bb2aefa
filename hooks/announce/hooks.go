package announce

import (
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/chat"
	"plaza/hooks/web"
)

// bindHooks keeps the channel's membership and title current: a member who
// signs up, or is approved, after the channel exists joins it; a renamed
// organisation renames it. The hooks run after the save is committed (also
// dashboard and REST API edits), and a failure is logged, never undoing it.
func bindHooks(app core.App) {
	join := func(e *core.RecordEvent) error {
		if e.Record.GetString("status") == web.StatusActive {
			if err := chat.JoinChannel(e.App, e.Record.Id); err != nil {
				e.App.Logger().Error("announce: adding a member to the channel failed", "member", e.Record.Id, "error", err)
			}
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess("users").BindFunc(join)
	app.OnRecordAfterUpdateSuccess("users").BindFunc(join)
	app.OnRecordAfterUpdateSuccess("org_settings").BindFunc(func(e *core.RecordEvent) error {
		if err := chat.RenameChannel(e.App, e.Record.GetString("name")); err != nil {
			e.App.Logger().Error("announce: renaming the channel failed", "error", err)
		}
		return e.Next()
	})
}
