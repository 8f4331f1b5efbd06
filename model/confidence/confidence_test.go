package confidence_test

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	pngenc "image/png"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/confidence"
	"github.com/featuremap/featuremap/model/internal/synth"
	"github.com/featuremap/featuremap/model/mnist"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/model/preprocess/imageinput"
)

var (
	heldN = flag.Int("confidence.n", 200, "held-out MNIST test digits (re-rendered) for TestHeldOut; non-digits: a tenth as many of each kind, at least 20")
	tune  = flag.Bool("confidence.tune", false, "TestHeldOut: print rejection rates over a grid of thresholds on the tuning split")
	png   = flag.String("confidence.png", "", "TestHeldOut: write a sheet of held-out non-digits (each beside what the network sees, with the verdict) to this PNG file")
)

// TestJudge checks hand-worked verdicts.
func TestJudge(t *testing.T) {
	uniform := make([]float32, 10)
	for i := range uniform {
		uniform[i] = 0.1
	}
	v := confidence.Judge(0, uniform)
	if v.Digit || v.Margin != 0 || math.Abs(float64(v.Entropy)-math.Log2(10)) > 1e-5 || !slices.Equal(v.Reasons, []string{"uncertain"}) {
		t.Errorf("uniform: %+v, want not a digit, margin 0, entropy log2(10) = 3.3219, reason uncertain", v)
	}
	sure := []float32{0, 0, 0, 0.98, 0, 0.02, 0, 0, 0, 0}
	v = confidence.Judge(preprocess.Letterbox|preprocess.UnevenLight, sure)
	// Entropy: -(0.98 log2 0.98 + 0.02 log2 0.02) = 0.02856 + 0.11288 = 0.14144.
	if !v.Digit || v.Index != 3 || v.P != 0.98 || math.Abs(float64(v.Margin)-0.96) > 1e-6 || math.Abs(float64(v.Entropy)-0.14144) > 1e-4 || len(v.Reasons) != 0 {
		t.Errorf("sure 3: %+v, want a digit, index 3, margin 0.96, entropy 0.1414", v)
	}
	v = confidence.Judge(preprocess.Dot|preprocess.Dropped, []float32{0.5, 0.3, 0.2})
	if v.Digit || !slices.Equal(v.Reasons, []string{"dot", "uncertain"}) || math.Abs(float64(v.Margin)-0.2) > 1e-6 {
		t.Errorf("dot: %+v, want reasons [dot uncertain], margin 0.2", v)
	}
}

// sample is one judged image.
type sample struct {
	found preprocess.Flags
	probs []float32
}

// judgeAll preprocesses and classifies imgs.
func judgeAll(t *testing.T, net *model.Net, runner *model.Runner, imgs []image.Image) []sample {
	in := make([]float32, runner.InputLen())
	out := make([]sample, len(imgs))
	for i, img := range imgs {
		rep, err := imageinput.InputReport(in, img, net.Arch.InputSpec())
		if err != nil {
			t.Fatal(err)
		}
		probs, err := runner.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = sample{rep.Flags, slices.Clone(probs)}
	}
	return out
}

// set is the data of one split: MNIST digits as drawn, photo-like digits,
// and each kind of non-digit.
type set struct {
	digits, photos []image.Image
	labels         []int
	nonDigits      map[string][]image.Image
}

// makeSet draws n digits from MNIST test index first on, and n/10 (at least
// 20) of each non-digit kind, with seed.
func makeSet(d *mnist.Dataset, first, n int, seed uint64) set {
	r := rand.New(rand.NewPCG(seed, seed+1))
	s := set{nonDigits: map[string][]image.Image{}}
	for i := first; i < first+n; i++ {
		s.digits = append(s.digits, synth.Rerender(d, i, r, i%3 == 1, i%3 == 2))
		s.labels = append(s.labels, int(d.Labels[i]))
	}
	for i := first; i < first+max(20, n/10); i++ {
		s.photos = append(s.photos, synth.Photo(d, i, r))
	}
	for _, kind := range synth.NonDigits {
		for j := range max(20, n/10) {
			s.nonDigits[kind] = append(s.nonDigits[kind], synth.NonDigit(kind, d, first+2*j, r, j%2 == 1))
		}
	}
	return s
}

// rejected counts the samples Judge rejects.
func rejected(ss []sample) int {
	n := 0
	for _, s := range ss {
		if !confidence.Judge(s.found, s.probs).Digit {
			n++
		}
	}
	return n
}

