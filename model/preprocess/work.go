package preprocess

import "math"

// The photo analysis of MNIST preprocessing runs on a working grid: the
// image averaged over Cell×Cell blocks, Cell the smallest integer making
// both sides at most workSide cells. Its buffers are therefore bounded
// (four float32 grids and four more padded by a sixth of the longer side
// each way, two int32 grids, a mask and at most 16,384 components: about
// 5 MB) whatever the image size, and reused (getWork, putWork).
const workSide = 256

// Analysis constants (see analyse).
const (
	barTolerance   = 0.08 // a letterbox row or column varies by at most this
	barStep        = 0.2  // and differs from the next one by more than this
	closingDivisor = 6    // closing radius = longer content side / 6 cells
	paperFloor     = 0.05 // paper darker than this carries no information
	componentLevel = 0.35 // ink cells: above this fraction of the peak
	speckDivisor   = 25   // specks: smaller than the largest component / 25
	maxCandidates  = 32   // the largest components considered for the digit
	mergeGap       = 0.4  // merged: within this fraction of the digit's longer side
	maxInkShare    = 0.4  // Blank: the digit's cells cover more of the content than this
	dotSide        = 0.12 // Dot: ink box under this fraction of the content's shorter side
	lineElongation = 0.2  // Line: minor/major axis ratio below this …
	lineAngle      = 30   // … and the major axis further from vertical than this (degrees)
)

// component is one 8-connected region of ink cells on the working grid.
type component struct {
	area           int
	x0, y0, x1, y1 int // cell box [x0, x1) × [y0, y1)
	border         bool
	kept           bool
}

func (c *component) side() int { return max(c.x1-c.x0, c.y1-c.y0) }

