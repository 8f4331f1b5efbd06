//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// digitModel is the model the ReLU and softmax sections run: seednet, the
// study note's own network (conv1 3×3×64 SAME, ReLU, max pool, fc,
// softmax), which the page loads anyway for its pipeline. ReLU is shown on
// conv1, which reads the network's input (the first entry of
// model.activations).
const digitModel, reluLayer = "seednet", "conv1"

// presets are shapes the learner can pick instead of drawing: strokes of
// points in the unit square (y down), drawn on the pad as a pen would.
var presets = []struct {
	label   string
	strokes [][][2]float64
}{
	{"2", [][][2]float64{{{0.27, 0.3}, {0.33, 0.19}, {0.47, 0.13}, {0.62, 0.16}, {0.7, 0.28}, {0.68, 0.42}, {0.56, 0.56}, {0.26, 0.85}, {0.76, 0.85}}}},
	{"4", [][][2]float64{{{0.34, 0.14}, {0.27, 0.56}, {0.76, 0.56}}, {{0.64, 0.16}, {0.64, 0.88}}}},
	{"7", [][][2]float64{{{0.25, 0.17}, {0.75, 0.17}, {0.44, 0.87}}}},
	{"a line (not a digit)", [][][2]float64{{{0.2, 0.5}, {0.8, 0.5}}}},
}

// digitPart runs the learner's digit through seednet and shows ReLU on a
// real feature map and the softmax of the last layer's logits. It runs the
// model only once the section comes near the viewport or the learner
// interacts with it (whenNear); [data-fm=digit]'s data-runs counts the
// complete updates.
type digitPart struct {
	e       *explainer
	model   js.Value
	pad     *pad
	runs    serial
	started bool // the section came near: drawings are run
	done    int  // complete updates, in the part's data-runs
	weights js.Value
	channel *dom.HTMLInputElement
	status  *dom.BasicHTMLElement // announces each result once, briefly
	// The last run's ReLU input and output [1, H, W, C].
	before, after []float32
	h, w, c       int
}

func (e *explainer) digit() {
	box := e.part("digit")
	d := &digitPart{e: e, pad: newPad()}
	attrs(d.pad.canvas, "aria-label", "Drawing area for the ReLU and softmax sections: draw a digit, or pick one with the buttons")
	picks := el("div", "fm-buttons")
	for _, p := range presets {
		b := button(p.label)
		onSync(b, "click", func(js.Value) {
			d.draw(p.strokes)
			d.pad.changed(true)
		})
		appendChild(picks, b)
	}
	clearBtn := button("Clear")
	onSync(clearBtn, "click", func(js.Value) { d.pad.clear() })
	appendChild(picks, clearBtn)
	d.pad.onChange = func(final bool) {
		if final && d.started {
			d.update()
		}
	}
	d.channel = &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", "ex-number"), "type", "number", "min", "1", "step", "1", "name", "channel")}
	on(d.channel, "input", func(js.Value) { d.showReLU() })
	d.status = attrs(el("p", "fm-note"), "role", "status")
	appendChild(box, el("div", "ex-digit", el("div", "ex-digit-pad", d.pad.canvas),
		el("div", "", el("p", "", "Draw a digit with a mouse, finger or pen, or pick one:"), picks,
			el("p", "fm-note", "The ReLU and softmax sections below follow this drawing through "+digitModel+
				", the study note's network (its parameters are counted in section 10)."), d.status)))
	d.draw(presets[2].strokes)
	for _, name := range []string{"relu", "softmax"} {
		appendChild(e.part(name), el("p", "fm-note", "This section runs "+digitModel+" on the drawing above once you scroll to it or draw."))
	}
	whenNear(box, func() {
		d.started = true
		d.update()
	})
}

// draw replaces the pad's strokes with a preset's.
func (d *digitPart) draw(strokes [][][2]float64) {
	d.pad.strokes = nil
	for _, s := range strokes {
		var line []point
		for _, q := range s {
			line = append(line, point{q[0] * padSize, q[1] * padSize})
		}
		d.pad.strokes = append(d.pad.strokes, line)
	}
	d.pad.repaint()
}

// update runs the model on the drawing and refreshes both sections.
func (d *digitPart) update() {
	d.runs.run(func() {
		if err := d.run(); err != nil {
			d.e.fail("relu", err)
			return
		}
		d.done++
		query(d.e.root, `[data-fm="digit"]`).SetAttribute("data-runs", strconv.Itoa(d.done))
	})
}

// layer finds the activation named name.
func layer(acts js.Value, name string) (js.Value, error) {
	for i := range acts.Length() {
		if a := acts.Index(i); a.Get("name").String() == name {
			return a, nil
		}
	}
	return js.Undefined(), errors.New(digitModel + " has no layer " + name)
}

