//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// sampleFile is the bundled MNIST sample (tools/mnistsample), beside the page.
const sampleFile = "mnist-sample.bin"

// chunk is how many sample images are classified between progress updates
// (and animation frames).
const chunk = 20

// quality is the demo page's model-quality panel: each offered model's
// accuracy on the bundled MNIST test images, per class and as a confusion
// matrix, computed here by the engine; its training curves from the weight
// file's metadata; and the models side by side (parameters, FLOPs,
// accuracy, latency measured in this page). It downloads the sample and
// the other model only when it comes near the viewport or its Evaluate
// button is pressed (whenNear), so a first visit of the demo does not pay
// for it; data-state is "idle" until then.
type quality struct {
	d        *demo
	section  *dom.BasicHTMLElement
	progress *dom.HTMLProgressElement
	status   *dom.BasicHTMLElement
	compare  *dom.BasicHTMLElement
	cards    *dom.BasicHTMLElement
}

// modelStats is what the panel knows of one model.
type modelStats struct {
	name      string
	m         js.Value
	params    int
	flops     int64
	full      float64 // accuracy on the 10,000 test images, from the file (0: unknown)
	scale     float32 // the input scale of its preprocessing
	history   js.Value
	confusion ui.Confusion
	ms        []float64
	card      *dom.BasicHTMLElement
}

// newQuality builds the panel with a placeholder; it starts measuring
// when it comes near or is asked to (and once the demo is ready).
func newQuality(d *demo) *dom.BasicHTMLElement {
	q := &quality{d: d}
	q.progress = &dom.HTMLProgressElement{BasicHTMLElement: attrs(el("progress", "fm-progress"), "aria-label", "model evaluation", "hidden", "")}
	evaluate := button("Evaluate")
	q.status = attrs(el("p", "fm-note", "Not evaluated yet: this starts when you scroll here or press Evaluate. "+
		"It downloads "+sampleFile+" (300 images, 236 kB) and the other model, then classifies every image with both models."), "role", "status")
	q.compare = el("div", "fm-table-wrap")
	q.cards = el("div", "fm-quality-cards")
	q.section = attrs(el("section", "fm-section fm-quality", el("h2", "", "How good are the models?"),
		el("p", "fm-note", "Both models classify the same "+sampleFile+": a bundled sample of MNIST test images (30 of each digit, "+
			"images neither model trained on), in this page, by the engine. "+
			"A row of a confusion matrix is one true digit; its columns count what the model answered, so mistakes sit off the diagonal. "+
			"The training curves come from each weight file's metadata."),
		el("div", "fm-toolbar", evaluate, q.progress, q.status), q.compare, q.cards), "id", "quality", "data-state", "idle")
	started := false
	start := func() {
		if !started {
			started = true
			evaluate.Underlying().Call("remove")
			q.run()
		}
	}
	on(evaluate, "click", func(js.Value) { start() })
	// The panel is watched once the demo has drawn its first screen: the
	// page grows then, and the panel moves out of reach.
	go guard(func() {
		q.waitForDemo()
		whenNear(q.section, start)
	})
	return q.section
}

