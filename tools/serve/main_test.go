package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// secret is the content of every file outside the served root: no response
// may contain it.
const secret = "SECRET outside the root"

// fixture makes a served root beside a directory it must not leak, with
// symbolic links from the root to outside, links inside the root, dotfiles
// and a named pipe. It returns the root's path.
func fixture(t testing.TB) string {
	t.Helper()
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	files := map[string]string{
		"root/index.html":               "<!doctype html><title>x</title>",
		"root/featuremap/engine.wasm":   "\x00asm\x01\x00\x00\x00",
		"root/featuremap/featuremap.js": "export {};",
		"root/style.css":                "body{}",
		"root/logo.svg":                 "<svg xmlns='http://www.w3.org/2000/svg'/>",
		"root/notes.unknownext":         "plain bytes",
		"root/docs/index.html":          "docs",
		"root/empty/readme.txt":         "no index here",
		"root/.env":                     "TOKEN=" + secret,
		"root/.git/config":              secret,
		"root/docs/.hidden.js":          secret,
		"outside/secret.txt":            secret,
		"outside/dir/index.html":        secret,
		"outside/dir/a.js":              secret,
	}
	for name, body := range files {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"root/leak.txt":       "../outside/secret.txt",              // relative, to a file outside
		"root/abs.txt":        filepath.Join(outside, "secret.txt"), // absolute, to a file outside
		"root/leakdir":        "../outside/dir",                     // to a directory outside
		"root/docs/up":        "../..",                              // to the root's parent
		"root/alias.css":      "style.css",                          // inside: served
		"root/assets":         "featuremap",                         // inside: served
		"root/dotlink.txt":    ".env",                               // to a dotfile inside
		"root/dangling.js":    "missing.js",                         // to nothing
		"root/docs/loop.html": "loop.html",                          // to itself
	} {
		if err := os.Symlink(target, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := mkfifo(filepath.Join(root, "pipe.js")); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Fatal(err)
	}
	return root
}

// newTestServer serves dir through the handler.
func newTestServer(t testing.TB, dir string) *httptest.Server {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler(root))
	t.Cleanup(func() {
		srv.Close()
		root.Close()
	})
	return srv
}

// do sends a request with optional header pairs, without transparent
// decompression, and returns the response with its body read.
func do(t testing.TB, method, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// checkSecurityHeaders fails unless res has the headers of every response.
func checkSecurityHeaders(t testing.TB, what string, res *http.Response) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %s %q, want %q", what, k, got, want)
		}
	}
}

func TestHandler(t *testing.T) {
	srv := newTestServer(t, fixture(t))
	for _, tt := range []struct {
		path        string
		status      int
		contentType string
		body        string
	}{
		{"/", 200, "text/html; charset=utf-8", "<!doctype html><title>x</title>"},
		{"/index.html", 200, "text/html; charset=utf-8", "<!doctype html><title>x</title>"},
		{"/featuremap/engine.wasm", 200, "application/wasm", "\x00asm\x01\x00\x00\x00"},
		{"/featuremap/featuremap.js", 200, "text/javascript; charset=utf-8", "export {};"},
		{"/style.css", 200, "text/css; charset=utf-8", "body{}"},
		{"/logo.svg", 200, "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>"},
		{"/notes.unknownext", 200, "application/octet-stream", "plain bytes"},
		{"/docs/", 200, "text/html; charset=utf-8", "docs"},
		{"/alias.css", 200, "text/css; charset=utf-8", "body{}"},                       // a link inside the root
		{"/assets/featuremap.js", 200, "text/javascript; charset=utf-8", "export {};"}, // a directory link inside
		{"/a/../style.css", 200, "text/css; charset=utf-8", "body{}"},
		{"/missing.js", 404, "", ""},
	} {
		res, body := do(t, "GET", srv.URL+tt.path)
		checkSecurityHeaders(t, tt.path, res)
		if res.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, res.StatusCode, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", tt.path, got)
		}
		// Another origin may load every file (the embed widget).
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want *", tt.path, got)
		}
		if got := res.Header.Get("Content-Type"); got != tt.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tt.path, got, tt.contentType)
		}
		if body != tt.body {
			t.Errorf("%s: body %q, want %q", tt.path, body, tt.body)
		}
		// HEAD: the same headers, no body.
		head, hbody := do(t, "HEAD", srv.URL+tt.path)
		if head.StatusCode != 200 || hbody != "" || head.ContentLength != int64(len(tt.body)) {
			t.Errorf("HEAD %s: status %d, Content-Length %d, body %q", tt.path, head.StatusCode, head.ContentLength, hbody)
		}
	}
}