func (d *digitPart) run() error {
	relu, soft := d.e.part("relu"), d.e.part("softmax")
	if d.pad.empty() {
		setText(d.status, "")
		appendChild(relu, el("p", "fm-note", "Draw a digit above to see this."))
		appendChild(soft, el("p", "fm-note", "Draw a digit above to see this."))
		return nil
	}
	if d.model.IsUndefined() {
		m, err := d.e.model(digitModel)
		if err != nil {
			return err
		}
		d.model = m
	}
	acts, err := await(d.model.Call("activations", d.pad.canvas.Underlying()))
	if err != nil {
		return err
	}
	// ReLU: conv1's weighted sums before its ReLU, worked out with
	// fm.ops.conv2d from the network's input (the first activation) and
	// conv1's weights and bias; after it, the model's own conv1 output.
	in := acts.Index(0)
	if in.Get("type").String() != "input" {
		return errors.New(digitModel + ": activations() does not start with the input layer")
	}
	after, err := layer(acts, reluLayer)
	if err != nil {
		return err
	}
	if d.weights.IsUndefined() {
		if d.weights, err = await(d.model.Call("weights", reluLayer)); err != nil {
			return err
		}
	}
	x := js.ValueOf(map[string]any{"shape": in.Get("shape"), "data": in.Get("data")})
	before, err := await(d.e.fm.Get("ops").Call("conv2d", x, d.weights.Get("weight"), map[string]any{"padding": "SAME", "bias": d.weights.Get("bias")}))
	if err != nil {
		return err
	}
	shape := ints(before.Get("shape"))
	d.h, d.w, d.c = shape[1], shape[2], shape[3]
	if ui.Shape(ints(after.Get("shape"))) != ui.Shape(shape) {
		return errors.New(digitModel + ": " + reluLayer + "'s output is " + ui.Shape(ints(after.Get("shape"))) + ", its convolution worked out here " + ui.Shape(shape))
	}
	d.before, d.after = float32s(before.Get("data")), float32s(after.Get("data"))
	d.channel.SetAttribute("max", strconv.Itoa(d.c))
	d.channel.SetValue(strconv.Itoa(d.mixedChannel() + 1))
	appendChild(relu, el("div", "ex-controls", el("label", "ex-control", el("span", "", reluLayer+" channel (1 to "+strconv.Itoa(d.c)+")"), d.channel)))
	appendChild(relu, el("div", "ex-relu"))
	d.showReLU()

	// Softmax: the logits are the output of the layer before the softmax.
	var logits, probs js.Value
	for i := 1; i < acts.Length(); i++ {
		if acts.Index(i).Get("type").String() == "softmax" {
			logits, probs = acts.Index(i-1), acts.Index(i)
		}
	}
	if logits.IsUndefined() {
		return errors.New(digitModel + " has no softmax layer")
	}
	p := float32s(probs.Get("data"))
	top := d.showSoftmax(soft, logits.Get("name").String(), float32s(logits.Get("data")), p)
	setText(d.status, "Sections 8 and 9 now show this drawing: the network answers "+strconv.Itoa(top)+" with "+ui.Percent(p[top])+".")
	return nil
}

// mixedChannel is the channel whose map has the most of its less common
// sign (as many negative as positive values as possible): ReLU's effect
// shows best there.
func (d *digitPart) mixedChannel() int {
	best, bestN := 0, -1
	for c := range d.c {
		neg, pos := 0, 0
		for i := c; i < len(d.before); i += d.c {
			if d.before[i] < 0 {
				neg++
			} else if d.before[i] > 0 {
				pos++
			}
		}
		if n := min(neg, pos); n > bestN {
			best, bestN = c, n
		}
	}
	return best
}

// showReLU draws the chosen channel before and after the ReLU on one
// colour scale, its middle row as numbers, and how many values became 0.
func (d *digitPart) showReLU() {
	box := query(d.e.root, ".ex-relu")
	if box.Underlying().IsNull() || d.c == 0 {
		return
	}
	c, err := strconv.Atoi(d.channel.Value())
	if err != nil || c < 1 || c > d.c {
		setText(box, "Choose a channel from 1 to "+strconv.Itoa(d.c)+".")
		return
	}
	c--
	n := d.h * d.w
	before, after := plane(d.before, d.h, d.w, d.c, c), plane(d.after, d.h, d.w, d.c, c)
	peak, negative := float32(0), 0
	for _, v := range before {
		peak = max(peak, v, -v)
		if v < 0 {
			negative++
		}
	}
	clear(box)
	maps := el("div", "fm-row")
	for i, m := range [][]float32{before, after} {
		canvas := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "ex-map")}
		paintMap(canvas, m, d.h, d.w, peak)
		title := []string{"Before ReLU: " + reluLayer + "'s weighted sums", "After ReLU: max(0, x), " + reluLayer + "'s output"}[i]
		attrs(canvas, "role", "img", "aria-label", title+", channel "+strconv.Itoa(c+1))
		appendChild(maps, figure(title+" · "+ui.Shape([]int{d.h, d.w}), canvas))
	}
	appendChild(maps, legend(ui.Num(-peak), ui.Num(peak), true))
	appendChild(box, maps)
	row := d.h / 2
	rowBefore, _ := grid("relu-before-row", before[row*d.w:(row+1)*d.w], 1, d.w)
	rowAfter, cells := grid("relu-after-row", after[row*d.w:(row+1)*d.w], 1, d.w)
	for i, v := range before[row*d.w : (row+1)*d.w] {
		if v < 0 {
			cells[i].Class().Add("ex-zeroed")
		}
	}
	appendChild(box, attrs(el("div", "ex-rows",
		figure("Row "+strconv.Itoa(row+1)+" before", attrs(rowBefore, "class", "fm-grid ex-small")),
		figure("Row "+strconv.Itoa(row+1)+" after (zeroed cells marked)", attrs(rowAfter, "class", "fm-grid ex-small"))),
		"tabindex", "0", "role", "region", "aria-label", "row "+strconv.Itoa(row+1)+" before and after ReLU"))
	appendChild(box, el("p", "", value("relu-zeroed", strconv.Itoa(negative)), " of ", value("relu-total", strconv.Itoa(n)),
		" values of this map were negative; ReLU set them to 0 and kept the "+strconv.Itoa(n-negative)+" others as they were."))
}

