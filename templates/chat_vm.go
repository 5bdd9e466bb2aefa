package templates

// ChatsVM is the chat list.
type ChatsVM struct {
	Chrome
	Rooms []RoomRow
}

// RoomRow is one chat in the list.
type RoomRow struct {
	ID      string
	Title   string
	Avatar  Person // the other member, or the group (initial of its title)
	Preview string
	When    string // ISO time of the last activity, formatted by the page
	Unread  int
	Muted   bool
	Pinned  bool // the organisation's channel, always first
}

// NewGroupVM is the form that starts a group.
type NewGroupVM struct {
	Chrome
	Title   string
	Friends []TagChoice
	Errors  FormErrors
}

// RoomVM is one chat room.
type RoomVM struct {
	Chrome
	RoomID    string
	Title     string
	Messages  []MessageVM
	OlderURL  string // "" when the start of the history is shown
	NewerURL  string // set when viewing older history
	Mentions  []string
	LastEvent int64 // the newest event the page shows, for /events?last=
	Composer  ComposerVM
	// AnnounceURL, in the organisation's channel, is where an admin
	// publishes announcements ("" for everyone else).
	AnnounceURL string
}

// ComposerVM is the message form.
type ComposerVM struct {
	Body     string
	ClientID string
	ReplyTo  *Quote
	Disabled string // why this member can't send here, if they can't
	Errors   FormErrors
}

// MessageVM is one message as the room shows it.
type MessageVM struct {
	ID          string
	Room        string
	Seq         int
	Kind        string
	Author      Person
	Own         bool
	Group       bool
	At          string // ISO time
	Day         string // set on the first message of a day: the separator's label
	Body        string // markdown
	Edited      bool
	Recalled    bool
	CanRecall   bool
	Reply       *Quote
	Attachments []Attachment
	Mentions    []string
	Card        *MiniCardVM // a mini_card message
	Hidden      bool        // hidden by moderators (the author still sees it, labelled)
	Official    bool        // an announcement in the channel: from the organisation, no actions
}

// MiniCardVM is a card that opens a mini-program.
type MiniCardVM struct {
	Name  string // the mini's
	Title string
	URL   string // the host page, with the path to open
	Icon  string
}

// Quote is the message a reply refers to.
type Quote struct {
	ID     string
	Author string
	Text   string
}

// Attachment is a file on a message.
type Attachment struct {
	Name     string
	URL      string
	ThumbURL string // "" for non-images
}

// RoomInfoVM is a chat's details: members, and for groups their management.
type RoomInfoVM struct {
	Chrome
	RoomID    string
	Title     string
	Group     bool
	Channel   bool    // the organisation's channel: no member list, no leaving
	Other     *Person // the other member of a direct chat
	Muted     bool
	CanManage bool
	Members   []RoomMember
	// MemberCount is the channel's member count (it lists no members).
	MemberCount int
	Addable     []TagChoice // friends who could be added
	Rename      string
	Errors      FormErrors
}

// RoomMember is a member in a chat's details.
type RoomMember struct {
	Person
	Role      string
	Removable bool
}
