package model

import (
	"io"
	"strconv"
	"strings"
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
	var b strings.Builder
	b.WriteString("Model: " + msg.Quote(s.Name) + ", input " + shapeString(s.Input) + "\n")
	for i, row := range rows {
		// Names and shapes flush left, counts flush right, two spaces apart.
		var line string
		for c, cell := range row {
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell))
			if c > 0 {
				line += "  "
			}
			if c < 2 {
				line += cell + pad
			} else {
				line += pad + cell
			}
		}
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
		if i == 0 {
			b.WriteString(strings.Repeat("=", total) + "\n")
		}
	}
	b.WriteString(strings.Repeat("=", total) + "\n")
	b.WriteString("Total params: " + thousands(s.TotalParams) + " (weights " + thousands(s.Weights) + ", biases " + thousands(s.Biases))
	if stats := s.TotalParams - s.Weights - s.Biases; stats > 0 {
		b.WriteString(", statistics " + thousands(stats))
	}
	b.WriteString(")\n")
	return b.String()
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
	return "(" + strings.Join(parts, ", ") + ")"
}

// thousands formats a count v ≥ 0 with comma separators: 126090 → "126,090".
func thousands(v int) string {
	s := strconv.Itoa(v)
	start := len(s) % 3
	var b strings.Builder
	b.WriteString(s[:start])
	for i := start; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
