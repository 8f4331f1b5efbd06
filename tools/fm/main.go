// Command fm inspects, runs, evaluates, quantises and creates featuremap
// weight files.
//
//	fm summary FILE|BUILTIN
//	fm predict -model FILE|BUILTIN [-seed N] [-max-pixels N] [-json] IMAGE.png|jpg
//	fm eval -model FILE|BUILTIN [-seed N] [-n N] [-batch N] [-min PCT]
//	fm quantize IN OUT
//	fm init -arch BUILTIN -seed N [-int8] OUT
//	fm convert [-quantize int8|none] IN OUT
//	fm export -format onnx IN OUT
//
// FILE and IN are featuremap weight files, ONNX models or TensorFlow.js
// model.json files (shards beside them), told apart by content.
//
// BUILTIN names a built-in architecture (seednet, alexmnist, alexnet); for
// predict and eval it gets deterministic random weights from -seed. Bad
// arguments print the usage and exit 2; unreadable or invalid files print a
// one-line reason and exit 1.
//
// predict reads the image's header first and refuses images of more than
// -max-pixels pixels (default preprocess.MaxPixels, 64 Mpx) before decoding
// them, so a small file declaring a huge image costs nothing; a model whose
// declared input has more pixels than that is refused before its input is
// allocated. With -json it prints what featuremap.js's model.inspect
// returns, as one JSON object: { probs, top, input, report, verdict }
// (input the network's input as a flat array; report and verdict null
// unless the model's preprocessing is MNIST's).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg" // register the decoders for predict
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/confidence"
	"github.com/featuremap/featuremap/model/convert"
	"github.com/featuremap/featuremap/model/mnist"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/model/preprocess/imageinput"
	"github.com/featuremap/featuremap/model/quant"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  fm summary FILE|BUILTIN                       parameter table
  fm predict -model FILE|BUILTIN [-seed N] [-max-pixels N] IMAGE   top-5 classes of a PNG or JPEG
  fm eval -model FILE|BUILTIN [-seed N] [-n N] [-min PCT]   accuracy on the MNIST test images
  fm quantize IN OUT                            int8 copy of a weight file, with its errors
  fm init -arch BUILTIN -seed N [-int8] OUT     weight file with random weights
  fm convert [-quantize int8|none] IN OUT       ONNX or TensorFlow.js model to a weight file
  fm export -format onnx IN OUT                 weight file to ONNX
