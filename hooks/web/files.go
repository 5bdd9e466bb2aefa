package web

import (
	"errors"
	"mime"
	"net/http"
	"runtime"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Members' uploads are served from Plaza's origin, so how they are served
// matters: PocketBase picks a file's Content-Type from its extension for some
// (gadget.js → text/javascript, even when the bytes start with GIF89a), which
// makes an upload a same-origin script. Plaza serves an upload as the picture
// its first bytes say it is, or as a download of bytes; never as a script, a
// page or an SVG.

// bindUploads binds the upload checks: pictures over the pixel limits are
// refused on every record save, and never thumbnailed when already stored;
// PocketBase's file API (/api/files/…) serves uploads as Plaza does.
func bindUploads(app core.App) {
	bindImageChecks(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(guardThumbs())
		return se.Next()
	})
	app.OnFileDownloadRequest().BindFunc(func(e *core.FileDownloadRequestEvent) error {
		fsys, err := e.App.NewFilesystem()
		if err != nil {
			return err
		}
		defer fsys.Close()
		kind, err := sniffStored(fsys, e.ServedPath)
		if err != nil {
			return e.NotFoundError("", err)
		}
		setUploadHeaders(e.Response.Header(), kind, e.ServedName, wantsDownload(e.Request))
		return e.Next()
	})
}

// guardThumbs runs before PocketBase's file API, which makes a missing thumb
// (decoding the whole original) before any hook sees the request: a picture
// over the limits stored before they existed, or by a path that skipped the
// record check, is refused instead of decoded.
func guardThumbs() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "plazaThumbGuard",
		Func: func(e *core.RequestEvent) error {
			size := e.Request.URL.Query().Get("thumb")
			coll, id, name := e.Request.PathValue("collection"), e.Request.PathValue("recordId"), e.Request.PathValue("filename")
			if size == "" || !strings.HasPrefix(e.Request.URL.Path, "/api/files/") || !plainName(id) || !plainName(name) {
				return e.Next()
			}
			c, err := e.App.FindCachedCollectionByNameOrId(coll)
			if err != nil {
				return e.Next() // PocketBase answers 404
			}
			if c.IsView() {
				// A view's files live under another record's path; show the
				// original rather than resolve it here.
				q := e.Request.URL.Query()
				q.Del("thumb")
				e.Request.URL.RawQuery = q.Encode()
				return e.Next()
			}
			fsys, err := e.App.NewFilesystem()
			if err != nil {
				return e.InternalServerError("", err)
			}
			defer fsys.Close()
			base := c.Id + "/" + id
			if made, err := fsys.Exists(base + "/thumbs_" + name + "/" + size + "_" + name); err == nil && made {
				return e.Next()
			}
			var big *ImageTooLargeError
			if err := checkStored(fsys, base+"/"+name); errors.As(err, &big) {
				return e.Error(http.StatusUnprocessableEntity, big.Error(), nil)
			}
			return e.Next()
		},
	}
}

// ServeUpload serves the stored upload key, named name, the way every member
// upload is served (see setUploadHeaders); ?download=1 asks for a download.
func ServeUpload(e *core.RequestEvent, fsys *filesystem.System, key, name string) error {
	kind, err := sniffStored(fsys, key)
	if err != nil {
		return e.NotFoundError("", err)
	}
	setUploadHeaders(e.Response.Header(), kind, name, wantsDownload(e.Request))
	if err := fsys.Serve(e.Response, e.Request, key, name); err != nil {
		return e.NotFoundError("", err)
	}
	return nil
}

// thumbSlots bounds how many thumbs Plaza's own routes make at once (as
// PocketBase bounds its file API's): each holds a decoded picture, up to
// about 100 MB for a 6000 × 4000 photo, 170 MB at the limits.
var thumbSlots = make(chan struct{}, runtime.NumCPU()+2)

// CreateThumb makes the thumb of the stored picture original at thumb, unless
// the picture is over the pixel limits (an *ImageTooLargeError): thumbnailing
// decodes all of it.
func CreateThumb(fsys *filesystem.System, original, thumb, size string) error {
	if err := checkStored(fsys, original); err != nil {
		return err
	}
	thumbSlots <- struct{}{}
	defer func() { <-thumbSlots }()
	return fsys.CreateThumb(original, thumb, size)
}

// setUploadHeaders sets the Content-Type and Content-Disposition for an
// upload whose first bytes sniff as kind: a picture Plaza shows keeps its
// type (inline unless download); anything else is bytes to download.
func setUploadHeaders(h http.Header, kind, name string, download bool) {
	disposition := "attachment"
	if ImageTypes[kind] {
		h.Set("Content-Type", kind)
		if !download {
			disposition = "inline"
		}
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	if v := mime.FormatMediaType(disposition, map[string]string{"filename": name}); v != "" {
		disposition = v
	}
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
}

// sniffStored is the content type of the stored file key, judged from its
// first bytes as Sniff judges an upload.
func sniffStored(fsys *filesystem.System, key string) (string, error) {
	r, err := fsys.GetReader(key)
	if err != nil {
		return "", err
	}
	defer r.Close()
	return sniffReader(r)
}

// checkStored is CheckImage for a stored file. A file that can't be read
// passes: whoever serves it answers for that.
func checkStored(fsys *filesystem.System, key string) error {
	r, err := fsys.GetReader(key)
	if err != nil {
		return nil
	}
	defer r.Close()
	return CheckImageReader("", r)
}

// wantsDownload reports PocketBase's ?download= flag.
func wantsDownload(r *http.Request) bool {
	v, _ := strconv.ParseBool(r.URL.Query().Get("download"))
	return v
}

// plainName reports whether s can be one segment of a storage key.
func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\")
}
