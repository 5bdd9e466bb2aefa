package account

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The export (POST /me/export) is a zip streamed straight to the browser:
// JSON files written a batch of records at a time, then the member's
// uploaded files copied one by one from the app's file storage. Memory stays
// at a batch plus the list of file names, whatever the member's history.

const (
	exportBatch = 200
	// exportWriteTimeout replaces the server's write deadline for a download
	// that may carry hundreds of photos to a slow phone.
	exportWriteTimeout = 30 * time.Minute
)

func exportData(e *core.RequestEvent) error {
	member, err := e.App.FindRecordById("users", e.Auth.Id)
	if err != nil {
		return e.NotFoundError("", err)
	}
	now := time.Now().UTC()
	out := &download{e: e, name: "plaza-export-" + now.Format("2006-01-02") + ".zip"}
	if err := http.NewResponseController(e.Response).SetWriteDeadline(now.Add(exportWriteTimeout)); err != nil {
		e.App.Logger().Debug("export: write deadline not extended", "error", err)
	}
	err = writeExport(e.App, member, out, now)
	if err == nil {
		return nil
	}
	if !out.started {
		return e.InternalServerError("", err)
	}
	// Part of the zip is already out: abort the connection so the browser
	// reports a failed download instead of saving a truncated file.
	e.App.Logger().Warn("export stopped midway", "member", member.Id, "error", err)
	panic(http.ErrAbortHandler)
}

// download sends the zip's headers with its first bytes, so an error before
// then still gets an ordinary error page.
type download struct {
	e       *core.RequestEvent
	name    string
	started bool
}

func (d *download) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.e.Response.Header()
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
		h.Set("Cache-Control", "private, no-store")
		d.e.Response.WriteHeader(http.StatusOK)
	}
	return d.e.Response.Write(p)
}

// exporter writes one member's data into a zip.
type exporter struct {
	app    core.App
	me     *core.Record
	zw     *zip.Writer
	now    time.Time
	files  []exportFile         // uploads to copy once the JSON is written
	people map[string]personRef // names of the members the data mentions
	minis  map[string]miniRef
	tags   map[string]string // the member's tag ids → names
}

type exportFile struct{ zipPath, key string }

type personRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type miniRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// writeExport writes member's export as a zip to w.
func writeExport(app core.App, member *core.Record, w io.Writer, now time.Time) error {
	x := &exporter{app: app, me: member, zw: zip.NewWriter(w), now: now,
		people: map[string]personRef{}, minis: map[string]miniRef{}, tags: map[string]string{}}
	steps := []func() error{
		x.readme, x.profile, x.friends, x.friendTags, x.chats, x.messages, x.posts, x.comments, x.likes,
		x.listings, x.orders, x.sellerAccount, x.miniGrants, x.miniStorage, x.notifications, x.reports, x.pushDevices, x.copyFiles,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return x.zw.Close()
}

// create starts a zip entry; pictures and archives are stored as they are
// (compressing them again costs CPU and saves nothing).
func (x *exporter) create(name string) (io.Writer, error) {
	method := zip.Deflate
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".zip", ".gz", ".mp4", ".mp3", ".pdf":
		method = zip.Store
	}
	return x.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: x.now})
}

