// Package api is the edge Worker's HTTP API (wasm/edge), as an
// http.Handler that knows nothing of JavaScript, so that every route and
// error is tested natively:
//
//	GET  /api/v1/models                        the models, their summaries and input shapes
//	POST /api/v1/predict?model=NAME[&top=K][&activations=LAYER]
//	     body: image/png, image/jpeg (preprocessed as the model's file says,
//	     like the page does) or application/json {"shape": [...], "data": [...]}
//	     → 200 {"model", "top": [{"index", "label", "p"}], "ms"[, "activation"]}
//
// Bad input never yields a 5xx: every error is a JSON {"error": "..."} that
// says what was wrong, with 400 (undecodable or oversized image, wrong
// shape, non-finite numbers, bad query), 404 (unknown route or model), 405
// (with Allow), 413 (body over MaxBody), 415 (content type) or 422 (a model
// this Worker cannot hold in its memory budget).
//
// The Worker's glue does all I/O (request bodies, weight files) and calls
// into Go synchronously, so a Server is used by one goroutine at a time;
// its mutex makes it safe anyway.
package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/featuremap/featuremap/internal/siteheaders"
)

// Prefix is the path prefix of every API route; the glue sends requests
// under it to Go and serves everything else from the site's files.
const Prefix = "/api/"

// MaxBody is the largest request body accepted, in bytes (2 MiB).
const MaxBody = 2 << 20

// MaxPixels bounds the declared width × height of an uploaded image,
// checked with DecodeConfig before decoding: 4 Mpx decode to 16 MiB of
// NRGBA, an eighth of an isolate's 128 MB.
const MaxPixels = 1 << 22

// Config configures a Server.
type Config struct {
	// Models are the model names served, in listing order; the weight file
	// of NAME is at ModelPath(NAME) among the site's files.
	Models []string
	// Budget is the memory, in bytes, that the models may take together
	// (weights, prepared weights, activations; see Price). Models are
	// priced as they are first needed: one that does not fit what the
	// models loaded before it left is refused.
	Budget int64
	// CORSOrigins are the origins allowed to call the API from a browser
	// ("*" for any); empty turns CORS off: no Access-Control-* headers.
	CORSOrigins []string
	// Debug enables POST /api/v1/debug/panic, for the glue's crash tests.
	Debug bool
}

// DefaultModels and DefaultBudget are the Worker's defaults: the small
// models, within half of an isolate's 128 MB.
var DefaultModels = []string{"seednet", "alexmnist"}

// DefaultBudget is Config.Budget when the environment does not set it.
const DefaultBudget = 64 << 20

// ConfigFromEnv reads a Config from the Worker's environment variables:
// MODELS (comma-separated names), MODEL_BUDGET_MIB, CORS_ORIGINS
// (comma-separated origins or "*") and EDGE_DEBUG ("1").
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Models: DefaultModels, Budget: DefaultBudget}
	if v := getenv("MODELS"); v != "" {
		c.Models = splitList(v)
		for _, m := range c.Models {
			if !validName(m) {
				return c, fmt.Errorf("api: MODELS: %q is not a model name (letters, digits, '-' and '_')", m)
			}
		}
	}
	if v := getenv("MODEL_BUDGET_MIB"); v != "" {
		mib, err := strconv.Atoi(v)
		if err != nil || mib < 1 || mib > 1<<12 {
			return c, fmt.Errorf("api: MODEL_BUDGET_MIB = %q, want an integer in [1, 4096]", v)
		}
		c.Budget = int64(mib) << 20
	}
	c.CORSOrigins = splitList(getenv("CORS_ORIGINS"))
	c.Debug = getenv("EDGE_DEBUG") == "1"
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Server serves the API.
type Server struct {
	mu     sync.Mutex
	cfg    Config
	models *Models
}

// New returns a Server for cfg, with no model loaded yet: the glue fetches
// the weight files that Needs lists and hands them to Provide.
func New(cfg Config) *Server {
	return &Server{cfg: cfg, models: newModels(cfg.Models, cfg.Budget)}
}