// paintMap draws an h×w map at 1 pixel per value (CSS enlarges it),
// coloured by ui.Color relative to peak: 0 dark, positive orange to
// yellow, negative blue.
func paintMap(canvas *dom.HTMLCanvasElement, m []float32, h, w int, peak float32) {
	pix := make([]byte, h*w*4)
	for i, v := range m {
		t := float32(0)
		if peak > 0 {
			t = v / peak
		}
		rgb := ui.Color(t)
		pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = rgb[0], rgb[1], rgb[2], 255
	}
	putPixels(canvas, pix, w, h)
}

// showSoftmax works the softmax out from the logits: the shifted logits,
// their exponentials, the sum and the probabilities. It returns the top
// class.
func (d *digitPart) showSoftmax(box *dom.BasicHTMLElement, name string, logits, probs []float32) int {
	shifted, exps, p, sum := ui.Softmax(logits)
	top, second := 0, -1
	for i := range p {
		if p[i] > p[top] {
			top = i
		}
	}
	for i := range p {
		if i != top && (second < 0 || p[i] > p[second]) {
			second = i
		}
	}
	head := el("tr", "")
	power := func(exp string) *dom.BasicHTMLElement { return el("span", "", "e", el("sup", "", exp)) }
	for _, h := range [][]any{{"Digit"}, {"Logit z"}, {"z − max z"}, {power("z − max z")}, {"p = ", power("z − max z"), " / Σ"}, {"p"}} {
		appendChild(head, attrs(el("th", "fm-num", h...), "scope", "col"))
	}
	body := el("tbody", "")
	total := 0.0
	for i := range logits {
		total += p[i]
		row := el("tr", "",
			attrs(el("th", "fm-num", strconv.Itoa(i)), "scope", "row"),
			el("td", "fm-num", ui.Num(logits[i])),
			el("td", "fm-num", ui.Num(float32(shifted[i]))),
			el("td", "fm-num", ui.Sig(exps[i], 4)),
			el("td", "fm-num", ui.Sig(p[i], 4)),
			el("td", "fm-num", ui.Percent(float32(p[i]))))
		if i == top {
			row.Class().Add("ex-top")
		}
		appendChild(body, row)
	}
	foot := el("tfoot", "", el("tr", "",
		attrs(el("th", "fm-num", "Σ"), "scope", "row"), el("td", ""), el("td", ""),
		attrs(el("td", "fm-num", ui.Sig(sum, 4)), "data-value", "softmax-sum-exp"),
		attrs(el("td", "fm-num", ui.Sig(total, 6)), "data-value", "softmax-sum-p"),
		el("td", "")))
	thumb := &dom.HTMLCanvasElement{BasicHTMLElement: attrs(el("canvas", "ex-thumb"), "role", "img", "aria-label", "your drawing")}
	thumb.SetWidth(56)
	thumb.SetHeight(56)
	thumb.Underlying().Call("getContext", "2d").Call("drawImage", d.pad.canvas.Underlying(), 0, 0, 56, 56)
	appendChild(box, el("p", "", thumb, "For your drawing (", attrs(el("a", "", "change it"), "href", "#your-digit"), "):"))
	table := attrs(el("table", "fm-table ex-softmax", el("caption", "", "The last layer ("+name+") and its softmax"), el("thead", "", head), body, foot),
		"data-tensor", "softmax")
	appendChild(box, attrs(el("div", "fm-table-wrap", table), "tabindex", "0", "role", "region", "aria-label", "softmax worked out"))
	gap := float64(logits[top] - logits[second])
	appendChild(box, el("p", "",
		"The network answers ", value("softmax-top", strconv.Itoa(top)), " with ", el("strong", "", ui.Percent(probs[top])),
		" (its own softmax layer). The top two logits differ by "+ui.Num(float32(gap))+", so digit "+strconv.Itoa(second)+
			" gets ", power("−"+ui.Num(float32(gap))), " = "+ui.Sig(exps[second], 3)+" of digit "+strconv.Itoa(top)+"'s weight. "+
			"A lead of 7 over each of the nine others already gives over 99 % (1 / (1 + 9·", power("−7"), ") = 99.2 %): large percentages come from moderate differences between logits."))
	return top
}
