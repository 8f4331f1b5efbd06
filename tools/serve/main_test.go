package main

import (
	"bytes"
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
