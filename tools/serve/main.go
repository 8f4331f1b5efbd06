// Command serve serves a directory of static files, normally the built site
// (dist/site), with the headers the site is deployed with: the WebAssembly
// MIME type, design.md's strict Content-Security-Policy, nosniff, a
// Referrer-Policy, and revalidation on every load so that a rebuild is never
// hidden by a cache.
//
//	serve [-dir dist/site] [-addr 127.0.0.1:8080] [-read-header-timeout 10s] [-idle-timeout 2m]
//
// It prints "serving DIR at http://ADDR/" once listening; -addr with port 0
// picks a free port (tests read the line). SIGINT or SIGTERM stops it.
//
// It is a hardened static server:
//   - Only files whose real path lies inside -dir are served: paths are
//     opened through an os.Root, so neither ".." nor a symbolic link (to a
//     file or a directory) can leave it. Files and directories whose name
//     starts with "." are never served, nor is anything but a regular file.
//   - A directory is served as its index.html; without one it is 404 (no
//     listings).
//   - GET and HEAD only: other methods get 405 with "Allow: GET, HEAD".
//   - URLs longer than maxURLBytes get 414 and header sections larger than
//     maxHeaderBytes get 431; requests larger than the server's own limit
//     (http.Server.MaxHeaderBytes) are refused with 431 by net/http before
//     they reach the handler, the one response without the headers below.
//   - Clients must send their headers within -read-header-timeout; idle
//     keep-alive connections are closed after -idle-timeout.
//   - Every response, errors included, carries the security headers
//     (siteheaders.Static: CSP, nosniff, Referrer-Policy, Cache-Control
//     no-cache) and CORS for any origin (Access-Control-Allow-Origin: *),
//     so that pages elsewhere can embed the widget.
//
// Precompressed files: when FILE.br or FILE.gz lies next to FILE (the build
// writes them, see the Makefile's precompress rule), the response is chosen
// by the request's Accept-Encoding (br, gzip or identity, with q-values),
// with "Vary: Accept-Encoding", the chosen file's Content-Length, an ETag per
// encoding (so If-None-Match revalidates each one) and, for an encoded
// response, X-Decoded-Content-Length: the identity file's size, which
// featuremap.js's download progress uses as its total (browsers count
// decoded bytes). Nothing is compressed on the fly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/featuremap/featuremap/internal/siteheaders"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Request limits. maxServerHeaderBytes is net/http's own limit, which it
// enforces (with a bare 431) before the handler runs; the handler's smaller
// limits answer with the site's headers.
const (
	maxURLBytes          = 8 << 10
	maxHeaderBytes       = 32 << 10
	maxServerHeaderBytes = 1 << 20
)

// encodings are the precompressed variants, in order of preference when
// the client accepts several equally: the file suffix and the coding name.
var encodings = []struct{ suffix, coding string }{{".br", "br"}, {".gz", "gzip"}}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx is done (then it shuts down and returns 0) or the
// server fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", "dist/site", "directory to serve")
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	headerTimeout := flags.Duration("read-header-timeout", 10*time.Second, "close connections that take longer to send a request's headers")
	idleTimeout := flags.Duration("idle-timeout", 2*time.Minute, "close keep-alive connections idle for longer")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected arguments %q\n", flags.Args())
		return 2
	}
	if *headerTimeout <= 0 || *idleTimeout <= 0 {
		fmt.Fprintln(stderr, "serve: -read-header-timeout and -idle-timeout must be positive")
		return 2
	}
	if info, err := os.Stat(*dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "serve: -dir %s is not a directory (run `make build` first?)\n", *dir)
		return 1
	}
	root, err := os.OpenRoot(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	defer root.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	srv := &http.Server{
		Handler:           handler(root),
		ReadHeaderTimeout: *headerTimeout,
		ReadTimeout:       *headerTimeout + 20*time.Second, // GET and HEAD have no body to wait for
		IdleTimeout:       *idleTimeout,
		MaxHeaderBytes:    maxServerHeaderBytes,
	}
	// No WriteTimeout: a weight file may take minutes on a slow link.
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(stdout, "serving %s at http://%s/\n", *dir, ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	return 0
}

// handler serves the files under root with the site's headers.
func handler(root *os.Root) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		siteheaders.Set(w.Header(), siteheaders.Static())
		switch {
		case len(r.RequestURI) > maxURLBytes:
			httpError(w, http.StatusRequestURITooLong)
			return
		case headerSize(r.Header) > maxHeaderBytes:
			httpError(w, http.StatusRequestHeaderFieldsTooLarge)
			return
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			httpError(w, http.StatusMethodNotAllowed)
			return
		}
		name, ok := resolve(r.URL.Path)
		if !ok {
			httpError(w, http.StatusNotFound)
			return
		}
		f, info, err := open(root, name)
		if err != nil {
			httpError(w, http.StatusNotFound)
			return
		}
		defer f.Close()
		if info.IsDir() {
			if !strings.HasSuffix(r.URL.Path, "/") {
				// Relative, so that it cannot point to another host.
				w.Header().Set("Location", path.Base(name)+"/")
				httpError(w, http.StatusMovedPermanently)
				return
			}
			name = path.Join(name, "index.html")
			if f, info, err = open(root, name); err != nil || info.IsDir() {
				httpError(w, http.StatusNotFound)
				return
			}
			defer f.Close()
		}
		serveFile(w, r, root, name, f, info)
	})
}

