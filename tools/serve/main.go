// Command serve serves a directory of static files, normally the built site
// (dist/site), with the headers the site is deployed with: the WebAssembly
// MIME type, design.md's strict Content-Security-Policy, and revalidation on
// every load so that a rebuild is never hidden by a cache. Text and
// WebAssembly are sent gzip-compressed to clients that accept it; weight
// files are not (int8 weights barely compress, and their Content-Length
// drives the download progress bar).
//
//	serve [-dir dist/site] [-addr 127.0.0.1:8080]
//
// It prints "serving DIR at http://ADDR/" once listening; -addr with port 0
// picks a free port (tests read the line).
package main

import (
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
)

// CSP allows only same-origin scripts and styles, plus compiling
// WebAssembly: no eval, no inline scripts, no blob: workers.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'"

// contentTypes are set explicitly rather than taken from the system's MIME
// tables, which vary: instantiateStreaming needs application/wasm, and
// module scripts need a JavaScript type.
var contentTypes = map[string]string{
	".wasm":        "application/wasm",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".ts":          "text/plain; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".json":        "application/json",
	".safetensors": "application/octet-stream",
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", "dist/site", "directory to serve")
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected arguments %q\n", flags.Args())
		return 2
	}
	if info, err := os.Stat(*dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "serve: -dir %s is not a directory (run `make build` first?)\n", *dir)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "serving %s at http://%s/\n", *dir, ln.Addr())
	if err := http.Serve(ln, handler(*dir)); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	return 0
}

// compressible are the extensions sent gzip-compressed ("" is a directory's
// index.html).
var compressible = map[string]bool{
	"": true, ".wasm": true, ".js": true, ".mjs": true, ".ts": true, ".css": true,
	".html": true, ".json": true, ".svg": true,
}

// handler serves the files under dir with the site's headers.
func handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache") // revalidate with Last-Modified
		ext := path.Ext(r.URL.Path)
		if t, ok := contentTypes[ext]; ok {
			h.Set("Content-Type", t)
		}
		if compressible[ext] {
			h.Add("Vary", "Accept-Encoding")
			if r.Header.Get("Range") == "" && acceptsGzip(r.Header.Get("Accept-Encoding")) {
				gw := &gzipWriter{ResponseWriter: w}
				defer gw.close()
				w = gw
			}
		}
		files.ServeHTTP(w, r)
	})
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip with a
// non-zero quality.
func acceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// gzipWriter compresses a 200 response's body; other statuses (304, 404,
// redirects) pass through unchanged.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	if code == http.StatusOK {
		h := g.Header()
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		g.gz = gzip.NewWriter(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	g.WriteHeader(http.StatusOK)
	if g.gz == nil {
		return g.ResponseWriter.Write(b)
	}
	return g.gz.Write(b)
}

// close flushes the compressed stream, if one was started.
func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
	}
}
