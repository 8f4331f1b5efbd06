package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/confidence"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/model/preprocess/imageinput"
)

// DefaultTop is the number of classes in "top" unless ?top= says otherwise.
const DefaultTop = 5

// Prediction is the body of a 200 from POST /api/v1/predict.
type Prediction struct {
	Model string             `json:"model"`
	Top   []model.Prediction `json:"top"`
	// MS is the time spent preprocessing and running the network, in
	// milliseconds, as the Go clock sees it: workerd's clock has whole
	// milliseconds, and Cloudflare's only advances during I/O, so there it
	// reads 0.
	MS         float64     `json:"ms"`
	Activation *Activation `json:"activation,omitempty"`
	// Verdict says whether the answer deserves trust (does the input look
	// like a digit?), for models preprocessed as MNIST: what preprocessing
	// found in an image and the top-1 margin (confidence.Judge), as
	// featuremap.js's model.inspect gives it.
	Verdict *confidence.Verdict `json:"verdict,omitempty"`
}

// Activation is one layer's output, for ?activations=LAYER: its shape
// includes the batch of 1 ([1, H, W, C] or [1, K]) and data is row-major
// (NHWC), as model.activations() in featuremap.js.
type Activation struct {
	Name  string    `json:"name"`
	Type  string    `json:"type"`
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

// tensorBody is an application/json request body.
type tensorBody struct {
	Shape []int      `json:"shape"`
	Data  []*float64 `json:"data"` // pointers, so that null is seen
}

func (s *Server) servePredict(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "model" && k != "top" && k != "activations" {
			writeError(w, http.StatusBadRequest, "unknown query parameter %q; use model, top and activations", k)
			return
		}
	}
	for k, v := range q {
		if len(v) > 1 {
			writeError(w, http.StatusBadRequest, "query parameter %q given %d times, want once", k, len(v))
			return
		}
	}
	name := q.Get("model")
	if name == "" {
		writeError(w, http.StatusBadRequest, "the model query parameter is required (models: %s)", s.models.names())
		return
	}
	e := s.models.byName[name]
	if e == nil {
		writeError(w, http.StatusNotFound, "no model %q; models: %s", name, s.models.names())
		return
	}
	k := DefaultTop
	if v, ok := q["top"]; ok {
		var err error
		if k, err = strconv.Atoi(v[0]); err != nil || k < 1 {
			writeError(w, http.StatusBadRequest, "top = %q, want a positive integer", v[0])
			return
		}
	}
	if r.ContentLength > MaxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "the body has %d bytes, more than the limit of %d (2 MiB)", r.ContentLength, MaxBody)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	if len(body) > MaxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "the body has more than the limit of %d bytes (2 MiB)", MaxBody)
		return
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "image/png" && mt != "image/jpeg" && mt != "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type %q is not supported; send image/png, image/jpeg or application/json {\"shape\": [...], \"data\": [...]}", ct)
		return
	}
	if e.err != nil {
		writeError(w, http.StatusUnprocessableEntity, "%v", e.err)
		return
	}
	if e.net == nil { // the glue provides what Needs lists before it calls Go
		panic(fmt.Sprintf("api: model %q has not been provided", name))
	}
	layer := q.Get("activations")
	var keep *model.Runner
	if _, ok := q["activations"]; ok {
		if !slices.ContainsFunc(e.net.Graph.Nodes, func(n model.Node) bool { return n.Layer.Name == layer }) {
			writeError(w, http.StatusBadRequest, "model %q has no layer %q; layers: %s", name, layer, layerNames(e.net))
			return
		}
		if keep, err = e.keepRunner(); err != nil {
			writeError(w, http.StatusUnprocessableEntity, "model %q: ?activations: %v", name, err)
			return
		}
	}

	start := time.Now()
	var x []float32
	var found preprocess.Flags // what preprocessing found in an image
	switch mt {
	case "application/json":
		x, err = e.tensorInput(body)
	default:
		x, found, err = e.imageInput(mt, body)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	run := e.run
	if keep != nil {
		run = keep
	}
	probs, err := run.Run(x)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	res := Prediction{Model: name, Top: e.net.Top(probs, k)}
	if e.spec.Kind == preprocess.KindMNIST && len(probs) > 0 {
		v := confidence.Judge(found, probs)
		res.Verdict = &v
	}
	res.MS = float64(time.Since(start).Microseconds()) / 1000
	if keep != nil {
		for _, a := range keep.Activations() {
			if a.Name == layer {
				res.Activation = &Activation{Name: a.Name, Type: a.Type, Shape: a.Shape, Data: a.Data}
			}
		}
	}
	writeJSON(w, http.StatusOK, res)
}

func layerNames(net *model.Net) string {
	names := make([]string, len(net.Graph.Nodes))
	for i, n := range net.Graph.Nodes {
		names[i] = n.Layer.Name
	}
	return strings.Join(names, ", ")
}

// tensorInput decodes {"shape": [H, W, C] or [1, H, W, C], "data": [...]}.
func (e *Model) tensorInput(body []byte) ([]float32, error) {
	var t tensorBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("the body is not a JSON tensor {\"shape\": [...], \"data\": [...]}: %v", err)
	}
	if dec.More() {
		return nil, errors.New("the body has data after the JSON tensor")
	}
	shape := e.net.Graph.Input
	batched := append([]int{1}, shape...)
	if !slices.Equal(t.Shape, shape) && !slices.Equal(t.Shape, batched) {
		return nil, fmt.Errorf("shape %v does not match the model's input: want %v or %v", t.Shape, shape, batched)
	}
	n := shape[0] * shape[1] * shape[2]
	if len(t.Data) != n {
		return nil, fmt.Errorf("data has %d values, want %d for shape %v", len(t.Data), n, t.Shape)
	}
	if e.in == nil {
		e.in = make([]float32, n)
	}
	for i, p := range t.Data {
		if p == nil {
			return nil, fmt.Errorf("data[%d] is null, want a finite number", i)
		}
		v := float32(*p)
		if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			return nil, fmt.Errorf("data[%d] = %g is not a finite float32", i, *p)
		}
		e.in[i] = v
	}
	return e.in, nil
}

// imageInput decodes a PNG or JPEG body, checking its declared size against
// MaxPixels first, and preprocesses it as the model's file says, returning
// what MNIST preprocessing found in it.
func (e *Model) imageInput(mt string, body []byte) ([]float32, preprocess.Flags, error) {
	format, decodeConfig, decode := "PNG", png.DecodeConfig, png.Decode
	if mt == "image/jpeg" {
		format, decodeConfig, decode = "JPEG", jpeg.DecodeConfig, jpeg.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("the body is not a %s image: %v", format, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, 0, fmt.Errorf("the %s image declares %d×%d pixels; at most %d pixels (2048×2048) are accepted", format, cfg.Width, cfg.Height, MaxPixels)
	}
	img, err := decode(bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("the body is not a %s image: %v", format, err)
	}
	if e.in == nil {
		e.in = make([]float32, e.spec.H*e.spec.W*e.spec.C)
	}
	rep, err := imageinput.InputReport(e.in, img, e.spec)
	if err != nil {
		return nil, 0, fmt.Errorf("preprocessing the %s image: %v", format, err)
	}
	return e.in, rep.Flags, nil
}