// writeJSON writes one JSON document.
func (x *exporter) writeJSON(name string, v any) error {
	w, err := x.create(name)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeList writes a JSON array of the records of coll matching where, oldest
// first, each turned into a JSON value by row (nil skips the record). The ids
// come from one query, the records in batches by primary key.
func (x *exporter) writeList(name, coll string, where dbx.Expression, row func(r *core.Record) (any, error)) error {
	return x.writeListBy(name, coll, where, []string{"created", "id"}, row)
}

// writeListBy is writeList in another order.
func (x *exporter) writeListBy(name, coll string, where dbx.Expression, order []string, row func(r *core.Record) (any, error)) error {
	var ids []string
	if err := x.app.DB().Select("id").From(coll).Where(where).OrderBy(order...).Column(&ids); err != nil {
		return err
	}
	w, err := x.create(name)
	if err != nil {
		return err
	}
	sep := "[\n  "
	for start := 0; start < len(ids); start += exportBatch {
		batch := ids[start:min(start+exportBatch, len(ids))]
		recs, err := x.app.FindRecordsByIds(coll, batch)
		if err != nil {
			return err
		}
		byID := make(map[string]*core.Record, len(recs))
		for _, r := range recs {
			byID[r.Id] = r
		}
		for _, id := range batch {
			r, ok := byID[id]
			if !ok {
				continue // deleted since the ids were read
			}
			v, err := row(r)
			if err != nil {
				return err
			}
			if v == nil {
				continue
			}
			b, err := json.MarshalIndent(v, "  ", "  ")
			if err != nil {
				return err
			}
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
			sep = ",\n  "
		}
	}
	end := "\n]\n"
	if sep == "[\n  " {
		end = "[]\n"
	}
	_, err = io.WriteString(w, end)
	return err
}

// attach queues a record's files in field for copying and returns their
// paths in the zip.
func (x *exporter) attach(r *core.Record, field, dir string) []string {
	var paths []string
	for _, name := range r.GetStringSlice(field) {
		p := "files/" + dir + "/" + r.Id + "/" + name
		x.files = append(x.files, exportFile{zipPath: p, key: r.BaseFilesPath() + "/" + name})
		paths = append(paths, p)
	}
	return paths
}

// copyFiles copies the queued uploads into the zip. A file missing from
// storage is listed in MISSING-FILES.txt rather than failing the export.
func (x *exporter) copyFiles() error {
	if len(x.files) == 0 {
		return nil
	}
	fsys, err := x.app.NewFilesystem()
	if err != nil {
		return err
	}
	defer fsys.Close()
	var missing []string
	for _, f := range x.files {
		r, err := fsys.GetReader(f.key)
		if errors.Is(err, filesystem.ErrNotFound) {
			missing = append(missing, f.zipPath)
			continue
		} else if err != nil {
			return err
		}
		w, err := x.create(f.zipPath)
		if err == nil {
			_, err = io.Copy(w, r)
		}
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if len(missing) == 0 {
		return nil
	}
	x.app.Logger().Warn("export: files missing from storage", "member", x.me.Id, "count", len(missing))
	w, err := x.create("MISSING-FILES.txt")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "These files are named in the data but were no longer in Plaza's storage:\n\n"+strings.Join(missing, "\n")+"\n")
	return err
}

// person is the id and current name of a member the data mentions.
func (x *exporter) person(id string) personRef {
	if p, ok := x.people[id]; ok {
		return p
	}
	p := personRef{ID: id, Name: "Deleted member"}
	if u, err := x.app.FindRecordById("users", id); err == nil {
		p.Name = u.GetString("name")
	}
	x.people[id] = p
	return p
}

// personOrNil is person for an optional relation ("" → nil).
func (x *exporter) personOrNil(id string) *personRef {
	if id == "" {
		return nil
	}
	p := x.person(id)
	return &p
}

func (x *exporter) mini(id string) miniRef {
	if m, ok := x.minis[id]; ok {
		return m
	}
	m := miniRef{Slug: "(removed)", Name: "(removed)"}
	if r, err := x.app.FindRecordById("minis", id); err == nil {
		m = miniRef{Slug: r.GetString("slug"), Name: r.GetString("name")}
	}
	x.minis[id] = m
	return m
}

// isoDate is a stored date as RFC 3339 in UTC, or "" when unset.
func isoDate(d types.DateTime) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().UTC().Format(time.RFC3339)
}

// rawJSON is a JSON field's stored value, or null.
func rawJSON(r *core.Record, field string) json.RawMessage {
	if raw, ok := r.GetRaw(field).(types.JSONRaw); ok && len(raw) > 0 && json.Valid(raw) {
		return json.RawMessage(raw)
	}
	return json.RawMessage("null")
}