// TestRefused: everything outside the root, hidden, not a regular file, or
// asked for with the wrong method or too large a request is refused with a
// 4xx and the security headers, and never with the content of a file
// outside the root.
func TestRefused(t *testing.T) {
	srv := newTestServer(t, fixture(t))
	u, _ := url.Parse(srv.URL)
	for _, tt := range []struct {
		method, path string
		status       int
		header       []string
	}{
		// Symbolic links whose real path leaves the root, and traversal spellings.
		{"GET", "/leak.txt", 404, nil},
		{"GET", "/abs.txt", 404, nil},
		{"GET", "/leakdir/", 404, nil},
		{"GET", "/leakdir/a.js", 404, nil},
		{"GET", "/leakdir/index.html", 404, nil},
		{"GET", "/docs/up/outside/secret.txt", 404, nil},
		{"GET", "/../outside/secret.txt", 404, nil},
		{"GET", "/%2e%2e/outside/secret.txt", 404, nil},
		{"GET", "/docs/..%2f..%2foutside%2fsecret.txt", 404, nil},
		{"GET", "/..%5c..%5coutside%5csecret.txt", 404, nil},
		{"GET", "/docs/%00/../leak.txt", 404, nil},
		// Dotfiles, directly and through a link.
		{"GET", "/.env", 404, nil},
		{"GET", "/.git/config", 404, nil},
		{"GET", "/.git/", 404, nil},
		{"GET", "/docs/.hidden.js", 404, nil},
		{"GET", "/dotlink.txt", 404, nil},
		// No listings; no special files; broken links.
		{"GET", "/empty/", 404, nil},
		{"GET", "/featuremap/", 404, nil},
		{"GET", "/pipe.js", 404, nil},
		{"GET", "/dangling.js", 404, nil},
		{"GET", "/docs/loop.html", 404, nil},
		// Methods.
		{"POST", "/index.html", 405, nil},
		{"PUT", "/index.html", 405, nil},
		{"DELETE", "/index.html", 405, nil},
		{"OPTIONS", "/", 405, nil},
		{"PATCH", "/missing", 405, nil},
		// Sizes: the handler's limits, and net/http's own above 1 MiB.
		{"GET", "/" + strings.Repeat("a", 9<<10), 414, nil},
		{"GET", "/" + strings.Repeat("a/", 400<<10), 414, nil},
		{"GET", "/", 431, []string{"X-Big", strings.Repeat("b", 40<<10)}},
		{"GET", "/", 431, []string{"X-Big", strings.Repeat("b", 2<<20)}},
	} {
		what := tt.method + " " + tt.path[:min(len(tt.path), 60)]
		req := &http.Request{Method: tt.method, URL: &url.URL{Scheme: "http", Host: u.Host, Opaque: tt.path}, Header: http.Header{}}
		for i := 0; i+1 < len(tt.header); i += 2 {
			req.Header.Set(tt.header[i], tt.header[i+1])
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", what, res.StatusCode, tt.status)
		}
		if strings.Contains(string(body), "SECRET") {
			t.Errorf("%s: the response leaks a file outside the root: %q", what, body)
		}
		if tt.status == 405 && res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q, want \"GET, HEAD\"", what, res.Header.Get("Allow"))
		}
		if res.StatusCode == 431 && len(tt.header[1]) > maxServerHeaderBytes {
			continue // net/http's own answer, before the handler
		}
		checkSecurityHeaders(t, what, res)
	}
}

func TestDirectoryRedirect(t *testing.T) {
	srv := newTestServer(t, fixture(t))
	res, _ := do(t, "GET", srv.URL+"/docs")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "docs/" {
		t.Errorf("/docs: status %d, Location %q; want 301 to docs/", res.StatusCode, res.Header.Get("Location"))
	}
	checkSecurityHeaders(t, "/docs", res)
}

// precompressed writes name and its .gz (real gzip) and .br (a marker:
// the server does not decode what it serves) into dir.
func precompressed(t *testing.T, dir, name, body string) (gz, br string) {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte(body))
	zw.Close()
	// br is a marker (the server does not decode what it serves), longer
	// than net/http's 2 KiB buffer so that the test sees the handler's own
	// Content-Length.
	gz, br = b.String(), strings.Repeat("brotli bytes of "+name+"\n", 200)
	for file, data := range map[string]string{name: body, name + ".gz": gz, name + ".br": br} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return gz, br
}

