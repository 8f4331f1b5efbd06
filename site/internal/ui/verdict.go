package ui

import "strconv"

// NotDigitReason says in one line why the demo finds that an input does
// not look like a digit. reason is one of model.inspect's verdict reasons
// (model/confidence): the preprocessing findings "blank", "dot", "line"
// and "several", or "uncertain", when the top probability leads the
// second by margin, less than minMargin.
func NotDigitReason(reason string, margin, minMargin float32) string {
	switch reason {
	case "blank":
		return "Nothing stands out from the background."
	case "dot":
		return "The ink is a dot: too small or too round to be a digit."
	case "line":
		return "The ink is one flat or slanted stroke, not an upright 1."
	case "several":
		return "There are several separate marks: one digit at a time, please."
	case "uncertain":
		return "The network is unsure: its top two answers are only " + points(margin) +
			" percentage points apart (a digit needs " + points(minMargin) + ")."
	}
	return "It does not look like one digit (" + reason + ")."
}

// points renders a difference of probabilities in percentage points,
// rounded down ("12" for 0.129), so that a margin just under the
// threshold never reads as equal to it.
func points(p float32) string {
	return strconv.Itoa(int(p * 100))
}

// SeenNote describes what preprocessing did to an image to make the
// network's 28×28 input, from model.inspect's report: its flags
// ("letterbox", "uneven-light", "dropped") and lightPaper (dark ink on
// light paper, inverted to MNIST's light ink on black).
func SeenNote(flags []string, lightPaper bool) string {
	note := "Cropped to the ink, scaled into 20×20 and centred by mass, as MNIST's digits were"
	for _, f := range flags {
		switch f {
		case "letterbox":
			note += "; letterbox bars cut off"
		case "uneven-light":
			note += "; uneven light and shadows flattened"
		case "dropped":
			note += "; stray marks left out"
		}
	}
	if lightPaper {
		note += "; inverted (MNIST has light ink on black)"
	}
	return note + "."
}

// Grayscale renders a W×H map of values as opaque gray RGBA pixels, its
// smallest value black and its largest white (all black when they are
// equal): the network's input, drawn as MNIST images are.
func Grayscale(data []float32) []byte {
	pix := make([]byte, 4*len(data))
	if len(data) == 0 {
		return pix
	}
	lo, hi := data[0], data[0]
	for _, v := range data {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range data {
		g := byte(0)
		if hi > lo {
			g = byte((v-lo)/(hi-lo)*255 + 0.5)
		}
		pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = g, g, g, 255
	}
	return pix
}
