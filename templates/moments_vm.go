package templates

// MomentsVM is the feed (or one member's album).
type MomentsVM struct {
	Chrome
	Album    *Person    // set when showing one member's moments
	Compose  *ComposeVM // the posting form (own feed only)
	Posts    []PostVM
	OlderURL string
}

// ComposeVM is the form that posts a moment.
type ComposeVM struct {
	Body       string
	Visibility string
	Location   string
	People     []Choice // friends for only/except
	Tags       []Choice // the member's tags for only/except
	Errors     FormErrors
}

// Choice is one checkbox.
type Choice struct {
	ID, Label string
	Checked   bool
}

// PostVM is one moment as the viewer may see it.
type PostVM struct {
	ID       string
	Author   Person
	Own      bool
	Body     string
	Photos   []Photo
	Location string
	At       string // ISO time
	Audience string // for the author: who sees it
	Liked    bool
	Likers   []Person
	Comments []CommentVM
	Hidden   bool // by moderators: only its author sees it
}

// Photo is a moment's picture.
type Photo struct {
	Thumb, Full string
}

// CommentVM is a comment the viewer may see.
type CommentVM struct {
	ID        string
	Author    Person
	ReplyTo   string // the name replied to
	Body      string
	At        string
	CanDelete bool
	Own       bool
	Hidden    bool // by moderators: only its author sees it
}

// PostPageVM is one moment with its comment form.
type PostPageVM struct {
	Chrome
	Post    PostVM
	Comment string
	ReplyTo *CommentVM
	Errors  FormErrors
}

// NoticesVM lists likes, comments and replies for the member.
type NoticesVM struct {
	Chrome
	Notices []Notice
}

// Notice is one like, comment or reply.
type Notice struct {
	Who  Person
	What string
	Body string
	Post string
	At   string
}