func TestPrecompressed(t *testing.T) {
	dir := t.TempDir()
	js := strings.Repeat("export const x = 1;\n", 2000)
	gz, br := precompressed(t, dir, "app.js", js)
	plain := "only identity here"
	os.WriteFile(filepath.Join(dir, "plain.css"), []byte(plain), 0o644)
	srv := newTestServer(t, dir)

	want := map[string]string{"br": br, "gzip": gz, "": js}
	for _, tt := range []struct{ accept, coding string }{
		{"", ""},
		{"gzip, deflate, br, zstd", "br"}, // what Chromium sends
		{"br", "br"},
		{"gzip", "gzip"},
		{"x-gzip", "gzip"},
		{"GZIP;Q=0.5", "gzip"},
		{"gzip;q=1, br;q=0.5", "gzip"},
		{"br;q=0, gzip;q=0.3", "gzip"},
		{"br;q=0", ""},
		{"gzip;q=0, br;q=0", ""},
		{"deflate", ""},
		{"*", "br"},
		{"*;q=0, identity", ""},
		{"*;q=0.5, br;q=0", "gzip"},
		{"identity;q=0, gzip;q=0.1", "gzip"},
		{"identity, gzip", "gzip"},
		{"br;q=abc, gzip", "gzip"},
		{"br;q=2, gzip", "gzip"},
		{" , ;, br ;q=0.9", "br"},
	} {
		res, body := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", tt.accept)
		if got := res.Header.Get("Content-Encoding"); got != tt.coding || body != want[tt.coding] {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q and a %d-byte body, want %q", tt.accept, got, len(body), tt.coding)
			continue
		}
		if res.ContentLength != int64(len(want[tt.coding])) {
			t.Errorf("Accept-Encoding %q: Content-Length %d, want %d", tt.accept, res.ContentLength, len(want[tt.coding]))
		}
		if res.Header.Get("Vary") != "Accept-Encoding" || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: Vary %q, Content-Type %q", tt.accept, res.Header.Get("Vary"), res.Header.Get("Content-Type"))
		}
		decoded := res.Header.Get("X-Decoded-Content-Length")
		if tt.coding != "" && decoded != "40000" || tt.coding == "" && decoded != "" {
			t.Errorf("Accept-Encoding %q: X-Decoded-Content-Length %q", tt.accept, decoded)
		}
		checkSecurityHeaders(t, "app.js "+tt.accept, res)
	}
	// The gzip file really is app.js.
	res, body := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); string(got) != js {
		t.Errorf("gzip response decodes to %d bytes, want the %d-byte file", len(got), len(js))
	}
	checkSecurityHeaders(t, "app.js", res)

	// One ETag per encoding; If-None-Match revalidates each, and only its own.
	tags := map[string]string{}
	for _, c := range []string{"br", "gzip", "identity"} {
		res, _ := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", c)
		tags[c] = res.Header.Get("Etag")
		if !regexp.MustCompile(`^"[0-9a-f]+-[0-9a-f]+(-br|-gzip)?"$`).MatchString(tags[c]) {
			t.Errorf("%s: ETag %q", c, tags[c])
		}
	}
	if tags["br"] == tags["gzip"] || tags["br"] == tags["identity"] || tags["gzip"] == tags["identity"] {
		t.Errorf("ETags are not distinct per encoding: %v", tags)
	}
	for c, tag := range tags {
		res, body := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", c, "If-None-Match", tag)
		if res.StatusCode != http.StatusNotModified || body != "" || res.Header.Get("Vary") != "Accept-Encoding" || res.Header.Get("Etag") != tag {
			t.Errorf("%s revalidation: status %d, Vary %q, ETag %q", c, res.StatusCode, res.Header.Get("Vary"), res.Header.Get("Etag"))
		}
		checkSecurityHeaders(t, c+" 304", res)
		other := map[string]string{"br": "gzip", "gzip": "identity", "identity": "br"}[c]
		if res, _ := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", other, "If-None-Match", tag); res.StatusCode != 200 {
			t.Errorf("%s's ETag with Accept-Encoding %s: status %d, want 200", c, other, res.StatusCode)
		}
	}
	// Ranges apply to the chosen representation; HEAD has no body.
	if res, body := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", "br", "Range", "bytes=0-9"); res.StatusCode != 206 || body != br[:10] || res.ContentLength != 10 || res.Header.Get("Content-Encoding") != "br" {
		t.Errorf("range of the br file: status %d, Content-Length %d, %q", res.StatusCode, res.ContentLength, body)
	}
	if res, _ := do(t, "GET", srv.URL+"/app.js", "Accept-Encoding", "br", "Range", "bytes=100000-"); res.StatusCode != 416 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("unsatisfiable range: status %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if res, body := do(t, "HEAD", srv.URL+"/app.js", "Accept-Encoding", "br"); res.ContentLength != int64(len(br)) || body != "" {
		t.Errorf("HEAD: Content-Length %d, body %q", res.ContentLength, body)
	}
	// A file without variants: no Vary, identity whatever is accepted.
	res, body = do(t, "GET", srv.URL+"/plain.css", "Accept-Encoding", "br, gzip")
	if body != plain || res.Header.Get("Content-Encoding") != "" || res.Header.Get("Vary") != "" {
		t.Errorf("plain.css: Content-Encoding %q, Vary %q, body %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"), body)
	}
}

