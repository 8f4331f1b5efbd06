package siteheaders

import (
	"net/http"
	"testing"
)

func TestHeaders(t *testing.T) {
	h := http.Header{}
	Set(h, Static())
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-cache",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := Common()["Cache-Control"]; ok {
		t.Error("Common sets Cache-Control")
	}
	for path, want := range map[string]string{
		"/":                           "text/html; charset=utf-8",
		"/featuremap/featuremap.wasm": "application/wasm",
		"/a/b.js":                     "text/javascript; charset=utf-8",
		"/models/x.safetensors":       "application/octet-stream",
		"/README":                     "",
	} {
		if got := ContentType(path); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", path, got, want)
		}
	}
}
