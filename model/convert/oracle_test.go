package convert

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/featuremap/featuremap/model"
)

// job is one model for the ONNX Runtime Web oracle (testdata/ort.mjs).
type job struct {
	Model string `json:"model"`
	Input string `json:"input"`
	Dims  []int  `json:"dims"`
}

// needNode returns the path of node, or skips the test where Node or the
// npm package pkg is missing (js/wasm builds cannot start processes; `npm
// ci` installs the packages). Tests call it first, before any heavy work.
func needNode(t *testing.T, pkg string) string {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs Node and " + pkg + ": cannot start processes under " + runtime.GOOS)
	}
	bin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("needs Node (node not in PATH)")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "node_modules", pkg, "package.json")); err != nil {
		t.Skip("needs node_modules/" + pkg + ": run npm ci in the repository root")
	}
	return bin
}

// runORT runs each (model bytes, NCHW input) pair in onnxruntime-web in one
// Node process and returns each first output and its dims.
func runORT(t *testing.T, models [][]byte, inputs [][]float32, dims [][]int) ([][]float32, [][]int) {
	t.Helper()
	bin := needNode(t, "onnxruntime-web")
	dir := t.TempDir()
	jobs := make([]job, len(models))
	for i := range models {
		jobs[i] = job{Model: filepath.Join(dir, "m"+strconv.Itoa(i)+".onnx"), Input: filepath.Join(dir, "x"+strconv.Itoa(i)+".bin"), Dims: dims[i]}
		if err := os.WriteFile(jobs[i].Model, models[i], 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jobs[i].Input, floatBytes(inputs[i]), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	jobsFile := filepath.Join(dir, "jobs.json")
	b, _ := json.Marshal(jobs)
	if err := os.WriteFile(jobsFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, filepath.Join("testdata", "ort.mjs"), jobsFile)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node ort.mjs: %v\n%s", err, stderr)
	}
	var outDims [][]int
	if err := json.Unmarshal(out, &outDims); err != nil {
		t.Fatal(err)
	}
	outs := make([][]float32, len(models))
	for i := range jobs {
		raw, err := os.ReadFile(jobs[i].Model + ".out")
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = make([]float32, len(raw)/4)
		for k := range outs[i] {
			outs[i][k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
		}
	}
	return outs, outDims
}

func floatBytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// nchwToNHWC converts n examples [C, H, W] to [H, W, C].
func nchwToNHWC(x []float32, n, c, h, w int) []float32 {
	y := make([]float32, len(x))
	for b := range n {
		for ci := range c {
			for i := range h {
				for j := range w {
					y[((b*h+i)*w+j)*c+ci] = x[((b*c+ci)*h+i)*w+j]
				}
			}
		}
	}
	return y
}

// runNet runs net on n NHWC examples.
func runNet(t *testing.T, net *model.Net, x []float32, n int) []float32 {
	t.Helper()
	r, err := model.NewRunner(net, model.RunnerOptions{Batch: n})
	if err != nil {
		t.Fatal(err)
	}
	y, err := r.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), y...)
}

// relErr is the largest |got-want| over the largest |want| of each of the
// n examples (an error relative to the output's scale, so that outputs
// near zero do not divide by nothing).
func relErr(got, want []float32, n int) float64 {
	k := len(want) / n
	worst := 0.0
	for b := range n {
		scale := 1e-30
		for _, v := range want[b*k : (b+1)*k] {
			scale = max(scale, math.Abs(float64(v)))
		}
		for i := b * k; i < (b+1)*k; i++ {
			worst = max(worst, math.Abs(float64(got[i])-float64(want[i]))/scale)
		}
	}
	return worst
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
