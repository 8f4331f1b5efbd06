package siteheaders

import (
	"net/http"
	"testing"
)

func TestHeaders(t *testing.T) {
	h := http.Header{}
	Set(h, Static())
	for k, want := range map[string]string{
		"Content-Security-Policy":      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "no-referrer",
		"Cache-Control":                "no-cache",
		"Access-Control-Allow-Origin":  "*",
		"Cross-Origin-Resource-Policy": "cross-origin",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"Cache-Control", "Access-Control-Allow-Origin"} {
		if _, ok := Common()[k]; ok {
			t.Errorf("Common sets %s (only static files need it)", k)
		}
	}
	if ContentTypes[".wasm"] != "application/wasm" || ContentTypes[".js"] != "text/javascript; charset=utf-8" {
		t.Errorf("ContentTypes = %v", ContentTypes)
	}
}