BUILTIN is one of %s.
`

// usageError is a bad command line: exit status 2 with the usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badUsage(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stderr, usage, strings.Join(model.Builtins(), ", "))
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fm: %s\n", ue.msg)
		fmt.Fprintf(stderr, usage, strings.Join(model.Builtins(), ", "))
		return 2
	}
	fmt.Fprintf(stderr, "fm: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	return 1
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return badUsage("missing command")
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("fm "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints the usage
	parse := func(nargs int, names string) ([]string, error) {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, badUsage("%s: %v", cmd, err)
		}
		if fs.NArg() != nargs {
			return nil, badUsage("%s: want %s, got %d argument(s)", cmd, names, fs.NArg())
		}
		return fs.Args(), nil
	}
	switch cmd {
	case "summary":
		a, err := parse(1, "FILE or BUILTIN")
		if err != nil {
			return err
		}
		return summary(stdout, a[0])
	case "predict":
		modelArg := fs.String("model", "", "weight file or built-in architecture")
		seed := fs.Uint64("seed", 1, "random weights' seed for a built-in architecture")
		maxPixels := fs.Int64("max-pixels", preprocess.MaxPixels, "refuse images with more pixels (width×height) than this")
		asJSON := fs.Bool("json", false, "print { probs, top, input, report, verdict } as JSON, as model.inspect in featuremap.js")
		a, err := parse(1, "IMAGE")
		if err != nil {
			return err
		}
		if *modelArg == "" {
			return badUsage("predict: -model is required")
		}
		if *maxPixels <= 0 {
			return badUsage("predict: -max-pixels must be positive, got %d", *maxPixels)
		}
		return predict(stdout, *modelArg, *seed, *maxPixels, a[0], *asJSON)
	case "eval":
		modelArg := fs.String("model", "", "weight file or built-in architecture")
		seed := fs.Uint64("seed", 1, "random weights' seed for a built-in architecture")
		n := fs.Int("n", 10000, "number of test images (the first n)")
		batch := fs.Int("batch", 32, "images per Run")
		minPct := fs.Float64("min", 0, "fail (exit 1) when the accuracy in percent is below this")
		if _, err := parse(0, "no arguments"); err != nil {
			return err
		}
		if *modelArg == "" {
			return badUsage("eval: -model is required")
		}
		if *n <= 0 || *batch <= 0 {
			return badUsage("eval: -n and -batch must be positive")
		}
		if !(*minPct >= 0 && *minPct <= 100) { // also NaN
			return badUsage("eval: -min must be a percentage in [0, 100], got %v", *minPct)
		}
		return eval(stdout, stderr, *modelArg, *seed, *n, *batch, *minPct)
	case "quantize":
		a, err := parse(2, "IN OUT")
		if err != nil {
			return err
		}
		return quantize(stdout, a[0], a[1])
	case "init":
		arch := fs.String("arch", "", "built-in architecture")
		seed := fs.Uint64("seed", 0, "random seed")
		int8 := fs.Bool("int8", false, "store int8 weights")
		a, err := parse(1, "OUT")
		if err != nil {
			return err
		}
		if !slices.Contains(model.Builtins(), *arch) {
			return badUsage("init: -arch %q, want one of %s", *arch, strings.Join(model.Builtins(), ", "))
		}
		return initFile(stdout, *arch, *seed, *int8, a[0])
	case "convert":
		q := fs.String("quantize", "int8", "weights: int8 or none (float32)")
		a, err := parse(2, "IN OUT")
		if err != nil {
			return err
		}
		if *q != "int8" && *q != "none" {
			return badUsage("convert: -quantize %q, want int8 or none", *q)
		}
		return convertFile(stdout, a[0], a[1], *q)
	case "export":
		format := fs.String("format", "", "output format: onnx")
		a, err := parse(2, "IN OUT")
		if err != nil {
			return err
		}
		if *format != "onnx" {
			return badUsage("export: -format %q, want onnx", *format)
		}
		return exportFile(stdout, a[0], a[1])
	case "help", "-h", "-help", "--help":
		return flag.ErrHelp
	}
	return badUsage("unknown command %q", cmd)
}

// loadNet reads a weight file, or builds a built-in architecture with
// random weights from seed.
func loadNet(arg string, seed uint64) (*model.Net, error) {
	if slices.Contains(model.Builtins(), arg) {
		arch, err := model.Builtin(arg)
		if err != nil {
			return nil, err
		}
		n, err := model.New(arch)
		if err != nil {
			return nil, err
		}
		n.InitRandom(seed)
		return n, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, err
	}
	n, err := convert.Load(data)
	if isJSON(data) { // a TensorFlow.js model.json: its shards lie beside it
		n, err = convert.FromTFJS(data, func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(filepath.Dir(arg), p)) })
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", arg, err)
	}
	return n, nil
}

func summary(stdout io.Writer, arg string) error {
	var g *model.Graph
	if slices.Contains(model.Builtins(), arg) {
		arch, err := model.Builtin(arg)
		if err != nil {
			return err
		}
		if g, err = arch.Graph(); err != nil {
			return err
		}
	} else {
		n, err := loadNet(arg, 0)
		if err != nil {
			return err
		}
		g = n.Graph
	}
	_, err := io.WriteString(stdout, g.Summary().String())
	return err
}

// spec is the preprocessing of net's input, from its architecture.
// label returns class i's label, or its index when the model has none.
func label(net *model.Net, i int) string {
	if i < len(net.Arch.Labels) {
		return net.Arch.Labels[i]
	}
	return fmt.Sprint(i)
}

// readImage decodes the PNG or JPEG file at path after checking, from its
// header, that it has at most maxPixels pixels: the decoders allocate the
// whole image as soon as they have read its dimensions.
func readImage(path string, maxPixels int64) (image.Image, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: decoding the image: %w", path, err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); cfg.Width <= 0 || cfg.Height <= 0 || px > maxPixels {
		return nil, "", fmt.Errorf("%s: the image is %d×%d pixels, more than the limit of %d (-max-pixels)", path, cfg.Width, cfg.Height, maxPixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, "", err
	}
	img, format, err := image.Decode(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: decoding the image: %w", path, err)
	}
	return img, format, nil
}

func predict(stdout io.Writer, modelArg string, seed uint64, maxPixels int64, imagePath string, asJSON bool) error {
	net, err := loadNet(modelArg, seed)
	if err != nil {
		return err
	}
	if err := net.Arch.InputSpec().CheckSize(maxPixels); err != nil {
		return fmt.Errorf("%s: %w (-max-pixels)", modelArg, err)
	}
	img, format, err := readImage(imagePath, maxPixels)
	if err != nil {
		return err
	}
	r, err := model.NewRunner(net, model.RunnerOptions{})
	if err != nil {
		return err
	}
	in := make([]float32, r.InputLen())
	rep, err := imageinput.InputReport(in, img, net.Arch.InputSpec())
	if err != nil {
		return fmt.Errorf("%s: %w", imagePath, err)
	}
	out, err := r.Run(in)
	if err != nil {
		return err
	}
	if asJSON {
		return inspection(stdout, net, in, out, rep)
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case out[a] > out[b]:
			return -1
		case out[a] < out[b]:
			return 1
		}
		return 0
	})
	b := img.Bounds()
	fmt.Fprintf(stdout, "%s (%s %d×%d) → %s:\n", imagePath, format, b.Dx(), b.Dy(), net.Arch.Name)
	for rank, i := range order[:min(5, len(order))] {
		fmt.Fprintf(stdout, "%d. %-12s %.4f\n", rank+1, label(net, i), out[i])
	}
	return nil
}

// eval prints the accuracy on the first n MNIST test images and fails when
// it is below minPct percent.
func eval(stdout, stderr io.Writer, modelArg string, seed uint64, n, batch int, minPct float64) error {
	net, err := loadNet(modelArg, seed)
	if err != nil {
		return err
	}
	if net.Arch.Input != [3]int{28, 28, 1} {
		return fmt.Errorf("%s: input %v, want [28 28 1] for MNIST", modelArg, net.Arch.Input)
	}
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		return err
	}
	n = min(n, d.N)
	batch = min(batch, n)
	r, err := model.NewRunner(net, model.RunnerOptions{Batch: batch})
	if err != nil {
		return err
	}
	norm := net.Arch.InputSpec().Norm
	in := make([]float32, r.InputLen())
	classes := r.OutputShape()[len(r.OutputShape())-1]
	start := time.Now()
	var shown time.Duration // elapsed time at the last progress line
	correct := 0
	for i0 := 0; i0 < n; i0 += batch {
		m := min(batch, n-i0)
		clear(in)
		for j := range m {
			d.InputTo(in[j*784:(j+1)*784], i0+j, norm)
		}
		out, err := r.Run(in)
		if err != nil {
			return err
		}
		for j := range m {
			p := out[j*classes : (j+1)*classes]
			if argmax(p) == int(d.Labels[i0+j]) {
				correct++
			}
		}
		done := i0 + m
		if el := time.Since(start); done == n || el-shown >= progressEvery {
			eta := time.Duration(float64(el) / float64(done) * float64(n-done))
			fmt.Fprintf(stderr, "\reval: %d/%d images, %.2f %% correct, %s elapsed, ETA %s ", done, n, 100*float64(correct)/float64(done), el.Round(time.Second), eta.Round(time.Second))
			shown = el
		}
	}
	fmt.Fprintln(stderr)
	pct := 100 * float64(correct) / float64(n)
	fmt.Fprintf(stdout, "%s: accuracy %.2f %% (%d/%d MNIST test images)\n", modelArg, pct, correct, n)
	if pct < minPct {
		return fmt.Errorf("%s: accuracy %.2f %% is below the required %.2f %%", modelArg, pct, minPct)
	}
	return nil
}

// progressEvery is the interval between progress updates on stderr.
const progressEvery = 250 * time.Millisecond

func argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

func quantize(stdout io.Writer, in, out string) error {
	net, err := loadNet(in, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-16s %-18s %12s %12s\n", "tensor", "shape", "max abs err", "max rel err")
	for i := range net.Graph.Nodes {
		for k, p := range net.LayerParams(i) {
			if !net.Graph.Nodes[i].Params[k].Quantize { // biases stay float32
				continue
			}
			w, err := p.Float32s()
			if err != nil {
				return err
			}
			q, scales, err := quant.QuantizeInt8PerChannel(w, p.Shape[len(p.Shape)-1])
			if err != nil {
				return fmt.Errorf("tensor %q: %w", p.Name, err)
			}
			e, err := quant.Measure(w, q, scales)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%-16s %-18s %12.3g %12.3g\n", p.Name, fmt.Sprint(p.Shape), e.MaxAbs, e.MaxRel)
		}
	}
	size, err := writeNet(net, true, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", out, size)
	return nil
}

func initFile(stdout io.Writer, archName string, seed uint64, int8 bool, out string) error {
	net, err := loadNet(archName, seed)
	if err != nil {
		return err
	}
	size, err := writeNet(net, int8, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, seed %d, %d parameters, %d bytes)\n", out, archName, seed, net.NumParams(), size)
	return nil
}

// writeNet encodes net to the file out and returns its size.
func writeNet(net *model.Net, int8 bool, out string) (int, error) {
	var b bytes.Buffer
	if err := net.Encode(&b, model.EncodeOptions{Int8: int8}); err != nil {
		return 0, err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return 0, err
	}
	return b.Len(), nil
}

// inspection prints the JSON form of model.inspect's result: probs, the
// top 5, the network's input, and for MNIST models the preprocessing
// report and the confidence verdict (with its label and threshold).
func inspection(stdout io.Writer, net *model.Net, in, probs []float32, rep preprocess.Report) error {
	type verdict struct {
		confidence.Verdict
		Reasons   []string `json:"reasons"` // [] rather than omitted
		Label     string   `json:"label"`
		MinMargin float32  `json:"minMargin"`
	}
	res := struct {
		Probs   []float32          `json:"probs"`
		Top     []model.Prediction `json:"top"`
		Input   []float32          `json:"input"`
		Report  *preprocess.Report `json:"report"`
		Verdict *verdict           `json:"verdict"`
	}{Probs: probs, Top: net.Top(probs, 5), Input: in}
	if net.Arch.InputSpec().Kind == preprocess.KindMNIST {
		res.Report = &rep
		v := confidence.Judge(rep.Flags, probs)
		res.Verdict = &verdict{Verdict: v, Reasons: append([]string{}, v.Reasons...), MinMargin: confidence.MinMargin}
		if v.Index < len(net.Arch.Labels) {
			res.Verdict.Label = net.Arch.Labels[v.Index]
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}
