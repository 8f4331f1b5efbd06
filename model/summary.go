package model

import (
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/featuremap/featuremap/internal/msg"
)

// Summary is the parameter table of a network, like Keras' model.summary().
// Its JSON form is the JS API's model.summary().
type Summary struct {
	Name        string       `json:"name"`
	Input       []int        `json:"inputShape"` // [H, W, C]
	Layers      []SummaryRow `json:"layers"`
	Weights     int          `json:"weights"`     // Σ Layers[i].Weights
	Biases      int          `json:"biases"`      // Σ Layers[i].Biases
	TotalParams int          `json:"totalParams"` // Σ Layers[i].Params
}

// SummaryRow is one layer of a Summary. OutputShape omits the batch.
type SummaryRow struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	OutputShape []int  `json:"outputShape"`
	Weights     int    `json:"weights"` // parameters of kind layers.KindWeight
	Biases      int    `json:"biases"`  // parameters of kind layers.KindBias
	// Params counts all parameters: Weights + Biases + statistics
	// (layers.KindStatistic, such as a batch norm's moving mean).
	Params int `json:"params"`
}

// Summary returns g's parameter table.
func (g *Graph) Summary() Summary {
	s := Summary{Name: g.Arch.Name, Input: g.Input, Layers: make([]SummaryRow, len(g.Nodes))}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		r := SummaryRow{Name: n.Layer.Name, Type: n.Layer.Type(), OutputShape: n.Shape, Weights: n.Weights(), Biases: n.Biases(), Params: n.NumParams()}
		s.Layers[i] = r
		s.Weights += r.Weights
		s.Biases += r.Biases
		s.TotalParams += r.Params
	}
	return s
}

// String renders s as a table:
//
//	Model: "seednet"
//	Layer (type)        Output shape         Weights  Biases  Params
//	=================================================================
//	conv1 (conv2d)      (None, 28, 28, 64)       576      64     640
//	…
//	=================================================================
//	Total params: 126,090 (weights 126,016, biases 74)
//
// with ", statistics S" after the biases when the network has moving
// statistics (batchnorm).
func (s Summary) String() string {
	rows := [][]string{{"Layer (type)", "Output shape", "Weights", "Biases", "Params"}}
	for _, r := range s.Layers {
		rows = append(rows, []string{
			r.Name + " (" + r.Type + ")", shapeString(r.OutputShape),
			thousands(r.Weights), thousands(r.Biases), thousands(r.Params),
		})
	}
	var width [5]int
	for _, row := range rows {
		for c, cell := range row {
			width[c] = max(width[c], utf8.RuneCountInString(cell))
		}
	}
	total := width[0] + width[1] + width[2] + width[3] + width[4] + 4*2
	b := []byte("Model: " + msg.Quote(s.Name) + ", input " + shapeString(s.Input) + "\n")
	for i, row := range rows {
		// Names and shapes flush left, counts flush right, two spaces apart.
		start := len(b)
		for c, cell := range row {
			pad := width[c] - utf8.RuneCountInString(cell)
			if c > 0 {
				b = repeat(b, ' ', 2)
			}
			if c >= 2 {
				b = repeat(b, ' ', pad)
			}
			b = append(b, cell...)
			if c < 2 {
				b = repeat(b, ' ', pad)
			}
		}
		for len(b) > start && b[len(b)-1] == ' ' {
			b = b[:len(b)-1]
		}
		b = append(b, '\n')
		if i == 0 {
			b = append(repeat(b, '=', total), '\n')
		}
	}
	b = append(repeat(b, '=', total), '\n')
	b = append(b, "Total params: "+thousands(s.TotalParams)+" (weights "+thousands(s.Weights)+", biases "+thousands(s.Biases)...)
	if stats := s.TotalParams - s.Weights - s.Biases; stats > 0 {
		b = append(b, ", statistics "+thousands(stats)...)
	}
	return string(append(b, ")\n"...))
}

// repeat appends n copies of c to b.
func repeat(b []byte, c byte, n int) []byte {
	for range n {
		b = append(b, c)
	}
	return b
}

// WriteTo writes s.String() to w.
func (s Summary) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, s.String())
	return int64(n), err
}

// shapeString renders a per-example shape with Keras' batch placeholder:
// [28 28 64] → "(None, 28, 28, 64)".
func shapeString(shape []int) string {
	parts := []string{"None"}
	for _, d := range shape {
		parts = append(parts, strconv.Itoa(d))
	}
	return "(" + msg.Join(parts, ", ") + ")"
}

// thousands formats a count v ≥ 0 with comma separators: 126090 → "126,090".
func thousands(v int) string {
	s := strconv.Itoa(v)
	start := len(s) % 3
	b := []byte(s[:start])
	for i := start; i < len(s); i += 3 {
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = append(b, s[i:i+3]...)
	}
	return string(b)
}
