// Package account is members' identity and social graph: sign-up, sign-in,
// password reset, profile, privacy, the member directory, friends and tags,
// and the member's data rights (export, account deletion).
package account

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/templates"
)

// Register binds the account pages.
func Register(app core.App) {
	bindCaches(app)
	bindSignUpAPI(app)
	web.AddBadgeCounter(app, countRequests)
	bindNotices(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		pages := web.Pages(se.Router)
		pages.GET("/{$}", showHome)

		guest := pages.Group("")
		guest.Bind(web.RequireGuest())
		guest.GET("/signup", showSignUp)
		guest.POST("/signup", signUp)
		guest.POST("/signup/resend", resendConfirmation)
		pages.GET("/signup/confirm/{token}", showConfirm)
		pages.POST("/signup/confirm/{token}", confirmEmail)
		guest.GET("/signin", showSignIn)
		guest.POST("/signin", signIn)
		guest.GET("/reset", showReset)
		guest.POST("/reset", requestReset)
		pages.GET("/reset/{token}", showNewPassword)
		pages.POST("/reset/{token}", setNewPassword)
		pages.POST("/signout", signOut)

		member := pages.Group("")
		member.Bind(web.RequireMember())
		member.GET("/me", showMe)
		member.GET("/me/edit", showEditProfile)
		member.POST("/me/edit", editProfile)
		member.GET("/me/privacy", showPrivacy)
		member.POST("/me/privacy", savePrivacy)
		member.GET("/me/devices", showDevices)
		member.POST("/me/devices/signout-others", signOutOthers)
		member.POST("/me/devices/{id}/signout", signOutDevice)
		member.GET("/me/data", showData)
		member.GET("/me/export", showData) // the download is a POST: an image or link can't start it
		member.POST("/me/export", exportData)
		member.GET("/me/delete", showDeleteAccount)
		member.POST("/me/delete", deleteAccount)
		member.GET("/people", showPeople)
		member.GET("/u/{id}", showProfile)
		member.GET("/friends", showFriends)
		member.GET("/friends/tags", showTags)
		member.POST("/friends/tags", createTag)
		member.GET("/friends/tags/{tagId}", showTag)
		member.POST("/friends/tags/{tagId}", saveTag)
		member.POST("/friends/tags/{tagId}/delete", deleteTag)
		member.POST("/friends/{userId}/{action}", actOnFriend)
		return se.Next()
	})
}

func showHome(e *core.RequestEvent) error {
	if e.Auth != nil {
		return web.SeeOther(e, "/chats")
	}
	return web.SeeOther(e, "/signin")
}

// countRequests puts the friend requests waiting for member on the Me tab.
func countRequests(app core.App, member *core.Record, b *templates.Badges) error {
	n, err := PendingRequests(app, member.Id)
	b.Me = n
	return err
}

// PendingRequests counts the friend requests waiting for member's answer.
func PendingRequests(app core.App, member string) (int, error) {
	var n int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM friendships WHERE addressee = {:me} AND state = 'pending'").
		Bind(dbx.Params{"me": member}).Row(&n)
	return n, err
}
