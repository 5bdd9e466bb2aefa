package templates

// MiniVM is a mini-program as members see it.
type MiniVM struct {
	Slug        string
	Name        string
	Description string
	Version     string
	Icon        string // URL
	Builtin     bool
	Permissions []PermissionVM
	Used        bool // the member has opened it
}

// PermissionVM is one permission a mini declares, and whether the member allowed it.
type PermissionVM struct {
	Name    string
	Label   string
	Granted bool
}

// MinisVM is the launcher.
type MinisVM struct {
	Chrome
	Minis []MiniVM
}

// MiniHostVM is the page a mini runs in.
type MiniHostVM struct {
	Chrome
	Mini     MiniVM
	Rooms    []Choice // chats to share to
	Payments bool
}

// MiniAboutVM is a mini's About page: what it is and what it may do.
type MiniAboutVM struct {
	Chrome
	Mini MiniVM
}

// MyMinisVM is /me/minis: the minis the member uses and what each may do.
type MyMinisVM struct {
	Chrome
	Minis []MiniVM
}
