package account

import (
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"
)

// Privacy is a member's privacy settings (users.privacy, a hidden JSON field).
type Privacy struct {
	// Discoverable members are listed in the /people directory.
	Discoverable bool `json:"discoverable"`
	// WhoCanAdd is who may send a friend request: anyone, fof (friends of
	// friends) or nobody.
	WhoCanAdd string `json:"who_can_add"`
	// MomentsWindow is how far back others see my moments: 3d, 1m, 6m or all.
	MomentsWindow string `json:"moments_window"`
}

// Allowed values of the privacy settings.
var (
	whoCanAddValues     = []string{"anyone", "fof", "nobody"}
	momentsWindowValues = []string{"3d", "1m", "6m", "all"}
)

// DefaultPrivacy is what a new member starts with.
func DefaultPrivacy() Privacy {
	return Privacy{Discoverable: true, WhoCanAdd: "anyone", MomentsWindow: "all"}
}

// PrivacyOf reads a member's settings, filling anything missing with defaults.
func PrivacyOf(member *core.Record) Privacy {
	p := DefaultPrivacy()
	raw := member.GetString("privacy")
	if raw == "" || raw == "null" {
		return p
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return DefaultPrivacy()
	}
	if !contains(whoCanAddValues, p.WhoCanAdd) {
		p.WhoCanAdd = "anyone"
	}
	if !contains(momentsWindowValues, p.MomentsWindow) {
		p.MomentsWindow = "all"
	}
	return p
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
