// Command serve serves a directory of static files, normally the built site
// (dist/site), with the headers the site is deployed with: the WebAssembly
// MIME type, design.md's strict Content-Security-Policy, and revalidation on
// every load so that a rebuild is never hidden by a cache.
//
//	serve [-dir dist/site] [-addr 127.0.0.1:8080]
//
// It prints "serving DIR at http://ADDR/" once listening; -addr with port 0
// picks a free port (tests read the line).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
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

// handler serves the files under dir with the site's headers.
func handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache") // revalidate with Last-Modified
		if t, ok := contentTypes[path.Ext(r.URL.Path)]; ok {
			h.Set("Content-Type", t)
		}
		files.ServeHTTP(w, r)
	})
}
