package minihost

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"plaza/hooks/web"
	"plaza/minis"
)

// Mini is a registered mini-program as the runtime needs it.
type Mini struct {
	ID, Slug, Name, Description, Version, Icon, Status, Secret string
	Permissions                                                []string
	Builtin                                                    bool
	bundleFile                                                 string // an upload's stored zip
	Updated                                                    string
	// Shared storage quotas set by an admin (0: Plaza's defaults).
	SharedQuotaMB, SharedQuotaKeys int
}

// Has reports whether the mini declares permission p.
func (m *Mini) Has(p string) bool {
	for _, q := range m.Permissions {
		if q == p {
			return true
		}
	}
	return false
}

// Minis by slug and their opened bundles are cached per app; any change to
// the minis collection (an upload, an approval, a dashboard edit) drops both.
type registry struct {
	mu      sync.RWMutex
	bySlug  map[string]*Mini
	bundles map[string]Bundle // by mini id + bundle file
}

const registryKey = "plaza.minihost.registry"

// reserved slugs name Plaza's own paths under /m/.
var reserved = map[string]bool{"sdk": true}

func registryOf(app core.App) *registry {
	return app.Store().GetOrSet(registryKey, func() any {
		return &registry{bySlug: map[string]*Mini{}, bundles: map[string]Bundle{}}
	}).(*registry)
}

func (r *registry) reset() {
	r.mu.Lock()
	r.bySlug = map[string]*Mini{}
	r.bundles = map[string]Bundle{}
	r.mu.Unlock()
}

func miniFromRecord(rec *core.Record) *Mini {
	return &Mini{
		ID: rec.Id, Slug: rec.GetString("slug"), Name: rec.GetString("name"), Description: rec.GetString("description"),
		Version: rec.GetString("version"), Icon: rec.GetString("icon"), Status: rec.GetString("status"),
		Secret: rec.GetString("secret"), Permissions: rec.GetStringSlice("permissions"), Builtin: rec.GetBool("builtin"),
		bundleFile: rec.GetString("bundle"), Updated: rec.GetString("updated"),
		SharedQuotaMB: rec.GetInt("shared_quota_mb"), SharedQuotaKeys: rec.GetInt("shared_quota_keys"),
	}
}

// Find returns the mini with slug in any status, or nil.
func Find(app core.App, slug string) *Mini {
	r := registryOf(app)
	r.mu.RLock()
	m, ok := r.bySlug[slug]
	r.mu.RUnlock()
	if ok {
		return m
	}
	rec, err := app.FindFirstRecordByData("minis", "slug", slug)
	if err != nil {
		return nil
	}
	m = miniFromRecord(rec)
	r.mu.Lock()
	if len(r.bySlug) > 1000 {
		r.bySlug = map[string]*Mini{}
	}
	r.bySlug[slug] = m
	r.mu.Unlock()
	return m
}

// Approved lists the minis members may open.
func Approved(app core.App) ([]*Mini, error) {
	recs, err := app.FindRecordsByFilter("minis", "status = 'approved'", "name", 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]*Mini, 0, len(recs))
	for _, rec := range recs {
		out = append(out, miniFromRecord(rec))
	}
	return out, nil
}

// bundleOf opens a mini's files: the embedded folder of a built-in, or the
// uploaded zip (read and checked once, then kept in memory).
func bundleOf(app core.App, m *Mini) (Bundle, error) {
	key := m.ID + "/" + m.bundleFile
	r := registryOf(app)
	r.mu.RLock()
	b, ok := r.bundles[key]
	r.mu.RUnlock()
	if ok {
		return b, nil
	}
	var err error
	if m.Builtin {
		b, _, err = FSBundle(minis.FS, m.Slug)
	} else {
		b, err = readStoredBundle(app, m)
	}
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.bundles) >= 32 {
		r.bundles = map[string]Bundle{}
	}
	r.bundles[key] = b
	r.mu.Unlock()
	return b, nil
}

func readStoredBundle(app core.App, m *Mini) (Bundle, error) {
	if m.bundleFile == "" {
		return nil, errors.New("no bundle uploaded")
	}
	rec, err := app.FindRecordById("minis", m.ID)
	if err != nil {
		return nil, err
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	rd, err := fsys.GetReader(rec.BaseFilesPath() + "/" + m.bundleFile)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, MaxBundleBytes+1))
	if err != nil {
		return nil, err
	}
	b, _, err := ReadZip(data)
	return b, err
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// syncBuiltins registers the embedded minis: new ones approved, known ones
// brought up to the shipped version (an admin's status choice is kept).
func syncBuiltins(app core.App) error {
	dirs, err := fs.ReadDir(minis.FS, ".")
	if err != nil {
		return err
	}
	coll, err := app.FindCollectionByNameOrId("minis")
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() || reserved[d.Name()] {
			continue
		}
		_, man, err := FSBundle(minis.FS, d.Name())
		if err != nil {
			app.Logger().Error("built-in mini-program skipped", "dir", d.Name(), "error", err)
			continue
		}
		rec, err := app.FindFirstRecordByData("minis", "slug", man.Slug)
		switch {
		case err == nil && !rec.GetBool("builtin"):
			app.Logger().Error("built-in mini-program skipped: an upload uses its slug", "slug", man.Slug)
			continue
		case err == nil && rec.GetString("version") == man.Version && rec.GetString("name") == man.Name:
			continue
		case err != nil:
			rec = core.NewRecord(coll)
			rec.Set("status", "approved")
			rec.Set("builtin", true)
			rec.Set("secret", newSecret())
		}
		setManifest(rec, man)
		if err := app.Save(rec); err != nil {
			return fmt.Errorf("built-in mini %s: %w", man.Slug, err)
		}
	}
	return nil
}

