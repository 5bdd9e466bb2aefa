package templates

import "strconv"

// NotificationsVM is the notification centre.
type NotificationsVM struct {
	Chrome
	Items  []NotificationVM
	Unread int
}

// NotificationVM is one notification, or several alike grouped.
type NotificationVM struct {
	ID     string
	Kind   string
	Names  []string // who did it, newest first ("" for Plaza itself)
	Text   string
	URL    string
	Unread bool
	At     string
}

// Who is the names as a person would say them: "Ana", "Ana and Ben",
// "Ana, Ben and 3 others".
func (n NotificationVM) Who() string {
	switch len(n.Names) {
	case 0:
		return ""
	case 1:
		return n.Names[0]
	case 2:
		return n.Names[0] + " and " + n.Names[1]
	}
	others := len(n.Names) - 2
	s := n.Names[0] + ", " + n.Names[1] + " and " + strconv.Itoa(others) + " other"
	if others > 1 {
		s += "s"
	}
	return s
}