// startRun runs the command in-process on a free port with args, and
// returns its base URL and a function that stops it and returns its exit
// code.
func startRun(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`at (http://\S+)/\n$`).FindStringSubmatch(line)
	if err != nil || m == nil {
		cancel()
		t.Fatalf("serve printed %q (%v), stderr %q", line, err, stderr.String())
	}
	var once sync.Once
	code := 0
	stop := func() int {
		once.Do(func() {
			cancel()
			code = <-done
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return m[1], stop
}

// TestSlowClients: connections that never finish their headers are closed
// after -read-header-timeout, all of them; the server keeps answering.
func TestSlowClients(t *testing.T) {
	base, stop := startRun(t, "-dir", fixture(t), "-read-header-timeout", "300ms", "-idle-timeout", "300ms")
	addr := strings.TrimPrefix(base, "http://")
	var conns []net.Conn
	for range 50 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	// Each must be closed by the server (the net/http response to a
	// timeout, if any, then EOF) well before 10 s, which is still half of
	// the server's ReadTimeout: so it is the header timeout that acts.
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(c); err != nil {
			t.Fatalf("slow client %d: %v (the server did not close the connection)", i, err)
		}
	}
	res, body := do(t, "GET", base+"/style.css")
	if res.StatusCode != 200 || body != "body{}" {
		t.Errorf("after the slow clients: status %d, body %q", res.StatusCode, body)
	}
	// A keep-alive connection left idle after a request is closed after
	// -idle-timeout.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(c)
	idle, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, idle.Body)
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // also half the ReadTimeout
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Errorf("idle keep-alive connection: read %q, %v; want EOF (closed by the server)", rest, err)
	}
	if code := stop(); code != 0 {
		t.Errorf("run returned %d after its context was cancelled, want 0", code)
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
		{[]string{"-idle-timeout", "0s"}, 2, "must be positive"},
		{[]string{"-dir", filepath.Join(t.TempDir(), "none")}, 1, "is not a directory"},
		{[]string{"-dir", t.TempDir(), "-addr", "256.0.0.1:0"}, 1, "serve: listen tcp"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
		}
	}
}

// FuzzPath: whatever the path, the handler answers without panicking,
// with 200, 301 or 404, and a 200 carries a file of the root (never one
// outside it, never a dotfile).
func FuzzPath(f *testing.F) {
	for _, p := range []string{"/", "/index.html", "/leak.txt", "/leakdir/a.js", "/docs/up/outside/secret.txt",
		"/../outside/secret.txt", "/.env", "/dotlink.txt", "/assets/featuremap.js", "/docs", "//x", "/\x00", "/a\\..\\b"} {
		f.Add(p)
	}
	dir := fixture(f)
	root, err := os.OpenRoot(dir)
	if err != nil {
		f.Fatal(err)
	}
	defer root.Close()
	h := handler(root)
	f.Fuzz(func(t *testing.T, p string) {
		req := &http.Request{Method: "GET", URL: &url.URL{Path: p}, RequestURI: p, Header: http.Header{}}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body := w.Body.String()
		switch w.Code {
		case 200:
			if strings.Contains(body, "SECRET") {
				t.Fatalf("%q: served a file outside the root or a dotfile: %q", p, body)
			}
		case 301, 404:
		default:
			if !(len(p) > maxURLBytes && w.Code == 414) {
				t.Fatalf("%q: status %d", p, w.Code)
			}
		}
	})
}
