package templates

// ReportFormVM is the form a member reports something with.
type ReportFormVM struct {
	Chrome
	Target  string // collection:id
	What    string // "this message", "Ana Lima"…
	Back    string
	Reason  string
	Note    string
	Reasons []Choice
	Errors  FormErrors
}

// QueueVM is the moderation queue: reported items, most reported first.
type QueueVM struct {
	Chrome
	State string // open, actioned, dismissed
	Items []QueueItem
}

// QueueItem is one reported thing with its reports and what can be done.
type QueueItem struct {
	Target    string // collection:id
	Kind      string // Message, Moment, Comment, Listing, Member, Mini-program
	Author    Person
	Context   []string // what came just before (a chat's previous messages, a comment's post)
	Content   string
	Link      string // where it lives, "" when there is no page for it
	Hidden    bool   // currently hidden (or suspended / disabled)
	Suspended bool   // the author is suspended
	Reports   []QueueReport
	Log       []string // earlier actions on it
	ReportID  string   // the newest report: the actions' address
}

// QueueReport is one member's report.
type QueueReport struct {
	Reporter string
	Reason   string
	Note     string
	At       string
}

// MembersAdminVM is /admin/members: members by status, the approval queue first.
type MembersAdminVM struct {
	Chrome
	Status   string // pending, active, suspended
	Query    string
	Approval bool  // sign-up needs approval
	Counts   []int // pending, active, suspended
	Members  []MemberRow
}

// MemberRow is one member on the admin page.
type MemberRow struct {
	Person
	Email  string
	Role   string
	Joined string
	Self   bool
}

// InvitesVM is /admin/invites: codes and the form for a new one.
type InvitesVM struct {
	Chrome
	Mode    string // the organisation's registration mode
	Invites []InviteRow
	Uses    string
	Days    string
	Note    string
	Errors  FormErrors
}

// InviteRow is one invite code.
type InviteRow struct {
	ID       string
	Code     string
	UsesLeft int
	Expires  string
	Expired  bool
	Note     string
}