// work holds one analysis: the image, the grid and its buffers.
type work struct {
	p      pixels
	f      int // pixels per cell, each way
	ox, oy int // the content's top-left pixel
	cw, ch int // the content's size in cells
	light  bool
	peak   float32 // the largest relative ink among kept pixels

	paper, bg, t1, t2 []float32 // cw×ch: paper-bright intensity, its closing, scratch
	pa, pb, pc, pd    []float32 // the grid padded for the closing
	label, q          []int32
	mask              []uint8
	comps             []component
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// analyse finds the digit's ink in w.p and fills rep; afterwards w.ink
// gives each pixel's normalised ink. It returns false for a blank image.
//
//  1. Grid: the luma (or opacity, for a drawing on a clear canvas) averaged
//     over Cell×Cell blocks.
//  2. Letterbox: runs of uniform rows or columns at an edge (each within
//     barTolerance, under a third of the image) that end in a step of more
//     than barStep along the whole edge are bars, cut from the content.
//  3. Polarity: see lightPaper.
//  4. Flattening: the paper under the ink is the closing of the
//     paper-bright grid (see closing), radius a sixth of its longer side;
//     ink is 1 - intensity/paper, the darkening relative to the local
//     paper, so a digit half in shadow keeps one contrast (a Retinex-style
//     reflectance). If no cell is darker than its paper by minContrast the
//     image is Blank.
//  5. Components: cells above componentLevel × the peak ink, 8-connected.
//     Specks (under 1/speckDivisor of the largest) are dropped unless
//     they lie inside the digit's box. The digit
//     starts from the largest component, or the largest not touching the
//     content's border if that has half its area or more, and takes in
//     each other component within mergeGap × its longer side (a 5's
//     detached bar, a broken 4), except long marks at the border (more
//     than 1.5 times the digit's side: a ruled line, the paper's edge).
//     If the digit's cells cover more than maxInkShare of the content, the
//     "ink" is texture (sensor noise over an empty page, paper grain): Blank.
//  6. Findings: Dot, Line and Several from the kept cells' geometry.
//
// Pixels count as ink only near a kept component (see inkMask).
func (w *work) analyse(p *pixels, rep *Report) bool {
	w.p = *p
	f := (max(p.w, p.h) + workSide - 1) / workSide
	gw, gh := (p.w+f-1)/f, (p.h+f-1)/f
	w.f = f
	rep.Cell = f

	// 1. The whole grid, in t1.
	w.t1 = grow(w.t1, gw*gh)
	for cy := range gh {
		for cx := range gw {
			var s float32
			n := 0
			for y := cy * f; y < min(p.h, (cy+1)*f); y++ {
				for x := cx * f; x < min(p.w, (cx+1)*f); x++ {
					s += p.gray(x, y)
					n++
				}
			}
			w.t1[cy*gw+cx] = s / float32(n)
		}
	}

	// 2. Letterbox.
	top := bar(w.t1, 0, gw, 1, gh, gw)
	bottom := bar(w.t1, (gh-1)*gw, -gw, 1, gh, gw)
	left := bar(w.t1, 0, 1, gw, gw, gh)
	right := bar(w.t1, gw-1, -1, gw, gw, gh)
	if top+bottom+left+right > 0 {
		rep.Flags |= Letterbox
		if f > 1 { // the cells at the bar's edge mix bar and content
			top, bottom, left, right = skipMixed(top), skipMixed(bottom), skipMixed(left), skipMixed(right)
		}
	}
	cx0, cy0, cx1, cy1 := left, top, gw-right, gh-bottom
	if cx1-cx0 < 1 || cy1-cy0 < 1 {
		cx0, cy0, cx1, cy1 = 0, 0, gw, gh
	}
	w.cw, w.ch = cx1-cx0, cy1-cy0
	w.ox, w.oy = cx0*f, cy0*f
	rep.Content = Rect{w.ox, w.oy, min(p.w, cx1*f), min(p.h, cy1*f)}
	n := w.cw * w.ch
	w.paper, w.bg, w.t2 = grow(w.paper, n), grow(w.bg, n), grow(w.t2, n)
	w.label, w.q, w.mask = grow(w.label, n), grow(w.q, n), grow(w.mask, n)
	for y := range w.ch {
		copy(w.paper[y*w.cw:(y+1)*w.cw], w.t1[(cy0+y)*gw+cx0:])
	}

	// 3. Polarity.
	w.light = w.lightPaper()
	rep.LightPaper = w.light
	if !w.light {
		for i, v := range w.paper {
			w.paper[i] = 1 - v
		}
	}

	// 4. Flattening.
	w.paperEstimate(max(1, max(w.cw, w.ch)/closingDivisor))
	rel := w.t2
	var contrast, peak float32
	bgLo, bgHi := float32(1), float32(0)
	for i, v := range w.paper {
		b := w.bg[i]
		bgLo, bgHi = min(bgLo, b), max(bgHi, b)
		contrast = max(contrast, b-v)
		rel[i] = 0
		if b > paperFloor {
			rel[i] = max(0, 1-v/b)
		}
		peak = max(peak, rel[i])
	}
	rep.Contrast = contrast
	if bgHi-bgLo > 0.15 {
		rep.Flags |= UnevenLight
	}
	if contrast < minContrast || peak <= 0 {
		rep.Flags |= Blank
		return false
	}

	// 5. Components.
	w.components(rel, peak*componentLevel)
	rep.Components = len(w.comps)
	w.selectDigit(rep)
	keptCells := 0
	for _, l := range w.label {
		if l != 0 && w.comps[l-1].kept {
			keptCells++
		}
	}
	if rep.Kept == 0 || float64(keptCells) > maxInkShare*float64(n) {
		rep.Flags |= Blank // nothing, or texture: noise over the whole page
		return false
	}
	if rep.Specks+rep.Border+rep.Apart > 0 {
		rep.Flags |= Dropped
	}
	w.shape(rel, rep)

	w.inkMask(rel)
	w.peak = 1
	var pk float32
	c := rep.Content
	for y := c.Y0; y < c.Y1; y++ {
		for x := c.X0; x < c.X1; x++ {
			pk = max(pk, w.ink(x, y))
		}
	}
	if pk <= 0 {
		rep.Flags |= Blank
		return false
	}
	w.peak = pk
	return true
}

// lightPaper reports whether the content's paper is lighter than its ink.
// Only an evenly lit background can be dark: a photo's paper (under 60 %
// of its border cells within ±0.04 of their median: a gradient, a shadow)
// is light, since ink on paper is darker than the paper however the light
// falls, while a shadow may make most of the page darker than the ink's
// mid-grey. So is an even background of median 0.5 or more. An even, darker
// background is dark (light ink, as a drawing on a black canvas) unless
// cells reach below it by minContrast and are fewer than those reaching as
// far above it (the ink is the minority: a page mostly in an even shadow).
func (w *work) lightPaper() bool {
	var hist [256]int
	n := 0
	add := func(v float32) {
		hist[int(v*255+0.5)]++
		n++
	}
	for x := range w.cw {
		add(w.paper[x])
		if w.ch > 1 {
			add(w.paper[(w.ch-1)*w.cw+x])
		}
	}
	for y := 1; y < w.ch-1; y++ {
		add(w.paper[y*w.cw])
		if w.cw > 1 {
			add(w.paper[y*w.cw+w.cw-1])
		}
	}
	med, seen := 0, 0
	for v, c := range hist {
		if seen += c; 2*seen >= n {
			med = v
			break
		}
	}
	near := 0 // border cells within ±0.04 of the median
	for v := max(0, med-10); v <= min(255, med+10); v++ {
		near += hist[v]
	}
	if 5*near < 3*n || med >= 128 {
		return true
	}
	m := float32(med) / 255
	lo, hi := float32(1), float32(0)
	for _, v := range w.paper {
		lo, hi = min(lo, v), max(hi, v)
	}
	if m-lo < minContrast {
		return false
	}
	darker, brighter := 0, 0
	for _, v := range w.paper {
		switch {
		case v < (lo+m)/2:
			darker++
		case v > (m+hi)/2:
			brighter++
		}
	}
	return darker <= brighter
}

// paperEstimate sets w.bg to the closing of w.paper with radius r, the
// grid first padded by r cells on every side with copies of its edge cells:
// with the windows merely clipped at the edges, a slope of light near an
// edge (a shadow along the page's border) would be overestimated by up to
// r times the slope and read as ink; padded, a linear ramp is kept exactly
// up to the edges.
func (w *work) paperEstimate(r int) {
	pw, ph := w.cw+2*r, w.ch+2*r
	w.pa, w.pb, w.pc, w.pd = grow(w.pa, pw*ph), grow(w.pb, pw*ph), grow(w.pc, pw*ph), grow(w.pd, pw*ph)
	if len(w.q) < max(pw, ph) {
		w.q = make([]int32, max(pw, ph, w.cw*w.ch))
	}
	for y := range ph {
		sy := min(w.ch-1, max(0, y-r))
		for x := range pw {
			w.pa[y*pw+x] = w.paper[sy*w.cw+min(w.cw-1, max(0, x-r))]
		}
	}
	closing(w.pb, w.pa, w.pc, w.pd, w.q, pw, ph, r)
	for y := range w.ch {
		copy(w.bg[y*w.cw:(y+1)*w.cw], w.pb[(y+r)*pw+r:])
	}
}

// inkMask sets w.mask to the kept components' cells dilated by half their
// stroke width plus one cell, so a stroke's faint fringe (below the
// component level, as MNIST's anti-aliased edges) stays with it while
// faint marks further away (a ruled line, shading) do not. The stroke width
// is estimated as 2 × area / boundary cells (a stroke of width W and length
// L has area W·L and about 2L boundary cells). It overwrites the paper
// grid, t1 and rel, which are not needed afterwards.
func (w *work) inkMask(rel []float32) {
	n := w.cw * w.ch
	kept := w.t1[:n]
	area, boundary := 0, 0
	for i, l := range w.label {
		kept[i] = 0
		if l == 0 || !w.comps[l-1].kept {
			continue
		}
		kept[i] = 1
		area++
		x, y := i%w.cw, i/w.cw
		for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
			xx, yy := x+d[0], y+d[1]
			if xx < 0 || yy < 0 || xx >= w.cw || yy >= w.ch || w.label[yy*w.cw+xx] != l {
				boundary++
				break
			}
		}
	}
	reach := int(math.Ceil(float64(area)/float64(max(1, boundary)))) + 1 // half the width, plus one
	runningExtreme(rel, kept, w.paper, w.q, w.cw, w.ch, reach, true)
	for i, v := range rel {
		w.mask[i] = 0
		if v > 0 {
			w.mask[i] = 1
		}
	}
}

