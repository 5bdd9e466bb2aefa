package templates

// SignInVM is the sign-in page.
type SignInVM struct {
	Chrome
	Email  string
	Next   string
	Errors FormErrors
}

// SignUpVM is the sign-up page.
type SignUpVM struct {
	Chrome
	Name, Email, Invite string
	InviteRequired      bool // registration by invite
	NeedsApproval       bool // registration by approval
	ConfirmByMail       bool // a new account confirms its email first
	Errors              FormErrors
}

// NoticeVM is a simple message page (account pending, reset email sent).
type NoticeVM struct {
	Chrome
	Title, Message      string
	LinkHref, LinkLabel string
}

// ResetVM asks for the email to send a reset link to.
type ResetVM struct {
	Chrome
	Email  string
	Errors FormErrors
}

// NewPasswordVM sets a new password from a reset link.
type NewPasswordVM struct {
	Chrome
	Token  string
	Errors FormErrors
}

// MeVM is the member's own hub.
type MeVM struct {
	Chrome
	Me    Person
	Email string
	Role  string // member, moderator, admin: staff see their tools
}

// EditProfileVM edits name, bio and avatar.
type EditProfileVM struct {
	Chrome
	Me        Person
	Name, Bio string
	Errors    FormErrors
}

// PrivacyVM edits privacy settings.
type PrivacyVM struct {
	Chrome
	Discoverable  bool
	WhoCanAdd     string
	MomentsWindow string
	Errors        FormErrors
}

// PeopleVM is the member directory.
type PeopleVM struct {
	Chrome
	Query   string
	People  []PersonRow
	NextURL string // "" on the last page
	PrevURL string
}

// PersonRow is a person in a list with how the viewer stands to them.
type PersonRow struct {
	Person
	Relation string // a short label: "Friend", "Request sent", …
}

// ProfileVM is a member's profile page with the friendship actions that fit.
type ProfileVM struct {
	Chrome
	Person   Person
	Relation string // self, strangers, friends, sent, received, blocking, blocked_by
	Role     string
	Error    string // a refused action, shown at the top
}

// FriendsVM is the contacts page.
type FriendsVM struct {
	Chrome
	Incoming []Person
	Friends  []Person
	Outgoing []Person
	Blocked  []Person
	Tags     []TagRow
}

// TagRow is one friend tag in a list.
type TagRow struct {
	ID, Name string
	Count    int
}

// TagsVM lists tags with a form to add one.
type TagsVM struct {
	Chrome
	Tags   []TagRow
	Name   string
	Errors FormErrors
}

// TagEditVM renames a tag and picks its members among friends.
type TagEditVM struct {
	Chrome
	ID      string
	Name    string
	Friends []TagChoice
	Errors  FormErrors
}

// TagChoice is a friend with whether they carry the tag.
type TagChoice struct {
	Person
	Checked bool
}
