package testkit

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Superuser returns the test app's dashboard administrator (made on first use).
func (s *Server) Superuser() *core.Record {
	s.t.Helper()
	if su, err := s.App.FindAuthRecordByEmail(core.CollectionNameSuperusers, "admin@example.org"); err == nil {
		return su
	}
	c, err := s.App.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		s.t.Fatal(err)
	}
	su := core.NewRecord(c)
	su.SetEmail("admin@example.org")
	su.SetPassword("admin-password-1")
	if err := s.App.Save(su); err != nil {
		s.t.Fatal(err)
	}
	return su
}

// API calls PocketBase's REST API with an auth token ("" for none).
func (s *Server) API(method, path, token, contentType string, body []byte) *Page {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return s.Client().Do(req)
}

// MiniZip builds a mini-program bundle: manifest.json from manifest, an
// icon.svg, and files (path → content; index.html at least).
func MiniZip(manifest map[string]any, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			panic(err)
		}
	}
	if _, ok := manifest["icon"]; !ok {
		manifest["icon"] = "icon.svg"
	}
	m, err := json.Marshal(manifest)
	if err != nil {
		panic(err)
	}
	add("manifest.json", m)
	if _, ok := files["icon.svg"]; !ok {
		add("icon.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#07c160"/></svg>`))
	}
	for name, data := range files {
		add(name, []byte(data))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// UploadMini uploads a bundle through the REST API as the dashboard does
// (to the record id, an upgrade; "" makes a new one) and returns the answer.
func (s *Server) UploadMini(id string, bundle []byte) *Page {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("bundle", "mini.zip")
	if err == nil {
		_, err = fw.Write(bundle)
	}
	if err == nil && id == "" {
		err = w.WriteField("status", "pending")
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		s.t.Fatal(err)
	}
	tok := s.Token(s.Superuser())
	if id == "" {
		return s.API(http.MethodPost, "/api/collections/minis/records", tok, w.FormDataContentType(), body.Bytes())
	}
	return s.API(http.MethodPatch, "/api/collections/minis/records/"+id, tok, w.FormDataContentType(), body.Bytes())
}

// InstallMini uploads a bundle and approves it, returning its record.
func (s *Server) InstallMini(bundle []byte) *core.Record {
	s.t.Helper()
	p := s.UploadMini("", bundle)
	if p.Status != http.StatusOK {
		s.t.Fatalf("upload mini: %d %s", p.Status, p.Body)
	}
	var rec struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(p.Body), &rec); err != nil {
		s.t.Fatal(err)
	}
	p = s.API(http.MethodPatch, "/api/collections/minis/records/"+rec.ID, s.Token(s.Superuser()), "application/json",
		[]byte(`{"status":"approved"}`))
	if p.Status != http.StatusOK {
		s.t.Fatalf("approve mini: %d %s", p.Status, p.Body)
	}
	r, err := s.App.FindRecordById("minis", rec.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// Bridge calls a mini's bridge method as client would from the host page.
func (c *Client) Bridge(slug, method string, args ...any) *Page {
	c.s.t.Helper()
	if args == nil {
		args = []any{}
	}
	body, err := json.Marshal(map[string]any{"args": args})
	if err != nil {
		c.s.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.s.URL+"/minis/"+slug+"/bridge/"+method, strings.NewReader(string(body)))
	if err != nil {
		c.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.Do(req)
}
