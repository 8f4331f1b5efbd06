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
	if ContentTypes[".wasm"] != "application/wasm" || ContentTypes[".js"] != "text/javascript; charset=utf-8" {
		t.Errorf("ContentTypes = %v", ContentTypes)
	}
}
