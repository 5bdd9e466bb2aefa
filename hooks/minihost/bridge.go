package minihost

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
)

// The bridge is POST /minis/{slug}/bridge/{method} with a JSON body
// {"args": [...]}, called by the host page (static/js/minihost.js) for the
// mini in its iframe, with the member's session. It answers {"result": …}
// or a 4xx {"error": {"code", "message"}} the SDK turns into a rejected
// Promise. The server is the authority: it checks the method, the
// arguments, the manifest's permissions and the member's consent.

const (
	maxArgsBytes  = 80 << 10
	maxValueBytes = 64 << 10
	maxKeyLen     = 100
	userQuota     = 1 << 20 // per member per mini
)

// bridgeError is a refusal the mini is told about.
type bridgeError struct {
	status  int
	code    string
	message string
	perm    string // consent_required: which permission
}

func (b *bridgeError) Error() string { return b.message }

func refusal(status int, code, message string) *bridgeError {
	return &bridgeError{status: status, code: code, message: message}
}

func badRequest(message string) *bridgeError {
	return refusal(http.StatusBadRequest, "bad_request", message)
}

// call is one bridge call being answered.
type call struct {
	e         *core.RequestEvent
	mini      *Mini
	args      []json.RawMessage
	pseudonym string // the member's id in this mini, once needed
}

type method struct {
	perm string // "" needs none
	run  func(c *call) (any, error)
}

var methods map[string]method

func init() {
	methods = map[string]method{
		"getProfile":     {"profile", getProfile},
		"storage.get":    {"storage", storageGet},
		"storage.set":    {"storage", storageSet},
		"storage.remove": {"storage", storageRemove},
		"storage.keys":   {"storage", storageKeys},
		"shared.get":     {"shared_storage", sharedGet},
		"shared.set":     {"shared_storage", sharedSet},
		"shared.incr":    {"shared_storage", sharedIncr},
		"shared.list":    {"shared_storage", sharedList},
		"shared.remove":  {"shared_storage", sharedRemove},
		"shared.vote":    {"shared_storage", sharedVote},
		"shared.mine":    {"shared_storage", sharedMine},
		// requestPayment in the SDK: the host page prepares the payment,
		// shows the member what was prepared, and confirms it.
		"preparePayment": {"payments", preparePayment},
		"confirmPayment": {"payments", confirmPayment},
		"paymentStatus":  {"payments", paymentStatus},
		"share":          {"share", share},
		"notify":         {"notify", notify},
		"launchToken":    {"", launchToken},
	}
}

var bridgeLimiter = web.NewLimiter(60, 20) // calls per member and mini

// runBridge is POST /minis/{slug}/bridge/{method}.
func runBridge(e *core.RequestEvent) error {
	err := answer(e)
	var be *bridgeError
	if errors.As(err, &be) {
		body := map[string]any{"code": be.code, "message": be.message}
		if be.perm != "" {
			body["permission"] = be.perm
		}
		return e.JSON(be.status, map[string]any{"error": body})
	}
	return err
}

func answer(e *core.RequestEvent) error {
	m := Find(e.App, e.Request.PathValue("slug"))
	if m == nil || m.Status == "pending" {
		return refusal(http.StatusNotFound, "not_found", "No such mini-program.")
	}
	if m.Status != "approved" {
		return refusal(http.StatusForbidden, "unavailable", "This mini-program has been turned off by the organisation.")
	}
	name := e.Request.PathValue("method")
	spec, ok := methods[name]
	if !ok {
		return refusal(http.StatusNotFound, "not_found", "Unknown method "+strconv.Quote(name)+".")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(e.Response, e.Request.Body, maxArgsBytes))
	if err != nil {
		return refusal(http.StatusRequestEntityTooLarge, "too_large", "The call's arguments are too large.")
	}
	var args []json.RawMessage
	if _, err := strictObject(raw, "The call", fields{"args": &args}); err != nil {
		return badRequest("The call must be JSON: {\"args\": [...]}. " + err.Error())
	}
	if spec.perm != "" {
		if !m.Has(spec.perm) {
			return refusal(http.StatusForbidden, "permission_not_declared",
				"This mini-program's manifest doesn't ask for the "+strconv.Quote(spec.perm)+" permission.")
		}
		granted, err := Granted(e.App, e.Auth.Id, m, spec.perm)
		if err != nil {
			return err
		}
		if !granted {
			return &bridgeError{status: http.StatusForbidden, code: "consent_required",
				message: "The member hasn't allowed " + strconv.Quote(spec.perm) + " yet.", perm: spec.perm}
		}
	}
	if !bridgeLimiter.Allow(e.Auth.Id+"/"+m.ID, time.Now()) {
		return refusal(http.StatusTooManyRequests, "rate_limited", "Too many calls: slow down.")
	}
	res, err := spec.run(&call{e: e, mini: m, args: args})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"result": res})
}