// TestHeldOut measures the verdicts with the shipped models on data the
// thresholds were not chosen on: MNIST test digits 5000… re-rendered as
// drawn (a third thick, a third inverted) must be rejected at most 3 % of
// the time with alexmnist, photo-like digits at most 10 %, and non-digits
// (every kind of synth.NonDigits) at least 70 % of the time overall. The
// tuning split (digits 0…, other seeds) is what -confidence.tune prints.
func TestHeldOut(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("slow: runs natively without -short")
	}
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Skip(err)
	}
	held := makeSet(d, 5000, min(*heldN, 5000), 31)
	if *png != "" {
		writeSheet(t, *png, held)
	}
	var tuning set
	if *tune {
		tuning = makeSet(d, 0, min(*heldN, 5000), 41)
	}
	for _, name := range []string{"alexmnist", "seednet"} {
		net, runner := synth.LoadShipped(t, name)
		if *tune {
			tuneReport(t, name, net, runner, tuning)
		}
		digits := judgeAll(t, net, runner, held.digits)
		photos := judgeAll(t, net, runner, held.photos)
		fr, fp := rejected(digits), rejected(photos)
		var b strings.Builder
		total, rej := 0, 0
		for _, kind := range synth.NonDigits {
			ss := judgeAll(t, net, runner, held.nonDigits[kind])
			k := rejected(ss)
			fmt.Fprintf(&b, " %s %d/%d", kind, k, len(ss))
			total, rej = total+len(ss), rej+k
		}
		frRate, fpRate, rejRate := float64(fr)/float64(len(digits)), float64(fp)/float64(len(photos)), float64(rej)/float64(total)
		t.Logf("%s: false rejections %d/%d drawn digits (%.1f %%), %d/%d photo-like digits (%.1f %%); non-digits rejected %d/%d (%.1f %%):%s",
			name, fr, len(digits), 100*frRate, fp, len(photos), 100*fpRate, rej, total, 100*rejRate, b.String())
		if name != "alexmnist" {
			continue
		}
		if frRate > 0.03 || fpRate > 0.10 || rejRate < 0.70 {
			t.Errorf("alexmnist: false rejections %.1f %% (want ≤ 3 %%), photos %.1f %% (want ≤ 10 %%), non-digits rejected %.1f %% (want ≥ 70 %%)", 100*frRate, 100*fpRate, 100*rejRate)
		}
	}
}

// tuneReport prints, for the tuning split, how often digits and non-digits
// are rejected by the input findings alone and with each margin threshold.
func tuneReport(t *testing.T, name string, net *model.Net, runner *model.Runner, s set) {
	digits := judgeAll(t, net, runner, s.digits)
	photos := judgeAll(t, net, runner, s.photos)
	var non []sample
	for _, kind := range synth.NonDigits {
		non = append(non, judgeAll(t, net, runner, s.nonDigits[kind])...)
	}
	rate := func(ss []sample, m float32) float64 {
		n := 0
		for _, x := range ss {
			v := confidence.Judge(x.found, x.probs)
			if x.found&preprocess.NotDigit != 0 || v.Margin < m {
				n++
			}
		}
		return 100 * float64(n) / float64(len(ss))
	}
	t.Logf("%s tuning split (%d digits, %d photos, %d non-digits): margin threshold → %% digits, photos rejected; %% non-digits rejected", name, len(digits), len(photos), len(non))
	for _, m := range []float32{0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95} {
		t.Logf("  %.2f → %5.1f %5.1f ; %5.1f", m, rate(digits, m), rate(photos, m), rate(non, m))
	}
}

// writeSheet saves four of each kind of non-digit beside what the network
// sees, one kind per row, as a PNG file.
func writeSheet(t *testing.T, path string, s set) {
	field := make([]float32, 784)
	var rows [][]image.Image
	for _, kind := range synth.NonDigits {
		var row []image.Image
		for _, img := range s.nonDigits[kind][:4] {
			rep, err := imageinput.InputReport(field, img, preprocess.Spec{Kind: preprocess.KindMNIST, H: 28, W: 28, C: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %v", kind, rep.Flags)
			row = append(row, img, synth.Field(field))
		}
		rows = append(rows, row)
	}
	var buf bytes.Buffer
	if err := pngenc.Encode(&buf, synth.Sheet(112, rows)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
