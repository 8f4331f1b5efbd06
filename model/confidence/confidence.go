// Package confidence says whether a digit classifier's answer deserves
// trust. A softmax always sums to 1, so it names some class with a high
// probability even for a dot or a scribble; "does not look like a digit"
// must come from elsewhere: from the input, what preprocessing found
// (preprocess.Report's flags: blank, a dot, a flat line, several digits),
// and from the output's shape, its top-1 margin.
package confidence

import (
	"math"

	"github.com/featuremap/featuremap/model/preprocess"
)

// MinMargin is the smallest top-1 margin p1 - p2 (the largest probability
// minus the second) of an answer taken as a digit.
//
// It was chosen on a tuning split (TestHeldOut -confidence.tune
// -confidence.n=500): MNIST test digits 0–499 re-rendered as drawn on a
// 280-pixel pad (synth.Rerender: 40–100 % scale, a third with a thick pen,
// a third inverted), 50 photo-like digits (synth.Photo) and 450 non-digits
// (synth.NonDigits: dots, flat lines, diagonals, X, small circles, capital
// letters, two digits side by side, scribbles, empty noisy pages; 50 each),
// with the input findings (preprocess.NotDigit) applied first. Percent
// rejected, digits / photos / non-digits:
//
//	margin          alexmnist         seednet
//	0 (input only)  0.4 / 0 / 63.8    0.4 / 0 / 63.8
//	0.5             0.4 / 0 / 73.3    2.6 / 2 / 70.2
//	0.6             0.6 / 0 / 76.2    3.4 / 2 / 72.7
//	0.7             1.2 / 0 / 78.9    3.6 / 2 / 74.9
//	0.8             1.6 / 0 / 82.0    4.8 / 4 / 77.6
//	0.9             2.2 / 0 / 84.7    8.0 / 8 / 82.0
//
// The rule: the largest margin at which alexmnist (the site's default
// model) rejects at most 1 % of the tuning digits. The rates on data not
// used for the choice (digits 5000…, other seeds) are TestHeldOut's. The
// network stays confident on many capital letters, crosses and scribbles:
// a softmax margin cannot tell "unlike any digit" from "like one digit".
const MinMargin = 0.6

// Verdict is the judgement of one answer.
type Verdict struct {
	Digit   bool     `json:"digit"`             // false: "this does not look like a digit"
	Reasons []string `json:"reasons,omitempty"` // why not: input findings, then "uncertain"
	Index   int      `json:"index"`             // the most likely class
	P       float32  `json:"p"`                 // its probability
	Margin  float32  `json:"margin"`            // P minus the second largest probability
	Entropy float32  `json:"entropy"`           // of the distribution, in bits (log2 10 ≈ 3.32 at most for 10 classes)
}

// Judge combines what preprocessing found with the network's output
// probabilities. The input findings in preprocess.NotDigit reject by
// themselves; the output rejects when the margin is under MinMargin
// ("uncertain"). probs must be non-empty.
func Judge(found preprocess.Flags, probs []float32) Verdict {
	v := Verdict{Reasons: (found & preprocess.NotDigit).Names()}
	second := float32(0)
	for i, p := range probs {
		switch {
		case p > v.P:
			second, v.P, v.Index = v.P, p, i
		case p > second:
			second = p
		}
		if p > 0 {
			v.Entropy -= p * float32(math.Log2(float64(p)))
		}
	}
	v.Margin = v.P - second
	if v.Margin < MinMargin {
		v.Reasons = append(v.Reasons, "uncertain")
	}
	v.Digit = len(v.Reasons) == 0
	return v
}
