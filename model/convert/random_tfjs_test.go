package convert

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/featuremap/featuremap/model"
)

// readFloats reads little-endian float32 values.
func readFloats(t *testing.T, file string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, len(raw)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v
}

// TestRandomTFJS converts seeded random small CNNs built and saved by
// TensorFlow.js in Node (testdata/tfjs_models.mjs; every fifth with uint8
// or uint16-quantised weights, which TensorFlow.js loads itself) and
// compares their outputs with TensorFlow.js's: float32 within 1e-4 of the
// output's scale, the int8-quantised Net's argmax equal on at least 99 %
// of the inputs.
// Each converted Net is also exported to ONNX and run in ONNX Runtime Web,
// which must agree with TensorFlow.js to the same tolerance.
func TestRandomTFJS(t *testing.T) {
	const models, batch = 50, 16
	bin := needNode(t, "@tensorflow/tfjs")
	needNode(t, "onnxruntime-web")
	dir := t.TempDir()
	cmd := exec.Command(bin, filepath.Join("testdata", "tfjs_models.mjs"), strconv.Itoa(models), strconv.Itoa(batch), dir)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node tfjs_models.mjs: %v\n%s", err, stderr)
	}
	var shapes [][3]int
	if err := json.Unmarshal(out, &shapes); err != nil {
		t.Fatal(err)
	}
	worst, agree, total := 0.0, 0, 0
	types := map[string]int{}
	var onnxModels [][]byte
	var nchw, wants [][]float32
	var dims [][]int
	for i := range models {
		d := filepath.Join(dir, strconv.Itoa(i))
		mj, err := os.ReadFile(filepath.Join(d, "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		net, err := FromTFJS(mj, func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(d, p)) })
		if err != nil {
			t.Fatalf("model %d: %v", i, err)
		}
		for _, l := range net.Arch.Layers {
			types[l.Type()]++
		}
		x, want := readFloats(t, filepath.Join(d, "x.bin")), readFloats(t, filepath.Join(d, "y.bin"))
		got := runNet(t, net, x, batch)
		if len(got) != len(want) {
			t.Fatalf("model %d: %d outputs, TF.js %d", i, len(got), len(want))
		}
		e := relErr(got, want, batch)
		worst = max(worst, e)
		if e > 1e-4 {
			t.Errorf("model %d:\n%v relative error %.3g > 1e-4", i, net.Graph.Summary(), e)
		}
		data, err := ToONNX(net)
		if err != nil {
			t.Fatalf("model %d: export: %v", i, err)
		}
		h, w, c := shapes[i][0], shapes[i][1], shapes[i][2]
		onnxModels, wants = append(onnxModels, data), append(wants, want)
		nchw = append(nchw, nhwcToNCHW(x, batch, h, w, c))
		dims = append(dims, []int{batch, c, h, w})
		var buf bytes.Buffer
		if err := net.Encode(&buf, model.EncodeOptions{Int8: true}); err != nil {
			t.Fatal(err)
		}
		q, err := model.Load(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		qy := runNet(t, q, x, batch)
		k := len(qy) / batch
		for b := range batch {
			total++
			if argmax(qy[b*k:(b+1)*k]) == argmax(want[b*k:(b+1)*k]) {
				agree++
			}
		}
	}
	t.Logf("%d random TF.js models, featuremap layers %v; largest relative error %.3g; int8 argmax agrees on %d of %d inputs", models, types, worst, agree, total)
	ort, _ := runORT(t, onnxModels, nchw, dims)
	worstORT := 0.0
	for i := range ort {
		e := relErr(ort[i], wants[i], batch)
		worstORT = max(worstORT, e)
		if e > 1e-4 {
			t.Errorf("model %d exported to ONNX: ORT's relative error to TF.js %.3g > 1e-4", i, e)
		}
	}
	t.Logf("exported to ONNX: largest relative error of ORT to TF.js %.3g", worstORT)
	if float64(agree) < 0.99*float64(total) {
		t.Errorf("int8 argmax agrees with TF.js on %d of %d inputs, want ≥ 99 %%", agree, total)
	}
}

// nhwcToNCHW converts n examples [H, W, C] to [C, H, W].
func nhwcToNCHW(x []float32, n, h, w, c int) []float32 {
	y := make([]float32, len(x))
	for b := range n {
		for i := range h {
			for j := range w {
				for ci := range c {
					y[((b*c+ci)*h+i)*w+j] = x[((b*h+i)*w+j)*c+ci]
				}
			}
		}
	}
	return y
}