// run waits for the demo, loads the sample and both models, draws what the
// files say, then classifies the sample in chunks.
func (q *quality) run() {
	q.section.SetAttribute("data-state", "waiting")
	setText(q.status, "Waiting for the demo's model…")
	q.waitForDemo()
	q.progress.RemoveAttribute("hidden")
	setText(q.status, "Loading the sample…")
	s, err := q.sample()
	if err != nil {
		q.fail("Cannot read " + sampleFile + ": " + err.Error())
		return
	}
	var models []*modelStats
	for _, name := range modelNames {
		m, ok := q.d.models[name]
		if !ok {
			if m, err = q.d.loadModel(name, func(float64) {}); err != nil {
				q.fail("Cannot load " + name + ": " + err.Error())
				return
			}
			q.d.models[name] = m
		}
		st := newModelStats(name, m)
		appendChild(q.cards, st.card)
		models = append(models, st)
	}
	q.showCompare(models, false)
	// Classify, alternating the models image by image so that both see
	// the same conditions for the latency.
	total := s.N * len(models)
	q.progress.SetMax(float64(total))
	x := make([]float32, s.Rows*s.Cols)
	done := 0
	for i := range s.N {
		for _, st := range models {
			s.Image(x, i, st.scale)
			t0 := now()
			pred, err := await(st.m.Call("predict", tensor(x, s.Rows, s.Cols, 1), map[string]any{"topK": 1}))
			if err != nil {
				q.fail(st.name + ": prediction failed: " + err.Error())
				return
			}
			st.ms = append(st.ms, now()-t0)
			st.confusion.Add(int(s.Labels[i]), pred.Get("top").Index(0).Get("index").Int())
			done++
		}
		if (i+1)%chunk == 0 || i+1 == s.N {
			q.progress.SetValue(float64(done))
			setText(q.status, "Classified "+strconv.Itoa(i+1)+" of "+strconv.Itoa(s.N)+" images with each model…")
			nextFrame()
		}
	}
	for _, st := range models {
		st.showConfusion()
	}
	q.showCompare(models, true)
	q.progress.SetAttribute("hidden", "")
	setText(q.status, "Done: "+strconv.Itoa(s.N)+" images, each model.")
	q.section.SetAttribute("data-state", "ready")
}

// waitForDemo waits until the demo's model is ready and its first render
// is done.
func (q *quality) waitForDemo() {
	for q.d.model.IsUndefined() {
		sleep(250)
	}
	sleep(300)
}

func (q *quality) fail(msg string) {
	setText(q.status, msg)
	q.status.Class().Add("fm-error")
	q.section.SetAttribute("data-state", "error")
}

