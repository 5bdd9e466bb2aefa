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
