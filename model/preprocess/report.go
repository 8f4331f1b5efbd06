package preprocess

import "github.com/featuremap/featuremap/internal/msg"

// Report says what the MNIST preprocessing found in an image: the 28×28
// field it wrote is what the network sees, the Report says why. Boxes are
// in pixels of the image, (0, 0) its top-left pixel (for an image.Image
// read through package imageinput, relative to Bounds().Min). The zero
// Report is an image fitted by a non-MNIST kind (Spec.Kind "resize"),
// where nothing is analysed.
type Report struct {
	Width      int     `json:"width"`
	Height     int     `json:"height"`
	Content    Rect    `json:"content"`    // the image without letterbox bars
	Ink        Rect    `json:"ink"`        // the box scaled to 20×20 (empty when Blank)
	LightPaper bool    `json:"lightPaper"` // the background was lighter than the ink (inverted)
	Contrast   float32 `json:"contrast"`   // the largest ink-to-paper difference, in [0, 1]

	// Ink components: 8-connected regions of cells above the ink level on
	// the working grid (the image at most 256 cells a side, each cell the
	// mean of Cell×Cell pixels).
	Cell       int `json:"cell"`       // pixels per working cell, each way
	Components int `json:"components"` // found
	Kept       int `json:"kept"`       // kept as the digit
	Specks     int `json:"specks"`     // dropped: smaller than 1/25 of the largest, outside the digit's box
	Border     int `json:"border"`     // dropped: touching the content's border, away from the digit
	Apart      int `json:"apart"`      // dropped: away from the digit (other marks, a second digit)

	Flags Flags `json:"flags"`
}

// Rect is the rectangle of pixels [X0, X1) × [Y0, Y1).
type Rect struct {
	X0 int `json:"x0"`
	Y0 int `json:"y0"`
	X1 int `json:"x1"`
	Y1 int `json:"y1"`
}

// Flags are the Report's findings, a bit set.
type Flags uint16

const (
	// Blank: no ink differs from the paper by 0.1 or more, or what does
	// covers over 40 % of the page (noise, texture); the field is zero.
	Blank Flags = 1 << iota
	// Letterbox: uniform bars at the image's edges were cut off.
	Letterbox
	// UnevenLight: the estimated paper brightness varies by more than 0.15
	// (a gradient or a shadow was flattened away).
	UnevenLight
	// Dropped: some ink was left out (specks, marks at the border or apart).
	Dropped
	// Dot: the ink is a dot, not a digit: its box is under 12 % of the
	// content's shorter side (34 pixels of a 280-pixel pad), or a filled
	// blob (over 70 % of its box, sides within 60 % of each other).
	Dot
	// Line: the ink is one straight stroke further than 30° from the
	// vertical (a vertical or slanted stroke is a 1).
	Line
	// Several: two or more separate digit-sized marks, side by side or apart
	// (as "12"): one digit was expected.
	Several
)

// NotDigit are the findings that mean the input does not look like one digit.
const NotDigit = Blank | Dot | Line | Several

var flagNames = [...]string{"blank", "letterbox", "uneven-light", "dropped", "dot", "line", "several"}

// Names lists the set flags' names (stable identifiers for JSON and UIs),
// in bit order.
func (f Flags) Names() []string {
	var names []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

func (f Flags) String() string { return msg.Join(f.Names(), "|") }

// MarshalJSON encodes f as the array of its names.
func (f Flags) MarshalJSON() ([]byte, error) {
	names := f.Names()
	if len(names) == 0 {
		return []byte("[]"), nil
	}
	return []byte(`["` + msg.Join(names, `","`) + `"]`), nil
}