// serveFile sends the regular file f (at name in root) or the
// precompressed variant that the request's Accept-Encoding prefers.
func serveFile(w http.ResponseWriter, r *http.Request, root *os.Root, name string, f *os.File, info fs.FileInfo) {
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	body, size, mod, tag := io.ReadSeeker(f), info.Size(), info.ModTime(), ""
	var variants []string // available codings
	type variant struct {
		f    *os.File
		info fs.FileInfo
	}
	found := map[string]variant{}
	for _, e := range encodings {
		vf, vinfo, err := open(root, name+e.suffix)
		if err != nil {
			continue
		}
		if vinfo.IsDir() {
			vf.Close()
			continue
		}
		defer vf.Close()
		variants = append(variants, e.coding)
		found[e.coding] = variant{vf, vinfo}
	}
	if len(variants) > 0 {
		h.Set("Vary", "Accept-Encoding")
		if coding := negotiate(r.Header.Values("Accept-Encoding"), variants); coding != "identity" {
			v := found[coding]
			h.Set("Content-Encoding", coding)
			h.Set("X-Decoded-Content-Length", strconv.FormatInt(info.Size(), 10))
			body, size, mod, tag = v.f, v.info.Size(), v.info.ModTime(), "-"+coding
		}
	}
	h.Set("Etag", fmt.Sprintf(`"%x-%x%s"`, mod.UnixNano(), size, tag))
	if tag != "" {
		w = &encodedLengthWriter{ResponseWriter: w, size: size}
	}
	http.ServeContent(w, r, name, mod, body)
}

// encodedLengthWriter restores the Content-Length that http.ServeContent
// leaves out when Content-Encoding is set (it assumes on-the-fly
// compression; here the encoded file's size is known): size for a 200, the
// range's length for a single-range 206.
type encodedLengthWriter struct {
	http.ResponseWriter
	size        int64
	wroteHeader bool
}

func (w *encodedLengthWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	h := w.Header()
	if h.Get("Content-Length") == "" && h.Get("Content-Encoding") != "" {
		switch code {
		case http.StatusOK:
			h.Set("Content-Length", strconv.FormatInt(w.size, 10))
		case http.StatusPartialContent:
			var first, last, total int64
			if _, err := fmt.Sscanf(h.Get("Content-Range"), "bytes %d-%d/%d", &first, &last, &total); err == nil {
				h.Set("Content-Length", strconv.FormatInt(last-first+1, 10))
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *encodedLengthWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// contentType is the Content-Type of a file called name: the site's own
// table (siteheaders.ContentTypes), then Go's built-in one
// (mime.TypeByExtension), then application/octet-stream: never sniffing.
func contentType(name string) string {
	ext := path.Ext(name)
	if t, ok := siteheaders.ContentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// resolve maps a URL path to a slash-separated name relative to the root
// ("." for the root itself), or reports false for a path that names a
// dotfile or holds a NUL or backslash. The containment itself is os.Root's.
func resolve(urlPath string) (string, bool) {
	if strings.ContainsAny(urlPath, "\x00\\") {
		return "", false
	}
	clean := path.Clean("/" + urlPath)
	for seg := range strings.SplitSeq(clean, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	if clean == "/" {
		return ".", true
	}
	return clean[1:], true
}

// open opens name in root when it is a regular file or a directory and no
// part of its real path (symbolic links resolved) is a dotfile. os.Root
// refuses any path, symbolic links included, that leaves the root.
// It checks the type before opening: opening a named pipe would block.
func open(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	pre, err := root.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !pre.Mode().IsRegular() && !pre.IsDir() {
		return nil, nil, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err == nil && !os.SameFile(pre, info) {
		err = fmt.Errorf("%s changed while being opened", name)
	}
	if err == nil {
		err = realPathVisible(root, name)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// realPathVisible reports an error when a symbolic link on the way to name
// leads to a dotfile or dot-directory inside the root.
func realPathVisible(root *os.Root, name string) error {
	real, err := filepath.EvalSymlinks(filepath.Join(root.Name(), filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	base, err := filepath.EvalSymlinks(root.Name())
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(base, real)
	if err != nil {
		return err
	}
	for seg := range strings.SplitSeq(filepath.ToSlash(rel), "/") {
		if seg != "." && strings.HasPrefix(seg, ".") {
			return fmt.Errorf("%s leads to a hidden file", name)
		}
	}
	return nil
}

// negotiate picks the content coding for an Accept-Encoding header (RFC
// 9110 §12.5.3) among the available codings and identity: the highest
// q-value wins, ties go to the earlier of available (then identity); "*"
// stands for every coding not listed; identity is acceptable unless
// excluded. With no acceptable choice, it returns identity anyway (the
// server may ignore the header rather than answer 406).
func negotiate(accept []string, available []string) string {
	q := map[string]float64{}
	star := -1.0
	for _, line := range accept {
		for part := range strings.SplitSeq(line, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding == "" {
				continue
			}
			if coding == "x-gzip" {
				coding = "gzip"
			}
			weight := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, v, _ := strings.Cut(p, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					if err != nil || !(f >= 0 && f <= 1) {
						f = 0 // a malformed weight does not make a coding acceptable
					}
					weight = f
				}
			}
			if coding == "*" {
				star = weight
			} else {
				q[coding] = weight
			}
		}
	}
	weight := func(coding string) float64 {
		if w, ok := q[coding]; ok {
			return w
		}
		if star >= 0 {
			return star
		}
		if coding == "identity" {
			return 0.001 // acceptable, but below anything asked for
		}
		return 0
	}
	best, bestQ := "identity", weight("identity")
	for _, c := range available {
		if w := weight(c); w > 0 && w > bestQ || w > 0 && w == bestQ && best == "identity" {
			best, bestQ = c, w
		}
	}
	return best
}

// headerSize is the size of a header section as sent: "Name: value\r\n"
// per field.
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// httpError writes a plain-text error response with the status's text,
// keeping the security headers already set.
func httpError(w http.ResponseWriter, code int) {
	http.Error(w, strconv.Itoa(code)+" "+http.StatusText(code), code)
}