// --- arguments -----------------------------------------------------------

func (c *call) arity(min, max int) error {
	if len(c.args) < min || len(c.args) > max {
		if min == max {
			return badRequest("Expected " + strconv.Itoa(min) + " argument(s).")
		}
		return badRequest("Expected " + strconv.Itoa(min) + " to " + strconv.Itoa(max) + " arguments.")
	}
	return nil
}

// str reads argument i as a string of 1..max runes (0..max when empty is ok).
func (c *call) str(i int, what string, max int, emptyOK bool) (string, error) {
	var s string
	if i >= len(c.args) || json.Unmarshal(c.args[i], &s) != nil {
		return "", badRequest(what + " must be a string.")
	}
	n := utf8.RuneCountInString(s)
	if n == 0 && !emptyOK {
		return "", badRequest(what + " can't be empty.")
	}
	if n > max {
		return "", badRequest(what + " is longer than " + strconv.Itoa(max) + " characters.")
	}
	return s, nil
}

func (c *call) key(i int) (string, error) { return c.str(i, "The key", maxKeyLen, false) }

// value reads argument i as any JSON value of at most maxValueBytes.
func (c *call) value(i int) (json.RawMessage, error) {
	if i >= len(c.args) {
		return nil, badRequest("A value is missing.")
	}
	v := c.args[i]
	if len(v) > maxValueBytes {
		return nil, refusal(http.StatusRequestEntityTooLarge, "too_large", "A value can be at most 64 KB of JSON.")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v); err != nil {
		return nil, badRequest("The value must be JSON.")
	}
	return compact.Bytes(), nil
}

// object reads argument i as a JSON object into dst, strictly (strictObject),
// and checks that the required keys are there.
func (c *call) object(i int, what string, dst fields, required ...string) error {
	if i >= len(c.args) {
		return badRequest(what + " is missing.")
	}
	seen, err := strictObject(c.args[i], what, dst)
	if err != nil {
		return err
	}
	for _, k := range required {
		if !seen[k] {
			return badRequest(what + " needs " + strconv.Quote(k) + ".")
		}
	}
	return nil
}

// --- identity ------------------------------------------------------------

// PseudonymousID is the member's id as one mini sees it: the same member
// has unrelated ids in different minis.
func PseudonymousID(m *Mini, member string) string {
	mac := hmac.New(sha256.New, []byte(m.Secret))
	mac.Write([]byte("member:" + member))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

func getProfile(c *call) (any, error) {
	if err := c.arity(0, 0); err != nil {
		return nil, err
	}
	p := web.Person(c.e.Auth)
	return map[string]string{"id": PseudonymousID(c.mini, c.e.Auth.Id), "name": p.Name, "avatar": avatarData(c.e.App, c.e.Auth)}, nil
}

// avatarData is the member's photo as a data: URL (a sandboxed mini can't
// load Plaza's files), or "" when there is none or it is large.
func avatarData(app core.App, u *core.Record) string {
	name := u.GetString("avatar")
	if name == "" {
		return ""
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return ""
	}
	defer fsys.Close()
	r, err := fsys.GetReader(u.BaseFilesPath() + "/" + name)
	if err != nil {
		return ""
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 96<<10+1))
	if err != nil || len(data) > 96<<10 {
		return ""
	}
	return "data:" + http.DetectContentType(data) + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// launchClaims is what a launch token says (fields in the order tokens
// have always had them).
type launchClaims struct {
	Iat  int64  `json:"iat"`
	Mini string `json:"mini"`
	Sub  string `json:"sub"`
}

// LaunchToken signs {sub, mini, iat} with the mini's secret (see minis/README.md).
func LaunchToken(m *Mini, member string, now time.Time) string {
	claims, err := json.Marshal(launchClaims{Sub: PseudonymousID(m, member), Mini: m.Slug, Iat: now.Unix()})
	if err != nil {
		// Two strings and an integer always encode; this is unreachable.
		panic(err)
	}
	payload := base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(m.Secret))
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func launchToken(c *call) (any, error) {
	if err := c.arity(0, 0); err != nil {
		return nil, err
	}
	return LaunchToken(c.mini, c.e.Auth.Id, time.Now()), nil
}
