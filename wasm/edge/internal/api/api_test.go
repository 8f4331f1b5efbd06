package api

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/internal/siteheaders"
	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/preprocess/imageinput"
)

// testServer serves the shipped models (site/models) and, for the budget
// tests, "wide": a few parameters on a 1024×1024×3 input, whose activations
// are far over the budget.
func testServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Models == nil {
		cfg.Models = []string{"seednet", "alexmnist", "wide"}
	}
	if cfg.Budget == 0 {
		cfg.Budget = DefaultBudget
	}
	s := New(cfg)
	for _, name := range []string{"seednet", "alexmnist"} {
		data, err := os.ReadFile("../../../../site/models/" + name + ".safetensors")
		if err != nil {
			t.Fatal(err)
		}
		s.Provide(name, data)
	}
	s.Provide("wide", wideModel(t))
	return s
}

func wideModel(t testing.TB) []byte {
	t.Helper()
	net, err := model.New(model.Arch{
		Name:  "wide",
		Input: [3]int{1024, 1024, 3},
		Layers: []model.Layer{
			{Name: "conv", Op: &layers.Conv2D{Filters: 16, Window: layers.Window{Kernel: [2]int{3, 3}, Padding: layers.PadSame}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := net.Encode(&b, model.EncodeOptions{Int8: true}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func do(s *Server, method, target, contentType string, body []byte) result {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return result{w.Code, w.Header(), w.Body.Bytes()}
}

func (r result) errorText(t *testing.T) string {
	t.Helper()
	var e struct{ Error string }
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("status %d: body %q is not a JSON error: %v", r.status, r.body, err)
	}
	return e.Error
}

func tensorJSON(shape []int, data []float32) []byte {
	b, _ := json.Marshal(map[string]any{"shape": shape, "data": data})
	return b
}

// indented is tensorJSON with newlines and indentation.
func indented(t testing.TB, shape []int, data []float32) []byte {
	var b bytes.Buffer
	if err := json.Indent(&b, tensorJSON(shape, data), "", "\t "); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// digit draws a dark stroke on a light background.
func digit(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{250, 250, 250, 255}
			if x > w*2/5 && x < w*3/5 && y > h/5 && y < h*4/5 {
				c = color.NRGBA{10, 10, 10, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// reference runs net directly: the image or tensor through model's own
// preprocessing and runner.
func reference(t *testing.T, name string, img image.Image, x []float32) []float32 {
	t.Helper()
	data, err := os.ReadFile("../../../../site/models/" + name + ".safetensors")
	if err != nil {
		t.Fatal(err)
	}
	net, err := model.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.NewRunner(net, model.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img != nil {
		x = make([]float32, r.InputLen())
		if err := imageinput.Input(x, img, net.Arch.InputSpec()); err != nil {
			t.Fatal(err)
		}
	}
	out, err := r.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out...)
}

func TestPredict(t *testing.T) {
	s := testServer(t, Config{})
	img := digit(60, 80)
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(i%28) / 28
	}
	for _, tc := range []struct {
		name, target, ct string
		body             []byte
		img              image.Image
		x                []float32
		top              int
	}{
		{"png", "/api/v1/predict?model=alexmnist", "image/png", encodePNG(t, img), img, nil, 5},
		{"json", "/api/v1/predict?model=seednet&top=3", "application/json; charset=utf-8", tensorJSON([]int{28, 28, 1}, x), nil, x, 3},
		{"json batched", "/api/v1/predict?model=alexmnist&top=20", "application/json", tensorJSON([]int{1, 28, 28, 1}, x), nil, x, 10},
		{"json indented", "/api/v1/predict?model=seednet", "application/json", indented(t, []int{28, 28, 1}, x), nil, x, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(s, "POST", tc.target, tc.ct, tc.body)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var p Prediction
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(strings.SplitN(tc.target, "&", 2)[0], "/api/v1/predict?model=")
			want := reference(t, name, tc.img, tc.x)
			if p.Model != name || len(p.Top) != tc.top {
				t.Fatalf("model %q with %d classes, want %q with %d", p.Model, len(p.Top), name, tc.top)
			}
			for i, c := range p.Top {
				if c.P != want[c.Index] || c.Label != fmt.Sprint(c.Index) {
					t.Errorf("top[%d] = %+v, want p %v", i, c, want[c.Index])
				}
				if i > 0 && c.P > p.Top[i-1].P {
					t.Errorf("top is not sorted: %+v", p.Top)
				}
			}
			if got := r.header.Get("Content-Security-Policy"); got != siteheaders.CSP {
				t.Errorf("CSP %q", got)
			}
		})
	}
}

func TestActivations(t *testing.T) {
	s := testServer(t, Config{})
	x := make([]float32, 784)
	x[400] = 1
	r := do(s, "POST", "/api/v1/predict?model=seednet&activations=pool1", "application/json", tensorJSON([]int{28, 28, 1}, x))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var p Prediction
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	a := p.Activation
	if a == nil || a.Name != "pool1" || a.Type != "maxpool" || fmt.Sprint(a.Shape) != "[1 14 14 64]" || len(a.Data) != 14*14*64 {
		t.Fatalf("activation %+v", a)
	}
	// The same layer computed from the model directly.
	data, _ := os.ReadFile("../../../../site/models/seednet.safetensors")
	net, _ := model.Load(data)
	run, _ := model.NewRunner(net, model.RunnerOptions{KeepActivations: true})
	run.Run(x)
	for _, want := range run.Activations() {
		if want.Name == "pool1" {
			for i := range want.Data {
				if a.Data[i] != want.Data[i] {
					t.Fatalf("data[%d] = %v, want %v", i, a.Data[i], want.Data[i])
				}
			}
		}
	}
}

// bomb is a PNG whose header declares w×h pixels (its CRC fixed up) and
// whose data is a 1×1 image's.
func bomb(t testing.TB, w, h uint32) []byte {
	b := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	ihdr := b[8+8 : 8+8+13] // after the signature, length and "IHDR"
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	binary.BigEndian.PutUint32(b[8+8+13:], crc32.ChecksumIEEE(b[8+4:8+8+13]))
	return b
}

func TestErrors(t *testing.T) {
	s := testServer(t, Config{})
	x := tensorJSON([]int{28, 28, 1}, make([]float32, 784))
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, digit(30, 30), nil)
	huge := bytes.Repeat([]byte{0}, MaxBody+1)
	for _, tc := range []struct {
		method, target, ct string
		body               []byte
		status             int
		want               string
	}{
		{"GET", "/api/v1/predict?model=seednet", "", nil, 405, "use POST"},
		{"DELETE", "/api/v1/models", "", nil, 405, "use GET or HEAD"},
		{"GET", "/api/v2/models", "", nil, 404, "no API route GET /api/v2/models"},
		{"POST", "/api/v1/debug/panic?mode=handler", "", nil, 404, "no API route"},
		{"GET", "/api/v1/models?x=1", "", nil, 400, "takes no query parameters"},
		{"POST", "/api/v1/predict?model=lenet", "application/json", x, 404, `no model "lenet"; models: seednet, alexmnist, wide`},
		{"POST", "/api/v1/predict", "application/json", x, 400, "the model query parameter is required"},
		{"POST", "/api/v1/predict?model=seednet&topk=3", "application/json", x, 400, `unknown query parameter "topk"`},
		{"POST", "/api/v1/predict?model=seednet&model=alexmnist", "application/json", x, 400, `"model" given 2 times`},
		{"POST", "/api/v1/predict?model=seednet&top=0", "application/json", x, 400, `top = "0", want a positive integer`},
		{"POST", "/api/v1/predict?model=seednet&top=x", "application/json", x, 400, `top = "x"`},
		{"POST", "/api/v1/predict?model=seednet&activations=conv9", "application/json", x, 400, `no layer "conv9"; layers: conv1, pool1, flatten, fc, softmax`},
		{"POST", "/api/v1/predict?model=seednet", "image/png", huge, 413, "more than the limit of 2097152"},
		{"POST", "/api/v1/predict?model=seednet", "text/plain", x, 415, `Content-Type "text/plain" is not supported`},
		{"POST", "/api/v1/predict?model=seednet", "", x, 415, `Content-Type "" is not supported`},
		{"POST", "/api/v1/predict?model=seednet", "image/png", []byte("not a png"), 400, "the body is not a PNG image: png: invalid format"},
		{"POST", "/api/v1/predict?model=seednet", "image/png", jpg.Bytes(), 400, "the body is not a PNG image"},
		{"POST", "/api/v1/predict?model=seednet", "image/jpeg", []byte{0xff, 0xd8, 0xff}, 400, "the body is not a JPEG image"},
		{"POST", "/api/v1/predict?model=seednet", "image/png", bomb(t, 100000, 100000), 400, "declares 100000×100000 pixels; at most 4194304"},
		{"POST", "/api/v1/predict?model=seednet", "image/png", bomb(t, 4096, 1025), 400, "declares 4096×1025 pixels"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", []byte(`{"shape":[28,28,1],"data":[1,2`), 400, "not a JSON tensor"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", []byte(`{"shape":[28,28,1],"data":[],"dtype":"f32"}`), 400, `unknown field "dtype"`},
		{"POST", "/api/v1/predict?model=seednet", "application/json", []byte(`{"shape":[28,28,1],"data":[]} {}`), 400, "data after the JSON tensor"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", tensorJSON([]int{28, 28, 3}, nil), 400, "shape [28 28 3] does not match the model's input: want [28 28 1] or [1 28 28 1]"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", tensorJSON([]int{28, 28, 1}, make([]float32, 783)), 400, "data has 783 values, want 784"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", bytes.Replace(x, []byte("[0,"), []byte("[1e39,"), 1), 400, "data[0] = 1e+39 is not a finite float32"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", bytes.Replace(x, []byte("[0,"), []byte("[1e999,"), 1), 400, "not a JSON tensor"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", bytes.Replace(x, []byte("[0,"), []byte("[NaN,"), 1), 400, "not a JSON tensor"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", bytes.Replace(x, []byte(",0,"), []byte(`,"1",`), 1), 400, "not a JSON tensor"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", []byte(`{"shape":[28,28,1],"data":{"0":1}}`), 400, "not a JSON tensor"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", []byte(`{"shape":[28,28,1],"data":[ ]}`), 400, "data has 0 values, want 784"},
		{"POST", "/api/v1/predict?model=seednet", "application/json", bytes.Replace(x, []byte(",0]"), []byte(",null]"), 1), 400, "data[783] is null"},
		{"POST", "/api/v1/predict?model=wide", "application/json", x, 422, `model "wide" needs about`},
	} {
		r := do(s, tc.method, tc.target, tc.ct, tc.body)
		if r.status != tc.status {
			t.Errorf("%s %s (%s): status %d, want %d: %s", tc.method, tc.target, tc.ct, r.status, tc.status, r.body)
			continue
		}
		if msg := r.errorText(t); !strings.Contains(msg, tc.want) {
			t.Errorf("%s %s (%s): error %q, want it to contain %q", tc.method, tc.target, tc.ct, msg, tc.want)
		}
		if tc.status == 405 && r.header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tc.method, tc.target)
		}
	}
	// A declared Content-Length over the limit is refused before reading.
	req := httptest.NewRequest("POST", "/api/v1/predict?model=seednet", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = MaxBody + 1
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Errorf("Content-Length %d: status %d, want 413", req.ContentLength, w.Code)
	}
}

func TestModels(t *testing.T) {
	s := testServer(t, Config{})
	r := do(s, "GET", "/api/v1/models", "", nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got struct{ Models []Listing }
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Models) != 3 {
		t.Fatalf("%d models", len(got.Models))
	}
	for i, want := range []struct {
		name     string
		params   int
		servable bool
	}{{"seednet", 126090, true}, {"alexmnist", 1106794, true}, {"wide", 448, false}} {
		m := got.Models[i]
		if m.Name != want.name || m.Servable != want.servable || m.Summary == nil || m.Summary.TotalParams != want.params || len(m.InputShape) != 3 {
			t.Errorf("models[%d] = %+v, want %+v", i, m, want)
		}
		if !m.Servable && !strings.Contains(m.Error, "more than the") {
			t.Errorf("%s: error %q", m.Name, m.Error)
		}
	}
	// Two runners, each holding the 1024×1024×3 input and the 1024×1024×16
	// output as float32: 2 · 4 · 1024² · 19 bytes = 152 MiB.
	if got.Models[2].MemoryMiB < 152 {
		t.Errorf("wide priced at %v MiB, want its 1024×1024×16 activations counted (152 MiB)", got.Models[2].MemoryMiB)
	}
	if r := do(s, "HEAD", "/api/v1/models", "", nil); r.status != 200 {
		t.Errorf("HEAD: status %d", r.status)
	}
}

func TestBudget(t *testing.T) {
	// seednet fits 4 MiB; alexmnist then does not.
	s := testServer(t, Config{Models: []string{"seednet", "alexmnist"}, Budget: 4 << 20})
	x := tensorJSON([]int{28, 28, 1}, make([]float32, 784))
	if r := do(s, "POST", "/api/v1/predict?model=seednet", "application/json", x); r.status != 200 {
		t.Errorf("seednet: status %d: %s", r.status, r.body)
	}
	r := do(s, "POST", "/api/v1/predict?model=alexmnist", "application/json", x)
	if msg := r.errorText(t); r.status != 422 || !strings.Contains(msg, "left of this Worker's 4.0 MiB model budget") {
		t.Errorf("alexmnist: status %d, %q", r.status, msg)
	}
	if got := s.MaxFileBytes(); got != (4<<20)/3 {
		t.Errorf("MaxFileBytes = %d", got)
	}
	s.Refuse("alexmnist", "ignored: already refused")
	s2 := New(Config{Models: []string{"big"}, Budget: 1 << 20})
	s2.Refuse("big", "its file is too long")
	s2.Provide("big", []byte("ignored"))
	if r := do(s2, "POST", "/api/v1/predict?model=big", "application/json", x); r.status != 422 || !strings.Contains(r.errorText(t), "its file is too long") {
		t.Errorf("refused model: %d %s", r.status, r.body)
	}
	s3 := New(Config{Models: []string{"bad", "other"}, Budget: 1 << 20})
	needs := func(target string) string {
		u, _ := url.Parse(target)
		return strings.Join(s3.Needs(u), ",")
	}
	for target, want := range map[string]string{
		"/api/v1/models":                  "bad,other",
		"/api/v1/predict?model=other":     "other",
		"/api/v1/predict?model=unknown":   "",
		"/api/v1/predict":                 "",
		"/api/v1/debug/panic?model=other": "",
	} {
		if got := needs(target); got != want {
			t.Errorf("Needs(%s) = %q, want %q", target, got, want)
		}
	}
	s3.Provide("bad", []byte("not a weight file"))
	if got := needs("/api/v1/models"); got != "other" {
		t.Errorf("Needs after Provide = %q", got)
	}
	if r := do(s3, "POST", "/api/v1/predict?model=bad", "application/json", x); r.status != 422 || !strings.Contains(r.errorText(t), "is not usable") {
		t.Errorf("damaged model: %d %s", r.status, r.body)
	}
}

// TestPriceBuiltins: the Worker's default budget holds the shipped seednet
// and alexmnist together, and the price is model.PriceFile's footprint of
// the two runners; alexnet's int8 file (61M parameters) is over
// MaxFileBytes, so the glue refuses it unread.
func TestPriceBuiltins(t *testing.T) {
	sum := int64(0)
	for _, name := range []string{"seednet", "alexmnist"} {
		data, err := os.ReadFile("../../../../site/models/" + name + ".safetensors")
		if err != nil {
			t.Fatal(err)
		}
		g, p, err := price(data)
		if err != nil {
			t.Fatal(err)
		}
		net, err := model.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		run, err := net.Footprint(model.RunnerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		keep, err := net.Footprint(model.RunnerOptions{KeepActivations: true})
		if err != nil {
			t.Fatal(err)
		}
		// An int8 file is kept (its weights are read in place).
		if want := run.Total() + keep.Runner(); g.Arch.Name != name || p.Total() != want || p.File != int64(len(data)) || run.File != p.File {
			t.Errorf("%s: price %+v (total %d), want the footprints' %d with the file's %d bytes", name, p, p.Total(), want, len(data))
		}
		t.Logf("%s: priced %s", name, mib(p.Total()))
		sum += p.Total()
	}
	if sum > DefaultBudget {
		t.Errorf("seednet + alexmnist priced %s, over the default budget %s", mib(sum), mib(DefaultBudget))
	}
	if s := New(Config{Budget: DefaultBudget}); int64(60_965_224) <= s.MaxFileBytes() {
		t.Errorf("alexnet's int8 file is under MaxFileBytes %d", s.MaxFileBytes())
	}
}

func TestCORS(t *testing.T) {
	x := tensorJSON([]int{28, 28, 1}, make([]float32, 784))
	request := func(s *Server, method, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/api/v1/predict?model=seednet", bytes.NewReader(x))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", origin)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	off := testServer(t, Config{})
	if w := request(off, "POST", "https://a.example"); w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: status %d, Access-Control-Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
	if w := request(off, "OPTIONS", "https://a.example"); w.Code != 405 || w.Header().Get("Allow") != "POST" {
		t.Errorf("CORS off: OPTIONS status %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
	on := testServer(t, Config{CORSOrigins: []string{"https://a.example"}})
	if w := request(on, "POST", "https://a.example"); w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "https://a.example" || w.Header().Get("Vary") != "Origin" {
		t.Errorf("CORS on: status %d, headers %v", w.Code, w.Header())
	}
	if w := request(on, "POST", "https://b.example"); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS on, other origin: Access-Control-Allow-Origin %q", w.Header().Get("Access-Control-Allow-Origin"))
	}
	if w := request(on, "OPTIONS", "https://a.example"); w.Code != 204 || w.Header().Get("Access-Control-Allow-Methods") != "POST" || w.Header().Get("Access-Control-Allow-Headers") != "Content-Type" {
		t.Errorf("CORS preflight: status %d, headers %v", w.Code, w.Header())
	}
	any := testServer(t, Config{CORSOrigins: []string{"*"}})
	if w := request(any, "POST", "https://c.example"); w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("CORS *: Access-Control-Allow-Origin %q", w.Header().Get("Access-Control-Allow-Origin"))
	}
}

func TestPanicRoute(t *testing.T) {
	s := testServer(t, Config{Debug: true})
	if r := do(s, "POST", "/api/v1/debug/panic?mode=x", "", nil); r.status != 400 {
		t.Errorf("mode=x: status %d", r.status)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "mode=handler") {
			t.Errorf("recovered %v, want the handler's panic", p)
		}
		// The mutex was released: the server still answers.
		if r := do(s, "GET", "/api/v1/models", "", nil); r.status != 200 {
			t.Errorf("after the panic: status %d", r.status)
		}
	}()
	do(s, "POST", "/api/v1/debug/panic?mode=handler", "", nil)
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := ConfigFromEnv(env(nil))
	if err != nil || strings.Join(c.Models, ",") != "seednet,alexmnist" || c.Budget != DefaultBudget || c.CORSOrigins != nil || c.Debug {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	c, err = ConfigFromEnv(env(map[string]string{"MODELS": " a , b_2 ", "MODEL_BUDGET_MIB": "8", "CORS_ORIGINS": "https://x.example, *", "EDGE_DEBUG": "1"}))
	if err != nil || strings.Join(c.Models, ",") != "a,b_2" || c.Budget != 8<<20 || len(c.CORSOrigins) != 2 || !c.Debug {
		t.Errorf("set: %+v, %v", c, err)
	}
	for k, v := range map[string]string{"MODELS": "../etc", "MODEL_BUDGET_MIB": "0"} {
		if _, err := ConfigFromEnv(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: error %v", k, v, err)
		}
	}
}

// FuzzPredict: any body under any of the accepted content types gets a
// 200 or a 4xx with a JSON error, never a panic or a 5xx.
func FuzzPredict(f *testing.F) {
	s := testServer(f, Config{Models: []string{"seednet"}})
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, digit(20, 20), nil)
	f.Add(encodePNG(f, digit(30, 40)), uint8(0))
	f.Add(jpg.Bytes(), uint8(1))
	f.Add(tensorJSON([]int{28, 28, 1}, make([]float32, 784)), uint8(2))
	f.Add(bomb(f, 3000, 3000), uint8(0))
	f.Add([]byte(`{"shape":[1,28,28,1],"data":[null]}`), uint8(2))
	types := []string{"image/png", "image/jpeg", "application/json"}
	f.Fuzz(func(t *testing.T, body []byte, kind uint8) {
		ct := types[int(kind)%len(types)]
		r := do(s, "POST", "/api/v1/predict?model=seednet&top=3", ct, body)
		if r.status != 200 && (r.status < 400 || r.status >= 500) {
			t.Fatalf("%s body %q: status %d: %s", ct, body, r.status, r.body)
		}
		if r.status != 200 {
			r.errorText(t)
		}
	})
}

// BenchmarkPredict times the handler alone (no HTTP, no glue) on the
// requests the edge tests send, and a request refused before any decoding.
func BenchmarkPredict(b *testing.B) {
	s := testServer(b, Config{Models: []string{"seednet", "alexmnist"}})
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(i%9) / 9
	}
	js := tensorJSON([]int{28, 28, 1}, x)
	pngBody := encodePNG(b, digit(56, 56))
	for _, name := range []string{"seednet", "alexmnist"} {
		for _, in := range []struct {
			kind, ct string
			body     []byte
		}{{"json", "application/json", js}, {"png", "image/png", pngBody}, {"415", "text/plain", js}} {
			b.Run(name+"/"+in.kind, func(b *testing.B) {
				for b.Loop() {
					do(s, "POST", "/api/v1/predict?model="+name, in.ct, in.body)
				}
			})
		}
	}
}

// An MNIST model's answer carries the verdict: a drawn stroke is a digit,
// a dot is not (reason "dot", found by preprocessing), and a tensor is
// judged by its output's margin alone; the margin is the top probability
// minus the second, worked out here from the answer's own top list.
func TestVerdict(t *testing.T) {
	s := testServer(t, Config{})
	dot := image.NewNRGBA(image.Rect(0, 0, 60, 60))
	for y := range 60 {
		for x := range 60 {
			c := color.NRGBA{250, 250, 250, 255}
			if x >= 27 && x < 33 && y >= 27 && y < 33 {
				c = color.NRGBA{10, 10, 10, 255}
			}
			dot.SetNRGBA(x, y, c)
		}
	}
	for _, tc := range []struct {
		name, ct string
		body     []byte
		digit    bool
		reason   string
	}{
		{"a stroke", "image/png", encodePNG(t, digit(60, 80)), true, ""},
		{"a dot", "image/png", encodePNG(t, dot), false, "dot"},
		{"a tensor", "application/json", tensorJSON([]int{28, 28, 1}, make([]float32, 784)), false, "uncertain"},
	} {
		r := do(s, "POST", "/api/v1/predict?model=alexmnist&top=2", tc.ct, tc.body)
		if r.status != 200 {
			t.Fatalf("%s: status %d: %s", tc.name, r.status, r.body)
		}
		var p Prediction
		if err := json.Unmarshal(r.body, &p); err != nil || p.Verdict == nil {
			t.Fatalf("%s: %s: no verdict (%v)", tc.name, r.body, err)
		}
		v := p.Verdict
		margin := p.Top[0].P - p.Top[1].P
		if v.Digit != tc.digit || v.Index != p.Top[0].Index || v.Margin != margin || (tc.reason != "" && (len(v.Reasons) == 0 || v.Reasons[0] != tc.reason)) {
			t.Errorf("%s: verdict %+v, want digit %v, reason %q, margin %v", tc.name, *v, tc.digit, tc.reason, margin)
		}
	}
}
