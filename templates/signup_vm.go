package templates

// ConfirmEmailVM is a page about confirming a new account's email: the
// button that confirms it (reached from the emailed link), or, to a member
// signing in before confirming, the offer to send the link again.
type ConfirmEmailVM struct {
	Chrome
	Title, Message string
	Action         string // where the form posts
	Email          string // sent along (resend), hidden
	Button         string
}
