//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// padSize is the drawing canvas's resolution; lineWidth is a pen stroke
// about as thick, relative to the digit, as MNIST's.
const (
	padSize   = 280
	lineWidth = 20
	ink       = "#111827"
)

// point is a position in canvas pixels.
type point struct{ x, y float64 }

// pad is a drawing canvas for mouse, touch and pen (pointer events) and
// for the keyboard (keyPen) that keeps its strokes, so a stroke can be
// undone.
type pad struct {
	canvas  *dom.HTMLCanvasElement
	ctx     js.Value
	strokes [][]point
	drawing bool
	// The keyboard's pen: its position, drawn by cursor (an element the
	// demo puts over the canvas) while the canvas has keyboard focus.
	at     point
	cursor *dom.BasicHTMLElement
	// onChange is called (in a new goroutine) as a stroke grows, with
	// final = false, and when it ends or strokes are undone, with true.
	onChange func(final bool)
}

func newPad() *pad {
	c := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-canvas")}
	c.SetWidth(padSize)
	c.SetHeight(padSize)
	attrs(c, "tabindex", "0", "role", "application", "aria-label", "Drawing area: draw a digit with a mouse, finger or pen; "+
		"with the keyboard, arrow keys move the pen (Shift for small steps) and Space puts it down or lifts it")
	p := &pad{canvas: c, ctx: c.Underlying().Call("getContext", "2d", map[string]any{"willReadFrequently": true}),
		at: point{padSize / 2, padSize / 2}, cursor: attrs(el("div", "fm-cursor"), "aria-hidden", "true")}
	p.placeCursor()
	p.ctx.Set("lineCap", "round")
	p.ctx.Set("lineJoin", "round")
	onSync(c, "pointerdown", func(ev js.Value) {
		ev.Call("preventDefault")
		e := ev
		c.Underlying().Call("setPointerCapture", e.Get("pointerId"))
		p.drawing = true
		p.strokes = append(p.strokes, []point{p.pos(e)})
		p.paintStroke(p.strokes[len(p.strokes)-1])
		p.changed(false)
	})
	onSync(c, "pointermove", func(ev js.Value) {
		if !p.drawing {
			return
		}
		e := ev
		events := []js.Value{e}
		if f := e.Get("getCoalescedEvents"); f.Type() == js.TypeFunction {
			if list := e.Call("getCoalescedEvents"); list.Length() > 0 {
				events = make([]js.Value, list.Length())
				for i := range events {
					events[i] = list.Index(i)
				}
			}
		}
		s := &p.strokes[len(p.strokes)-1]
		from := len(*s) - 1
		for _, ce := range events {
			*s = append(*s, p.pos(ce))
		}
		p.paintStroke((*s)[from:])
		p.changed(false)
	})
	end := func(js.Value) {
		if p.drawing {
			p.drawing = false
			p.changed(true)
		}
	}
	onSync(c, "pointerup", end)
	onSync(c, "pointercancel", end)
	onSync(c, "keydown", p.keyPen)
	onSync(c, "blur", end)
	return p
}

// keyStep and keyFine are how far an arrow key moves the keyboard's pen,
// in canvas pixels (with Shift: keyFine).
const keyStep, keyFine = 14, 4

// keyPen draws with the keyboard: arrow keys move the pen, extending the
// stroke while it is down; Space or Enter puts it down (starting a stroke
// with a dot) or lifts it (ending the stroke, which is then classified).
func (p *pad) keyPen(ev js.Value) {
	step := float64(keyStep)
	if ev.Get("shiftKey").Bool() {
		step = keyFine
	}
	var dx, dy float64
	switch ev.Get("key").String() {
	case "ArrowLeft":
		dx = -step
	case "ArrowRight":
		dx = step
	case "ArrowUp":
		dy = -step
	case "ArrowDown":
		dy = step
	case " ", "Enter":
		ev.Call("preventDefault")
		if p.drawing {
			p.drawing = false
			p.changed(true)
			return
		}
		p.drawing = true
		p.strokes = append(p.strokes, []point{p.at})
		p.paintStroke(p.strokes[len(p.strokes)-1])
		p.changed(false)
		return
	default:
		return
	}
	ev.Call("preventDefault")
	from := p.at
	p.at = point{min(max(p.at.x+dx, 0), padSize), min(max(p.at.y+dy, 0), padSize)}
	p.placeCursor()
	if p.drawing {
		s := &p.strokes[len(p.strokes)-1]
		*s = append(*s, p.at)
		p.paintStroke([]point{from, p.at})
		p.changed(false)
	}
}

// placeCursor moves the keyboard pen's cursor to p.at.
func (p *pad) placeCursor() {
	pct := func(v float64) string { return strconv.FormatFloat(100*v/padSize, 'f', 2, 64) + "%" }
	p.cursor.Style().SetProperty("left", pct(p.at.x), "")
	p.cursor.Style().SetProperty("top", pct(p.at.y), "")
}

// pos is an event's position in canvas pixels.
func (p *pad) pos(e js.Value) point {
	r := p.canvas.GetBoundingClientRect()
	return point{
		(e.Get("clientX").Float() - r.Left()) * padSize / r.Width(),
		(e.Get("clientY").Float() - r.Top()) * padSize / r.Height(),
	}
}

func (p *pad) changed(final bool) {
	if p.onChange != nil {
		go guard(func() { p.onChange(final) })
	}
}

// paintStroke draws a polyline (a dot for a single point).
func (p *pad) paintStroke(s []point) {
	ctx := p.ctx
	ctx.Set("strokeStyle", ink)
	ctx.Set("lineWidth", lineWidth)
	ctx.Call("beginPath")
	ctx.Call("moveTo", s[0].x, s[0].y)
	if len(s) == 1 {
		ctx.Call("lineTo", s[0].x+0.01, s[0].y)
	}
	for _, q := range s[1:] {
		ctx.Call("lineTo", q.x, q.y)
	}
	ctx.Call("stroke")
}

// repaint clears the canvas and draws every stroke again.
func (p *pad) repaint() {
	p.ctx.Call("clearRect", 0, 0, padSize, padSize)
	for _, s := range p.strokes {
		p.paintStroke(s)
	}
}

func (p *pad) empty() bool { return len(p.strokes) == 0 }

func (p *pad) undo() {
	if len(p.strokes) > 0 {
		p.strokes = p.strokes[:len(p.strokes)-1]
		p.repaint()
		p.changed(true)
	}
}

func (p *pad) clear() {
	p.strokes = nil
	p.repaint()
	p.changed(true)
}

// show draws an image (an uploaded file) fitted into the canvas, replacing
// the strokes.
func (p *pad) show(img js.Value) {
	p.strokes = nil
	p.repaint()
	w, h := img.Get("width").Float(), img.Get("height").Float()
	s := min(padSize/w, padSize/h)
	p.ctx.Set("imageSmoothingEnabled", w > padSize/4 || h > padSize/4)
	p.ctx.Call("drawImage", img, (padSize-w*s)/2, (padSize-h*s)/2, w*s, h*s)
}