// Needs lists the models whose weight files a request for u needs and
// that have not been provided yet: every model for /api/v1/models, the one
// named by ?model= for /api/v1/predict, none otherwise. The glue fetches
// them before it calls ServeHTTP, so a first prediction with seednet does
// not wait for alexmnist.
func (s *Server) Needs(u *url.URL) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch u.Path {
	case "/api/v1/models":
		return s.models.missing(s.models.order)
	case "/api/v1/predict":
		if name := u.Query().Get("model"); s.models.byName[name] != nil {
			return s.models.missing([]string{name})
		}
	}
	return nil
}

// Provide hands the weight file of model name to the Server, which prices
// it against the budget and, when it fits, decodes it. A model that does
// not fit, or whose file is damaged, is kept with its error: requests for
// it get that error. Providing a model twice keeps the first.
func (s *Server) Provide(name string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models.provide(name, data)
}

// Refuse records that model name cannot be served, without its file (for
// example a file larger than MaxFileBytes, which the glue does not read).
func (s *Server) Refuse(name string, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models.refuse(name, reason)
}

// MaxFileBytes is the largest weight file the budget could hold, known from
// its length alone: a file of F bytes costs about 3F (Price), the file
// itself and each runner's packed weights, which take at least as many
// bytes as the weights in the file (int8 ones 1 per weight, float32 ones
// 4). The glue refuses longer files without reading them.
func (s *Server) MaxFileBytes() int64 { return s.cfg.Budget / 3 }

// ModelPath is the site path of model name's weight file.
func ModelPath(name string) string { return "/models/" + name + ".safetensors" }

// ServeHTTP routes API requests. r.Body must be the whole body, already
// read: ServeHTTP reads it without blocking.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := w.Header()
	siteheaders.Set(h, siteheaders.Common())
	h.Set("Cache-Control", "no-store")
	allowed, cors := s.cors(r)
	if cors {
		h.Set("Access-Control-Allow-Origin", allowed)
	}
	if len(s.cfg.CORSOrigins) > 0 {
		h.Add("Vary", "Origin")
	}
	var methods []string
	var serve func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case "/api/v1/models":
		methods, serve = []string{http.MethodGet, http.MethodHead}, s.serveModels
	case "/api/v1/predict":
		methods, serve = []string{http.MethodPost}, s.servePredict
	case "/api/v1/debug/panic":
		if s.cfg.Debug {
			methods, serve = []string{http.MethodPost}, s.servePanic
		}
	}
	if serve == nil {
		writeError(w, http.StatusNotFound, "no API route %s %s; routes: GET /api/v1/models, POST /api/v1/predict?model=NAME", r.Method, r.URL.Path)
		return
	}
	if r.Method == http.MethodOptions && cors {
		h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !slices.Contains(methods, r.Method) {
		if len(s.cfg.CORSOrigins) > 0 {
			methods = append(methods, http.MethodOptions)
		}
		h.Set("Allow", strings.Join(methods, ", "))
		writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed, use %s", r.Method, r.URL.Path, strings.Join(methods, " or "))
		return
	}
	serve(w, r)
}

// cors returns the Access-Control-Allow-Origin value for r's Origin, and
// whether there is one.
func (s *Server) cors(r *http.Request) (string, bool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return "", false
	}
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			return "*", true
		}
		if o == origin {
			return origin, true
		}
	}
	return "", false
}

// servePanic panics, so that tests see what the bridge and the glue do with
// a Go panic (enabled by Config.Debug only): ?mode=handler panics in the
// handler, which the bridge recovers; ?mode=fatal panics in a new
// goroutine, which ends the Go program, so the glue must replace the
// instance.
func (s *Server) servePanic(w http.ResponseWriter, r *http.Request) {
	switch mode := r.URL.Query().Get("mode"); mode {
	case "handler":
		panic("api: panic requested by POST /api/v1/debug/panic?mode=handler")
	case "fatal":
		never := make(chan struct{})
		go func() { panic("api: panic requested by POST /api/v1/debug/panic?mode=fatal") }()
		<-never
	default:
		writeError(w, http.StatusBadRequest, "mode = %q, want handler or fatal", mode)
	}
}

// serveModels is GET /api/v1/models: {"models": [Listing...]}.
func (s *Server) serveModels(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		writeError(w, http.StatusBadRequest, "GET /api/v1/models takes no query parameters, got %q", r.URL.RawQuery)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": s.models.listing()})
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, errorBody{fmt.Sprintf(format, args...)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types are marshalled: a bug
		panic(fmt.Sprintf("api: encoding the response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
