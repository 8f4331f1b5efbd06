package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":               "<!doctype html><title>x</title>",
		"featuremap/engine.wasm":   "\x00asm\x01\x00\x00\x00",
		"featuremap/featuremap.js": "export {};",
		"style.css":                "body{}",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(handler(dir))
	defer srv.Close()
	for _, tt := range []struct {
		path, status, contentType, body string
	}{
		{"/", "200 OK", "text/html; charset=utf-8", "<!doctype html><title>x</title>"},
		{"/featuremap/engine.wasm", "200 OK", "application/wasm", "\x00asm\x01\x00\x00\x00"},
		{"/featuremap/featuremap.js", "200 OK", "text/javascript; charset=utf-8", "export {};"},
		{"/style.css", "200 OK", "text/css; charset=utf-8", "body{}"},
		{"/missing.js", "404 Not Found", "", ""},
	} {
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Status != tt.status {
			t.Errorf("%s: status %s, want %s", tt.path, res.Status, tt.status)
			continue
		}
		if got := res.Header.Get("Content-Security-Policy"); got != "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'" {
			t.Errorf("%s: Content-Security-Policy %q", tt.path, got)
		}
		if tt.status != "200 OK" {
			continue
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", tt.path, got)
		}
		if got := res.Header.Get("Content-Type"); got != tt.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tt.path, got, tt.contentType)
		}
		if string(body) != tt.body {
			t.Errorf("%s: body %q, want %q", tt.path, body, tt.body)
		}
	}
}

func TestRunErrors(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-port", "1"}, 2, "flag provided but not defined: -port"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
		{[]string{"-dir", filepath.Join(t.TempDir(), "none")}, 1, "is not a directory"},
		{[]string{"-dir", t.TempDir(), "-addr", "256.0.0.1:0"}, 1, "serve: listen tcp"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
		}
	}
}

func TestGzip(t *testing.T) {
	dir := t.TempDir()
	js := strings.Repeat("export const x = 1;\n", 200)
	weights := strings.Repeat("\x01\x02", 300)
	for name, body := range map[string]string{"app.js": js, "m.safetensors": weights} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(handler(dir))
	defer srv.Close()
	// DisableCompression: see the bytes on the wire, not what Go decodes.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path, accept string, extra ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			req.Header.Set(extra[i], extra[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	body := func(r io.Reader) string {
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	resp := get("/app.js", "deflate, gzip;q=0.8")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("app.js with gzip accepted: Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := body(zr); got != js {
		t.Errorf("app.js decompressed to %d bytes, want the %d-byte file", len(got), len(js))
	}

	for _, accept := range []string{"", "identity", "gzip;q=0"} {
		resp := get("/app.js", accept)
		if resp.Header.Get("Content-Encoding") != "" || body(resp.Body) != js {
			t.Errorf("Accept-Encoding %q: got Content-Encoding %q or a changed body", accept, resp.Header.Get("Content-Encoding"))
		}
	}
	// A range request gets the plain bytes it asked for.
	if resp := get("/app.js", "gzip", "Range", "bytes=0-5"); resp.StatusCode != http.StatusPartialContent || body(resp.Body) != js[:6] {
		t.Errorf("range request: status %d", resp.StatusCode)
	}
	// Weight files keep their Content-Length (the progress bar's total).
	resp = get("/m.safetensors", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || resp.ContentLength != int64(len(weights)) {
		t.Errorf("weights: Content-Encoding %q, Content-Length %d, want none and %d", resp.Header.Get("Content-Encoding"), resp.ContentLength, len(weights))
	}
	// A revalidation answers 304 with no body and no encoding.
	lm := get("/app.js", "gzip").Header.Get("Last-Modified")
	resp = get("/app.js", "gzip", "If-Modified-Since", lm)
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Content-Encoding") != "" || body(resp.Body) != "" {
		t.Errorf("revalidation: status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
