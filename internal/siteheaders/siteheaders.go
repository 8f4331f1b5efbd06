// Package siteheaders is the one definition of the HTTP headers the site is
// served with, wherever it is served from: the local server (tools/serve)
// and the edge Worker (wasm/edge): one definition for both. They follow design.md: a strict
// Content-Security-Policy that allows only same-origin scripts and styles
// plus compiling WebAssembly (no eval, no inline scripts, no blob: workers),
// no MIME sniffing, no Referer sent anywhere, and revalidation on every load
// so that a rebuild is never hidden by a cache. Static files may be used from
// any origin (CORS), so that other sites can embed the <featuremap-demo>
// widget (embed.js and every file it loads).
package siteheaders

import "net/http"

// CSP is the site's Content-Security-Policy.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'"

// ReferrerPolicy keeps page URLs (which may carry a drawn digit's state in
// the future) from leaking to other origins.
const ReferrerPolicy = "no-referrer"

// Common returns the headers every response carries, static file or API:
// Content-Security-Policy, X-Content-Type-Options and Referrer-Policy.
func Common() map[string]string {
	return map[string]string{
		"Content-Security-Policy": CSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         ReferrerPolicy,
	}
}

// Static returns Common plus the headers of a static file: Cache-Control
// no-cache (revalidate with Last-Modified or ETag; V8 keeps a streamed
// WebAssembly module's compiled code with the cached response, so a 304
// reuses it), and CORS for any origin without credentials
// (Access-Control-Allow-Origin: *, Cross-Origin-Resource-Policy:
// cross-origin), which a page elsewhere needs to load the widget's module
// scripts, stylesheet, WebAssembly and weights. The files are public and no
// request carries credentials, so nothing is exposed that a plain link
// would not show.
func Static() map[string]string {
	h := Common()
	h["Cache-Control"] = "no-cache"
	h["Access-Control-Allow-Origin"] = "*"
	h["Cross-Origin-Resource-Policy"] = "cross-origin"
	return h
}

// Set sets the headers of m on h.
func Set(h http.Header, m map[string]string) {
	for k, v := range m {
		h.Set(k, v)
	}
}

// ContentTypes are set explicitly rather than taken from the system's MIME
// tables, which vary: instantiateStreaming needs application/wasm, and
// module scripts need a JavaScript type.
var ContentTypes = map[string]string{
	".wasm":        "application/wasm",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".ts":          "text/plain; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".json":        "application/json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".safetensors": "application/octet-stream",
}