// sample fetches and decodes the bundled sample.
func (q *quality) sample() (ui.Sample, error) {
	resp, err := await(js.Global().Call("fetch", q.d.base+sampleFile))
	if err != nil {
		return ui.Sample{}, err
	}
	if !resp.Get("ok").Bool() {
		return ui.Sample{}, errors.New("HTTP status " + strconv.Itoa(resp.Get("status").Int()))
	}
	buf, err := await(resp.Call("arrayBuffer"))
	if err != nil {
		return ui.Sample{}, err
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return ui.ParseSample(b)
}

// newModelStats reads a model's summary and metadata and draws its card
// (the confusion matrix follows once measured).
func newModelStats(name string, m js.Value) *modelStats {
	st := &modelStats{name: name, m: m, confusion: ui.NewConfusion(10), scale: 1.0 / 255, history: js.Undefined()}
	s := m.Call("summary")
	st.params = s.Get("totalParams").Int()
	layers := s.Get("layers")
	for i := range layers.Length() {
		l := layers.Index(i)
		st.flops += 2 * ui.MultiplyAdds(l.Get("type").String(), l.Get("weights").Int(), ints(l.Get("outputShape")))
	}
	meta := m.Call("metadata")
	if arch, ok := parseJSON(meta.Get("arch")); ok {
		if a := arch.Get("accuracy"); a.Type() == js.TypeNumber {
			st.full = a.Float()
		}
		if sc := arch.Get("preprocess").Get("scale"); sc.Type() == js.TypeNumber && sc.Float() > 0 {
			st.scale = float32(sc.Float())
		}
	}
	if t, ok := parseJSON(meta.Get("training")); ok && t.Get("history").Type() == js.TypeObject {
		st.history = t.Get("history")
	}
	st.card = attrs(el("div", "fm-quality-card", el("h3", "", name)), "data-model", name)
	appendChild(st.card, st.curves())
	return st
}

// parseJSON parses a metadata string; ok is false for anything else.
func parseJSON(v js.Value) (out js.Value, ok bool) {
	if v.Type() != js.TypeString {
		return js.Undefined(), false
	}
	defer func() {
		if recover() != nil {
			out, ok = js.Undefined(), false
		}
	}()
	out = js.Global().Get("JSON").Call("parse", v)
	return out, out.Type() == js.TypeObject
}

// showCompare fills the side-by-side table; measured adds the accuracy on
// the sample and the latency.
func (q *quality) showCompare(models []*modelStats, measured bool) {
	head := el("tr", "", attrs(el("th", "", ""), "scope", "col"))
	rows := []*dom.BasicHTMLElement{
		el("tr", "", attrs(el("th", "", "Parameters"), "scope", "row")),
		el("tr", "", attrs(el("th", "", "FLOPs per image (2 × multiply-adds)"), "scope", "row")),
		el("tr", "", attrs(el("th", "", "Accuracy on this sample"), "scope", "row")),
		el("tr", "", attrs(el("th", "", "Accuracy on all 10,000 test images (weight file)"), "scope", "row")),
		el("tr", "", attrs(el("th", "", "Latency here (median predict)"), "scope", "row")),
	}
	for _, st := range models {
		appendChild(head, attrs(el("th", "fm-num", st.name), "scope", "col"))
		acc, ms := "…", "…"
		if measured {
			total, right := st.confusion.Total()
			acc = ui.Percent(float32(right)/float32(total)) + " (" + strconv.Itoa(right) + "/" + strconv.Itoa(total) + ")"
			ms = strconv.FormatFloat(ui.Median(st.ms), 'f', 1, 64) + " ms"
		}
		full := "not recorded"
		if st.full > 0 {
			full = strconv.FormatFloat(st.full*100, 'f', 2, 64) + "%"
		}
		for i, v := range []string{ui.Thousands(st.params), ui.Millions(st.flops), acc, full, ms} {
			appendChild(rows[i], el("td", "fm-num", v))
		}
	}
	body := el("tbody", "")
	for _, r := range rows {
		appendChild(body, r)
	}
	clear(q.compare)
	appendChild(q.compare, el("table", "fm-table fm-compare", el("caption", "", "The two models side by side"), el("thead", "", head), body))
}

// showConfusion adds the confusion matrix with per-class accuracy.
func (st *modelStats) showConfusion() {
	c := st.confusion
	total, right := c.Total()
	head := el("tr", "", attrs(el("th", "", "true ↓ answer →"), "scope", "col"))
	for p := range 10 {
		appendChild(head, attrs(el("th", "fm-num", strconv.Itoa(p)), "scope", "col"))
	}
	appendChild(head, attrs(el("th", "fm-num", "right"), "scope", "col"))
	body := el("tbody", "")
	for t := range 10 {
		tr := el("tr", "", attrs(el("th", "fm-num", strconv.Itoa(t)), "scope", "row"))
		for p := range 10 {
			n := c.Counts[t][p]
			td := el("td", "fm-num", strconv.Itoa(n))
			switch {
			case p == t:
				td.Class().Add("fm-cm-right")
			case n > 0:
				td.Class().Add("fm-cm-wrong")
			default:
				td.Class().Add("fm-cm-zero")
			}
			appendChild(tr, td)
		}
		n, r := c.Class(t)
		appendChild(tr, el("td", "fm-num fm-cm-class", ui.Percent(float32(r)/float32(max(n, 1)))))
		appendChild(body, tr)
	}
	table := attrs(el("table", "fm-table fm-confusion",
		el("caption", "", "Confusion matrix: "+strconv.Itoa(right)+" of "+strconv.Itoa(total)+" right ("+ui.Percent(float32(right)/float32(total))+")"),
		el("thead", "", head), body),
		"data-model", st.name, "data-total", strconv.Itoa(total), "data-right", strconv.Itoa(right))
	appendChild(st.card, attrs(el("div", "fm-table-wrap", table), "tabindex", "0", "role", "region", "aria-label", st.name+" confusion matrix"))
}

// curves draws the training history (per epoch: train and test accuracy,
// train and test loss) as two small SVG line charts.
func (st *modelStats) curves() *dom.BasicHTMLElement {
	h := st.history
	if h.IsUndefined() || h.Length() == 0 {
		return el("p", "fm-note", "This weight file records no training history.")
	}
	n := h.Length()
	field := func(key string) []float64 {
		v := make([]float64, n)
		for i := range n {
			v[i] = h.Index(i).Get(key).Float()
		}
		return v
	}
	epochs := field("epoch")
	pct := func(v []float64) []float64 {
		for i := range v {
			v[i] *= 100
		}
		return v
	}
	acc := chart("Accuracy per epoch (%)", epochs, [][]float64{pct(field("train_acc")), pct(field("test_acc"))}, 0)
	loss := chart("Loss per epoch", epochs, [][]float64{field("loss"), field("test_loss")}, 3)
	key := el("p", "fm-chart-key", el("span", "fm-key-train", "training set (with augmentation)"), " ", el("span", "fm-key-test", "10,000 test images"))
	return attrs(el("div", "fm-curves", acc, loss, key), "data-epochs", strconv.Itoa(n))
}

// chart is a small SVG line chart of series over xs, with the y range of
// the data, its ends labelled with digits decimals.
func chart(title string, xs []float64, series [][]float64, digits int) *dom.BasicHTMLElement {
	const w, h, left, bottom, top = 200.0, 90.0, 34.0, 16.0, 6.0
	lo, hi := series[0][0], series[0][0]
	for _, s := range series {
		for _, v := range s {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	x0, x1 := xs[0], xs[len(xs)-1]
	if x1 == x0 {
		x1 = x0 + 1
	}
	svg := svgEl("svg", "viewBox", "0 0 "+ftoa(left+w+4, 0)+" "+ftoa(top+h+bottom, 0), "class", "fm-chart", "role", "img",
		"aria-label", title+": from "+ftoa(series[0][0], digits)+" to "+ftoa(series[0][len(xs)-1], digits)+" (training) and "+
			ftoa(series[1][0], digits)+" to "+ftoa(series[1][len(xs)-1], digits)+" (test) over "+ftoa(x1, 0)+" epochs")
	g := svgEl("g", "transform", "translate("+ftoa(left, 0)+" "+ftoa(top, 0)+")")
	g.Call("append", svgEl("rect", "width", ftoa(w, 0), "height", ftoa(h, 0), "class", "fm-chart-frame"))
	for i, s := range series {
		class := "fm-line-train"
		if i == 1 {
			class = "fm-line-test"
		}
		g.Call("append", svgEl("polyline", "points", ui.Polyline(xs, s, x0, x1, lo, hi, w, h), "class", class))
	}
	label := func(x, y float64, text, anchor string) {
		t := svgEl("text", "x", ftoa(x, 1), "y", ftoa(y, 1), "text-anchor", anchor, "class", "fm-chart-label")
		t.Set("textContent", text)
		g.Call("append", t)
	}
	label(-3, 4, ftoa(hi, digits), "end")
	label(-3, h, ftoa(lo, digits), "end")
	label(0, h+12, "epoch "+ftoa(x0, 0), "start")
	label(w, h+12, ftoa(x1, 0), "end")
	svg.Call("append", g)
	fig := el("figure", "fm-chart-figure", el("figcaption", "", title))
	fig.Call("append", svg)
	return fig
}

// svgEl creates an SVG element with attributes as name, value pairs.
func svgEl(tag string, kv ...string) js.Value {
	e := document.Call("createElementNS", "http://www.w3.org/2000/svg", tag)
	for i := 0; i+1 < len(kv); i += 2 {
		e.Call("setAttribute", kv[i], kv[i+1])
	}
	return e
}

func ftoa(v float64, digits int) string { return strconv.FormatFloat(v, 'f', digits, 64) }
