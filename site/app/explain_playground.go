//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// playStepMs is the animation's pace: one window per step.
const playStepMs = 700

// control is one of the playground's number fields and its range.
type control struct {
	input    *dom.HTMLInputElement
	name     string
	min, max int
}

func (c control) value() (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(c.input.Value()))
	if err != nil || v < c.min || v > c.max {
		return 0, errors.New(c.name + ": choose a whole number from " + strconv.Itoa(c.min) + " to " + strconv.Itoa(c.max) + ".")
	}
	return v, nil
}

// playground is the convolution playground: the learner picks the input
// size, kernel size, padding, stride and dilation; the page works out the
// output size (ui.Window) and fm.ops.conv2d computes the output, whose
// windows it steps through or animates.
type playground struct {
	e                                  *explainer
	in, kernel, cells, stride, dilate  control
	mode                               *dom.HTMLSelectElement
	status, formula, grids, work, note *dom.BasicHTMLElement
	prev, play, next                   *dom.BasicHTMLElement
	recompute                          serial

	w          ui.Window
	side, out  int // the padded input's side, the output's
	before     int // padding cells before the input (top, left)
	x, y       []float32
	inCells    []*dom.BasicHTMLElement
	outCells   []*dom.BasicHTMLElement
	step       int
	playing    bool
	generation int // bumped by every recomputation and pause; a running animation stops when it changes
}

// playInput is the playground's n×n input: small whole numbers, zeros
// among them (so the data's zeros can be told from the padding's).
func playInput(n int) []float32 {
	x := make([]float32, n*n)
	for i := range x {
		x[i] = float32((3*(i/n) + 5*(i%n)) % 4)
	}
	return x
}

func (e *explainer) playground() {
	p := e.part("playground")
	g := &playground{e: e}
	field := func(name, label string, lo, hi, v int) control {
		in := &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", "ex-number"), "type", "number", "min", strconv.Itoa(lo), "max", strconv.Itoa(hi),
			"step", "1", "value", strconv.Itoa(v), "name", name)}
		on(in, "input", func(js.Value) { g.update() })
		return control{input: in, name: label, min: lo, max: hi}
	}
	g.in = field("in", "Input size", 1, 12, 5)
	g.kernel = field("kernel", "Kernel size", 1, 7, 3)
	g.cells = field("pad", "Padding cells", 0, 3, 1)
	g.stride = field("stride", "Stride", 1, 4, 2)
	g.dilate = field("dilation", "Dilation", 1, 3, 1)
	g.mode = &dom.HTMLSelectElement{BasicHTMLElement: attrs(el("select", ""), "name", "padding")}
	for _, m := range []string{ui.Valid, ui.Same, ui.Explicit} {
		label := m
		if m == ui.Explicit {
			label = "explicit"
		}
		appendChild(g.mode, attrs(el("option", "", label), "value", m))
	}
	g.mode.SetValue(ui.Same)
	on(g.mode, "change", func(js.Value) { g.update() })
	label := func(text string, c any) *dom.BasicHTMLElement {
		return el("label", "ex-control", el("span", "", text), c)
	}
	g.status = attrs(el("div", "ex-status"), "role", "status")
	g.formula = attrs(el("p", "ex-formula-line"), "data-formula", "playground")
	g.grids = el("div", "fm-row")
	g.work = attrs(el("p", "fm-window"), "aria-live", "polite")
	g.prev, g.play, g.next = button("◀ Previous"), button("▶ Play"), button("Next ▶")
	g.note = el("p", "fm-note")
	onSync(g.prev, "click", func(js.Value) { g.pause(); g.show(g.step - 1) })
	onSync(g.next, "click", func(js.Value) { g.pause(); g.show(g.step + 1) })
	onSync(g.play, "click", func(js.Value) {
		if g.playing {
			g.pause()
		} else {
			go guard(g.animate)
		}
	})
	appendChild(p, el("div", "ex-controls",
		label("Input size", g.in.input), label("Kernel size", g.kernel.input), label("Padding", g.mode),
		label("Padding cells", g.cells.input), label("Stride", g.stride.input), label("Dilation", g.dilate.input)))
	appendChild(p, g.formula)
	appendChild(p, g.status)
	appendChild(p, g.grids)
	appendChild(p, el("div", "fm-buttons", g.prev, g.play, g.next))
	appendChild(p, g.note)
	appendChild(p, g.work)
	g.update()
}

// reducedMotion is whether the learner asked the system for less motion.
func reducedMotion() bool {
	return js.Global().Call("matchMedia", "(prefers-reduced-motion: reduce)").Get("matches").Bool()
}

// settings reads the controls into a window.
func (g *playground) settings() (ui.Window, error) {
	w := ui.Window{Padding: g.mode.Value()}
	var errs []string
	for _, c := range []struct {
		c   control
		dst *int
	}{{g.in, &w.In}, {g.kernel, &w.Kernel}, {g.stride, &w.Stride}, {g.dilate, &w.Dilation}, {g.cells, &w.Before}} {
		v, err := c.c.value()
		if err != nil && (c.c.input != g.cells.input || w.Padding == ui.Explicit) {
			errs = append(errs, err.Error())
		}
		*c.dst = v
	}
	w.After = w.Before
	if errs != nil {
		return w, errors.New(strings.Join(errs, " "))
	}
	return w, nil
}