// bar returns the number of letterbox lines at one edge of a grid: lines
// start, start+step, … (each of n cells, along apart) that are uniform and
// equal to the first, under a third of the count lines, followed (after
// one line of mixed cells) by a line whose cells differ from the bar by
// more than barStep for at least 80 % of them: a step along the whole
// edge, not the side of a digit. It returns 0 when there is no bar.
func bar(g []float32, start, step, along, count, n int) int {
	line := func(k int) (m, lo, hi float32) {
		lo, hi = 1, 0
		for i := range n {
			v := g[start+k*step+i*along]
			m += v
			lo, hi = min(lo, v), max(hi, v)
		}
		return m / float32(n), lo, hi
	}
	first, _, _ := line(0)
	k := 0
	for ; k < count/3; k++ {
		m, lo, hi := line(k)
		if hi-lo > barTolerance || abs32(m-first) > barTolerance/2 {
			break
		}
	}
	if k == 0 || k >= count/3 {
		return 0
	}
	next, differ := min(k+1, count-1), 0
	for i := range n {
		if abs32(g[start+next*step+i*along]-first) > barStep {
			differ++
		}
	}
	if 5*differ < 4*n {
		return 0
	}
	return k
}

func skipMixed(k int) int {
	if k > 0 {
		return k + 1
	}
	return 0
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// components labels the 8-connected regions of cells of rel above level in
// w.label (0: none, i+1: w.comps[i]).
func (w *work) components(rel []float32, level float32) {
	w.comps = w.comps[:0]
	for i := range w.label {
		w.label[i] = 0
	}
	for start, v := range rel {
		if v <= level || w.label[start] != 0 {
			continue
		}
		id := int32(len(w.comps) + 1)
		c := component{x0: w.cw, y0: w.ch}
		w.label[start] = id
		w.q[0] = int32(start)
		for sp := 1; sp > 0; {
			sp--
			i := int(w.q[sp])
			x, y := i%w.cw, i/w.cw
			c.area++
			c.x0, c.x1, c.y0, c.y1 = min(c.x0, x), max(c.x1, x+1), min(c.y0, y), max(c.y1, y+1)
			for yy := max(0, y-1); yy < min(w.ch, y+2); yy++ {
				for xx := max(0, x-1); xx < min(w.cw, x+2); xx++ {
					if j := yy*w.cw + xx; w.label[j] == 0 && rel[j] > level {
						w.label[j] = id
						w.q[sp] = int32(j)
						sp++
					}
				}
			}
		}
		c.border = c.x0 == 0 || c.y0 == 0 || c.x1 == w.cw || c.y1 == w.ch
		w.comps = append(w.comps, c)
	}
}

// selectDigit marks the kept components (step 5 of analyse) and counts
// the dropped ones in rep.
func (w *work) selectDigit(rep *Report) {
	if len(w.comps) == 0 {
		return
	}
	largest := 0
	for _, c := range w.comps {
		largest = max(largest, c.area)
	}
	// The maxCandidates largest non-speck components, largest first.
	var cand [maxCandidates]int
	nc := 0
	for i, c := range w.comps {
		if c.area*speckDivisor < largest {
			rep.Specks++
			continue
		}
		j := nc
		if nc < maxCandidates {
			nc++
		} else if c.area <= w.comps[cand[nc-1]].area {
			rep.Apart++
			continue
		} else {
			rep.Apart++ // the smallest candidate is pushed out
			j = nc - 1
		}
		for ; j > 0 && w.comps[cand[j-1]].area < c.area; j-- {
			cand[j] = cand[j-1]
		}
		cand[j] = i
	}
	// The digit's first component: the largest, unless it touches the
	// border and a component inside has at least half its area (a shadow's
	// edge or the paper's edge is larger than the digit it frames; a digit
	// drawn to the pad's edge is larger than its detached pieces).
	first := cand[0]
	for _, i := range cand[:nc] {
		if c := &w.comps[i]; !c.border && 2*c.area >= w.comps[cand[0]].area {
			first = i
			break
		}
	}
	m := &w.comps[first]
	m.kept = true
	gx0, gy0, gx1, gy1 := m.x0, m.y0, m.x1, m.y1
	for changed := true; changed; {
		changed = false
		for _, i := range cand[:nc] {
			c := &w.comps[i]
			if c.kept || c.border && 2*c.side() > 3*m.side() {
				continue
			}
			gap := max(c.x0-gx1, gx0-c.x1, c.y0-gy1, gy0-c.y1)
			if float64(gap) <= mergeGap*float64(max(gx1-gx0, gy1-gy0)) {
				c.kept, changed = true, true
				gx0, gy0, gx1, gy1 = min(gx0, c.x0), min(gy0, c.y0), max(gx1, c.x1), max(gy1, c.y1)
			}
		}
	}
	// Specks inside the digit's box are its own (a faint stroke's pieces).
	for i := range w.comps {
		if c := &w.comps[i]; c.area*speckDivisor < largest && c.x0 >= gx0 && c.y0 >= gy0 && c.x1 <= gx1 && c.y1 <= gy1 {
			c.kept = true
			rep.Specks--
			rep.Kept++
		}
	}
	// Several digits: two kept digit-sized components side by side, or a
	// digit-sized one left apart.
	digitSized := func(c *component, h int) bool {
		return 10*(c.y1-c.y0) >= 6*h && 5*c.area >= m.area
	}
	for a, i := range cand[:nc] {
		c := &w.comps[i]
		switch {
		case c.kept:
			rep.Kept++
			if !digitSized(c, gy1-gy0) {
				continue
			}
			for _, j := range cand[a+1 : nc] {
				d := &w.comps[j]
				overlap := min(c.x1, d.x1) - max(c.x0, d.x0)
				if d.kept && digitSized(d, gy1-gy0) && 5*overlap <= min(c.x1-c.x0, d.x1-d.x0) {
					rep.Flags |= Several
				}
			}
		case c.border:
			rep.Border++
		default:
			rep.Apart++
			if digitSized(c, m.y1-m.y0) && 10*c.area >= 3*m.area {
				rep.Flags |= Several
			}
		}
	}
}

// shape sets Dot and Line from the kept cells (step 6 of analyse).
func (w *work) shape(rel []float32, rep *Report) {
	x0, y0, x1, y1 := w.cw, w.ch, 0, 0
	var m, mx, my, mxx, myy, mxy float64
	area := 0
	for i, l := range w.label {
		if l == 0 || !w.comps[l-1].kept {
			continue
		}
		x, y := i%w.cw, i/w.cw
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
		v, fx, fy := float64(rel[i]), float64(x), float64(y)
		m += v
		mx, my = mx+v*fx, my+v*fy
		mxx, myy, mxy = mxx+v*fx*fx, myy+v*fy*fy, mxy+v*fx*fy
		area++
	}
	bw, bh := x1-x0, y1-y0
	if float64(max(bw, bh)) < dotSide*float64(min(w.cw, w.ch)) ||
		10*area > 7*bw*bh && 10*min(bw, bh) > 6*max(bw, bh) {
		rep.Flags |= Dot
		return
	}
	// Principal axes of the ink (second central moments).
	mx, my = mx/m, my/m
	sxx, syy, sxy := mxx/m-mx*mx+1.0/12, myy/m-my*my+1.0/12, mxy/m-mx*my
	d := math.Sqrt((sxx-syy)*(sxx-syy)/4 + sxy*sxy)
	major, minor := (sxx+syy)/2+d, (sxx+syy)/2-d
	fromVertical := 90 - math.Abs(math.Atan2(2*sxy, sxx-syy)*90/math.Pi) // major axis angle from the y axis
	if math.Sqrt(max(0, minor)/major) < lineElongation && fromVertical > lineAngle {
		rep.Flags |= Line
	}
}

// ink returns pixel (x, y)'s ink in [0, 1]: its darkening relative to the
// paper (see analyse), divided by the peak over the kept pixels; zero
// outside the ink mask.
func (w *work) ink(x, y int) float32 {
	cx, cy := (x-w.ox)/w.f, (y-w.oy)/w.f
	if x < w.ox || y < w.oy || cx >= w.cw || cy >= w.ch || w.mask[cy*w.cw+cx] == 0 {
		return 0
	}
	v := w.p.gray(x, y)
	if !w.light {
		v = 1 - v
	}
	b := w.paperAt(cx, cy)
	if b <= paperFloor {
		return 0
	}
	return min(1, max(0, (1-v/b)/w.peak))
}

// paperAt is the paper estimate for a pixel in cell (cx, cy): the darkest
// estimate of that cell and its 8 neighbours. A shadow edge crossing the
// cell leaves no paper counted as ink on its dark side; elsewhere the
// estimate is low by at most a cell's share of the light's slope, which
// only lowers faint ink.
func (w *work) paperAt(cx, cy int) float32 {
	b := float32(1)
	for y := max(0, cy-1); y < min(w.ch, cy+2); y++ {
		for x := max(0, cx-1); x < min(w.cw, cx+2); x++ {
			b = min(b, w.bg[y*w.cw+x])
		}
	}
	return b
}