func setManifest(rec *core.Record, m Manifest) {
	rec.Set("slug", m.Slug)
	rec.Set("name", m.Name)
	rec.Set("description", m.Description)
	rec.Set("version", m.Version)
	rec.Set("icon", m.Icon)
	perms := m.Permissions
	if perms == nil {
		perms = []string{}
	}
	rec.Set("permissions", perms)
}

// bindRegistry keeps the cache true and checks every bundle an admin
// uploads in the dashboard (or through the API): a bad zip is refused with
// the reason on the bundle field; a good one fills the record from its
// manifest and waits for approval.
func bindRegistry(app core.App) {
	drop := func(e *core.ModelEvent) error {
		registryOf(e.App).reset()
		return e.Next()
	}
	app.OnModelAfterCreateSuccess("minis").BindFunc(drop)
	app.OnModelAfterUpdateSuccess("minis").BindFunc(drop)
	app.OnModelAfterDeleteSuccess("minis").BindFunc(drop)

	app.OnRecordCreateRequest("minis").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := checkUpload(e.App, e.Record, nil); err != nil {
			return err
		}
		e.Record.Set("status", "pending")
		e.Record.Set("builtin", false)
		e.Record.Set("secret", newSecret())
		return e.Next()
	})
	app.OnRecordUpdateRequest("minis").BindFunc(func(e *core.RecordRequestEvent) error {
		orig := e.Record.Original()
		// What the manifest says can't be edited by hand, nor what Plaza decides.
		for _, f := range []string{"slug", "name", "description", "version", "icon", "permissions", "builtin"} {
			e.Record.Set(f, orig.Get(f))
		}
		if e.Record.GetString("secret") == "" {
			e.Record.Set("secret", orig.GetString("secret"))
		}
		if len(e.Record.GetUnsavedFiles("bundle")) > 0 {
			if orig.GetBool("builtin") {
				return refuse("A built-in mini-program can't take an uploaded bundle: upload it as a new mini-program with another slug.")
			}
			if err := checkUpload(e.App, e.Record, orig); err != nil {
				return err
			}
			e.Record.Set("status", "pending") // a new version is reviewed again
		}
		return e.Next()
	})
}

func refuse(msg string) error {
	return validation.Errors{"bundle": validation.NewError("invalid_bundle", msg)}
}

// checkUpload reads the uploaded zip and, if it is a valid bundle, copies
// its manifest onto the record; an upgrade (orig != nil) must keep the slug
// and raise the version.
func checkUpload(app core.App, rec, orig *core.Record) error {
	files := rec.GetUnsavedFiles("bundle")
	if len(files) == 0 {
		return refuse("Upload the mini-program's zip file.")
	}
	rc, err := files[0].Reader.Open()
	if err != nil {
		app.Logger().Error("mini bundle upload unreadable", "error", err)
		return refuse("The upload could not be read.")
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxBundleBytes+1))
	if err != nil {
		app.Logger().Error("mini bundle upload unreadable", "error", err)
		return refuse("The upload could not be read.")
	}
	_, man, err := ReadZip(data)
	if err != nil {
		msg, ok := web.MessageOf(err)
		if !ok {
			msg = err.Error() // web's picture check: its error is its sentence
		}
		return refuse(msg)
	}
	if reserved[man.Slug] {
		return refuse(`The slug "` + man.Slug + `" is reserved: choose another in manifest.json.`)
	}
	if orig != nil {
		if man.Slug != orig.GetString("slug") {
			return refuse(`This bundle is "` + man.Slug + `", not "` + orig.GetString("slug") + `": an upgrade keeps the slug.`)
		}
		if CompareVersions(man.Version, orig.GetString("version")) <= 0 {
			return refuse("Version " + man.Version + " is not higher than the installed " + orig.GetString("version") + ".")
		}
	} else {
		n, err := app.CountRecords("minis", dbx.HashExp{"slug": man.Slug})
		if err != nil {
			return err
		}
		if n > 0 {
			return refuse(`A mini-program with the slug "` + man.Slug + `" is already installed: upload the new version to its record.`)
		}
	}
	setManifest(rec, man)
	return nil
}