// update recomputes everything after a control changed.
func (g *playground) update() {
	g.recompute.run(func() {
		g.generation++
		g.playing = false
		g.cells.input.Underlying().Set("disabled", g.mode.Value() != ui.Explicit)
		clear(g.grids)
		setText(g.work, "")
		g.setButtons(false)
		w, err := g.settings()
		if err != nil {
			g.invalid(err.Error())
			return
		}
		out, before, after, err := w.Size()
		if err != nil {
			g.invalid(err.Error())
			// The engine refuses too; say so when it does (and if it
			// did not, show that it disagrees).
			if _, _, opErr := g.conv(w); opErr != nil {
				appendChild(g.status, el("p", "fm-note", "The engine (fm.ops.conv2d) refuses it too: "+opErr.Error()))
			} else {
				appendChild(g.status, el("p", "fm-error", "Yet the engine (fm.ops.conv2d) computed an output for it: please report this."))
			}
			return
		}
		g.w, g.out, g.before = w, out, before
		g.side = w.In + before + after
		g.x = playInput(w.In)
		shape, y, err := g.conv(w)
		if err != nil {
			g.invalid("fm.ops.conv2d: " + err.Error())
			return
		}
		g.y = y
		setText(g.formula, "Output size: "+w.Formula())
		g.formula.SetAttribute("data-value", strconv.Itoa(out))
		clear(g.status)
		g.status.Class().Remove("ex-invalid")
		for _, warning := range w.Warnings() {
			appendChild(g.status, el("p", "ex-warning", warning))
		}
		padded := make([]float32, g.side*g.side)
		for i, v := range g.x {
			padded[(i/w.In+before)*g.side+i%w.In+before] = v
		}
		inTable, inCells := grid("play-in", padded, g.side, g.side)
		shadePadding(inCells, g.side, g.side, before, after, before, after)
		outTable, outCells := grid("play-out", y, shape[1], shape[2])
		g.inCells, g.outCells = inCells, outCells
		caption := "Input " + ui.Shape([]int{w.In, w.In})
		if before+after > 0 {
			caption += ", padded to " + ui.Shape([]int{g.side, g.side}) + " (padding hatched)"
		}
		appendChild(g.grids, figure(caption, inTable))
		appendChild(g.grids, figure("Output "+ui.Shape(shape[1:3])+", computed by the engine", outTable))
		g.setButtons(true)
		setText(g.note, "The kernel is "+ui.Shape([]int{w.Kernel, w.Kernel})+" of 1s, so each output is the sum of the cells under the window.")
		if reducedMotion() {
			g.play.SetAttribute("disabled", "")
			setText(g.note, g.note.TextContent()+" Animation is off because your system asks for reduced motion; step with the buttons.")
		}
		g.show(0)
	})
}

// conv runs fm.ops.conv2d for w on the playground's input with a kernel of
// 1s.
func (g *playground) conv(w ui.Window) ([]int, []float32, error) {
	var padding any = w.Padding
	if w.Padding == ui.Explicit {
		padding = explicit([][]int{{w.Before, w.After}, {w.Before, w.After}})
	}
	f := make([]float32, w.Kernel*w.Kernel)
	for i := range f {
		f[i] = 1
	}
	return g.e.conv2d(playInput(w.In), w.In, w.In, f, w.Kernel, w.Kernel,
		map[string]any{"padding": padding, "strides": w.Stride, "dilations": w.Dilation})
}

// invalid shows why the settings have no output.
func (g *playground) invalid(msg string) {
	clear(g.status)
	g.status.Class().Add("ex-invalid")
	appendChild(g.status, el("p", "", msg))
	setText(g.formula, "Output size: none")
	g.formula.SetAttribute("data-value", "0")
	setText(g.note, "")
}

func (g *playground) setButtons(on bool) {
	for _, b := range []*dom.BasicHTMLElement{g.prev, g.play, g.next} {
		if on {
			b.RemoveAttribute("disabled")
		} else {
			b.SetAttribute("disabled", "")
		}
	}
	setText(g.play, "▶ Play")
}

// show highlights output i's window (wrapping around) and works it out.
func (g *playground) show(i int) {
	n := g.out * g.out
	if n == 0 {
		return
	}
	i = (i%n + n) % n
	g.step = i
	for _, c := range g.inCells {
		c.Class().Remove("fm-hl")
	}
	for _, c := range g.outCells {
		c.Class().Remove("fm-hl")
	}
	oy, ox := i/g.out, i%g.out
	var terms []string
	for ky := range g.w.Kernel {
		for kx := range g.w.Kernel {
			y, x := oy*g.w.Stride+ky*g.w.Dilation, ox*g.w.Stride+kx*g.w.Dilation
			c := g.inCells[y*g.side+x]
			c.Class().Add("fm-hl")
			terms = append(terms, c.TextContent())
		}
	}
	g.outCells[i].Class().Add("fm-hl")
	setText(g.work, "Window "+strconv.Itoa(i+1)+" of "+strconv.Itoa(n)+" (row "+strconv.Itoa(oy+1)+", column "+strconv.Itoa(ox+1)+"): "+
		strings.Join(terms, " + ")+" = "+ui.Num(g.y[i]))
}

// pause stops the animation.
func (g *playground) pause() {
	if g.playing {
		g.playing = false
		g.generation++
		setText(g.play, "▶ Play")
	}
}

// animate steps through the windows until paused, the settings change or
// the learner asks for reduced motion.
func (g *playground) animate() {
	if reducedMotion() {
		return
	}
	g.playing = true
	g.generation++
	gen := g.generation
	setText(g.play, "❚❚ Pause")
	// Each step would be announced: stay quiet while moving.
	g.work.SetAttribute("aria-live", "off")
	defer g.work.SetAttribute("aria-live", "polite")
	for {
		g.show(g.step + 1)
		sleep(playStepMs)
		if g.generation != gen || reducedMotion() {
			return
		}
	}
}
