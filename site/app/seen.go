//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// seen shows what the network receives: model.inspect's input, the 28×28
// image after preprocessing, beside the pad (for drawings, uploads and
// samples alike), with a note on what preprocessing did.
type seen struct {
	figure *dom.BasicHTMLElement
	canvas *dom.HTMLCanvasElement
	note   *dom.BasicHTMLElement
}

func newSeen() *seen {
	c := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-seen-canvas")}
	c.SetWidth(28)
	c.SetHeight(28)
	attrs(c, "role", "img", "aria-label", "the network's 28×28 input")
	s := &seen{canvas: c, note: el("p", "fm-seen-note")}
	s.figure = el("figure", "fm-seen", el("figcaption", "fm-seen-title", "What the network sees"), c, s.note)
	s.clear()
	return s
}

// show draws input, a Tensor [H, W, 1], and describes report (null for
// tensors).
func (s *seen) show(input, report js.Value) {
	shape := ints(input.Get("shape"))
	if len(shape) != 3 || shape[2] != 1 {
		s.clear()
		return
	}
	h, w := shape[0], shape[1]
	putPixels(s.canvas, ui.Grayscale(float32s(input.Get("data"))), w, h)
	note := ""
	if report.Type() == js.TypeObject {
		var flags []string
		for i := range report.Get("flags").Length() {
			flags = append(flags, report.Get("flags").Index(i).String())
		}
		note = ui.SeenNote(flags, report.Get("lightPaper").Bool())
	}
	setText(s.note, note)
	s.figure.SetAttribute("data-seen", strconv.Itoa(w)+"x"+strconv.Itoa(h))
}

// clear blanks the view (an empty pad).
func (s *seen) clear() {
	putPixels(s.canvas, make([]byte, 28*28*4), 28, 28)
	setText(s.note, "The 28×28 image it receives appears here.")
	s.figure.RemoveAttribute("data-seen")
}

// showInk outlines the ink box that preprocessing cropped, over the pad:
// report.ink in the pixels of the image the pad shows fitted (padSize
// square, as pad.show draws it), or nothing without a report or ink.
func (d *demo) showInk(report js.Value) {
	box := d.inkBox
	if report.Type() != js.TypeObject {
		box.SetAttribute("hidden", "")
		return
	}
	ink := report.Get("ink")
	x0, y0, x1, y1 := ink.Get("x0").Float(), ink.Get("y0").Float(), ink.Get("x1").Float(), ink.Get("y1").Float()
	w, h := report.Get("width").Float(), report.Get("height").Float()
	if x1 <= x0 || y1 <= y0 || w <= 0 || h <= 0 {
		box.SetAttribute("hidden", "")
		return
	}
	s := min(padSize/w, padSize/h)
	ox, oy := (padSize-w*s)/2, (padSize-h*s)/2
	pct := func(v float64) string { return strconv.FormatFloat(100*v/padSize, 'f', 2, 64) + "%" }
	st := box.Style()
	st.SetProperty("left", pct(ox+x0*s), "")
	st.SetProperty("top", pct(oy+y0*s), "")
	st.SetProperty("width", pct((x1-x0)*s), "")
	st.SetProperty("height", pct((y1-y0)*s), "")
	box.RemoveAttribute("hidden")
}

// showVerdict shows whether the input looks like a digit (model.inspect's
// verdict; null for models not preprocessed as MNIST) and returns the
// sentence a screen reader announces for the prediction.
func (d *demo) showVerdict(v js.Value, best string) string {
	if v.Type() != js.TypeObject || v.Get("digit").Bool() {
		d.result.SetAttribute("data-verdict", "digit")
		d.verdict.SetAttribute("hidden", "")
		setText(d.verdict, "")
		return "Prediction: " + best + "."
	}
	reason := ui.NotDigitReason(v.Get("reasons").Index(0).String(), float32(v.Get("margin").Float()), float32(v.Get("minMargin").Float()))
	d.result.SetAttribute("data-verdict", "not-digit")
	clear(d.verdict)
	appendChild(d.verdict, el("strong", "", "Does not look like a digit. "))
	appendChild(d.verdict, el("span", "fm-verdict-reason", reason))
	d.verdict.RemoveAttribute("hidden")
	return "Does not look like a digit: " + reason + " The network's closest answer is " + best + "."
}

// hideVerdict hides the verdict while a stroke is being drawn (it is
// judged when the stroke ends).
func (d *demo) hideVerdict() {
	d.result.SetAttribute("data-verdict", "pending")
	d.verdict.SetAttribute("hidden", "")
}
