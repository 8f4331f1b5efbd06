//go:build js && wasm

// Command edge is featuremap's Cloudflare Worker: the Go half, built with
// github.com/syumai/workers' runtime (its wasm_exec.js, which hands the
// Worker's env to Go as globalThis.context, and its workers.Ready
// handshake), started by the glue in wasm/edge/js/worker.mjs.
//
// Unlike workers.Serve, which ends the program after the first response
// (so upstream's glue starts a new Go instance for every request),
// this program stays up: one instance serves every request of an isolate,
// and keeps the decoded models. The glue does all I/O (reading request
// bodies, fetching weight files, sending responses) in each request's own
// context and calls into Go synchronously, so Go never touches another
// request's streams or promises and creates no js.Func per request. It
// exports, on context.binding:
//
//	serve({method, url, headers: [[name, value], ...], body?: Uint8Array})
//	    → {status, headers: [[name, value], ...], body: Uint8Array}
//	needs(url) → [names of the models the request needs whose weight files are still to be provided]
//	provide(name, bytes: Uint8Array)   refuse(name, reason)
//	config: {apiPrefix, maxBody, maxFileBytes, staticHeaders, contentTypes, modelPath}
//
// A panic in serve is recovered: that request gets a 500 with a JSON
// error and the instance goes on. A fatal error (a panic in another
// goroutine, running out of memory) ends the program; the glue then
// answers 500 and starts a new instance for later requests.
package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"syscall/js"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"github.com/featuremap/featuremap/internal/siteheaders"
	"github.com/featuremap/featuremap/wasm/edge/internal/api"
)

// memoryLimit is Go's soft heap limit: below a Cloudflare isolate's 128 MB,
// which also holds the JavaScript heap and the compiled module.
const memoryLimit = 100 << 20

func main() {
	debug.SetMemoryLimit(memoryLimit)
	binding := js.Global().Get("context").Get("binding")
	cfg, err := api.ConfigFromEnv(cloudflare.Getenv)
	if err != nil {
		binding.Set("error", err.Error())
		workers.Ready()
		select {}
	}
	srv := api.New(cfg)
	binding.Set("debug", cfg.Debug)
	binding.Set("serve", js.FuncOf(func(_ js.Value, args []js.Value) any {
		return serve(srv, args[0])
	}))
	binding.Set("needs", js.FuncOf(func(_ js.Value, args []js.Value) any {
		u, err := url.Parse(args[0].String())
		if err != nil {
			return []any{}
		}
		names := srv.Needs(u)
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = n
		}
		return out
	}))
	binding.Set("provide", js.FuncOf(func(_ js.Value, args []js.Value) any {
		name := args[0].String()
		defer func() {
			if p := recover(); p != nil {
				srv.Refuse(name, fmt.Sprintf("internal error while decoding its weight file (please report it): %v", p))
			}
		}()
		srv.Provide(name, bytesFromJS(args[1]))
		return nil
	}))
	binding.Set("refuse", js.FuncOf(func(_ js.Value, args []js.Value) any {
		srv.Refuse(args[0].String(), args[1].String())
		return nil
	}))
	binding.Set("config", map[string]any{
		"apiPrefix":     api.Prefix,
		"maxBody":       api.MaxBody,
		"maxFileBytes":  srv.MaxFileBytes(),
		"staticHeaders": stringMap(siteheaders.Static()),
		"contentTypes":  stringMap(siteheaders.ContentTypes),
		"modelPath":     api.ModelPath("NAME"),
	})
	workers.Ready()
	select {}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// bytesFromJS copies a Uint8Array into Go.
func bytesFromJS(v js.Value) []byte {
	if v.IsUndefined() || v.IsNull() {
		return nil
	}
	b := make([]byte, v.Get("byteLength").Int())
	if n := js.CopyBytesToGo(b, v); n != len(b) {
		panic(fmt.Sprintf("edge: copied %d of %d bytes from a Uint8Array", n, len(b)))
	}
	return b
}

// recorder is the http.ResponseWriter of one synchronous serve call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// serve runs the API handler on one request object and returns the
// response object; a panic becomes a 500 with a JSON error.
func serve(h http.Handler, req js.Value) (result any) {
	rec := &recorder{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			rec = &recorder{header: http.Header{}}
			siteheaders.Set(rec.header, siteheaders.Common())
			rec.header.Set("Content-Type", "application/json; charset=utf-8")
			rec.status = http.StatusInternalServerError
			fmt.Fprintf(&rec.body, "{\"error\":%q}\n", fmt.Sprintf("internal error (please report it): %v", p))
			result = response(rec)
		}
	}()
	u, err := url.Parse(req.Get("url").String())
	if err != nil {
		panic(fmt.Sprintf("edge: the request URL does not parse: %v", err))
	}
	body := bytesFromJS(req.Get("body"))
	r := &http.Request{
		Method:     req.Get("method").String(),
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{},
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          u.Host,
		RequestURI:    u.RequestURI(),
	}
	if body != nil {
		r.Body = readCloser{bytes.NewReader(body)}
	}
	headers := req.Get("headers")
	for i := range headers.Length() {
		kv := headers.Index(i)
		r.Header.Add(kv.Index(0).String(), kv.Index(1).String())
	}
	// The glue does not read a body whose declared length is over the
	// limit, and cuts a chunked one just over it: the declared length, or
	// unknown (-1), is what the handler must see.
	if cl := r.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n > r.ContentLength {
			r.ContentLength = n
		}
	} else if body != nil {
		r.ContentLength = -1
	}
	h.ServeHTTP(rec, r)
	return response(rec)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// response converts a recorded response to the glue's response object.
func response(rec *recorder) any {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	headers := make([]any, 0, len(rec.header))
	for k, vs := range rec.header {
		for _, v := range vs {
			headers = append(headers, []any{k, v})
		}
	}
	body := js.Global().Get("Uint8Array").New(rec.body.Len())
	js.CopyBytesToJS(body, rec.body.Bytes())
	return map[string]any{"status": rec.status, "headers": headers, "body": body}
}
