package templates

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
	s := n.Names[0] + ", " + n.Names[1] + " and " + itoa(others) + " other"
	if others > 1 {
		s += "s"
	}
	return s
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
