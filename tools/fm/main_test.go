package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/mnist"
)

// fm runs the command in-process and returns its exit code and output.
func fm(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestSummaryBuiltins(t *testing.T) {
	for _, tc := range []struct {
		arch string
		want []string
	}{
		// The seed's counts: conv 576 + 64, dense 125,440 + 10.
		{"seednet", []string{" 576 ", " 64 ", " 125,440 ", " 10 ", "Total params: 126,090"}},
		{"alexmnist", []string{"Total params: 1,106,794"}},
		{"alexnet", []string{"Total params: 60,965,224"}},
	} {
		code, out, errOut := fm(t, "summary", tc.arch)
		if code != 0 {
			t.Fatalf("summary %s: exit %d, %s", tc.arch, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("summary %s: output lacks %q:\n%s", tc.arch, w, out)
			}
		}
	}
}

func TestInitSummaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f32, f8, again, other := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c"), filepath.Join(dir, "d")
	for _, args := range [][]string{
		{"init", "-arch", "seednet", "-seed", "5", f32},
		{"init", "-arch", "seednet", "-seed", "5", "-int8", f8},
		{"init", "-arch", "seednet", "-seed", "5", again},
		{"init", "-arch", "seednet", "-seed", "6", other},
	} {
		if code, _, e := fm(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, e)
		}
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read(f32), read(again)) {
		t.Error("init is not deterministic: same seed, different files")
	}
	if bytes.Equal(read(f32), read(other)) {
		t.Error("seeds 5 and 6 gave the same file")
	}
	// float32: 126,090 × 4 bytes plus the header; int8 about a quarter.
	if n := len(read(f32)); n < 126090*4 {
		t.Errorf("float32 file has %d bytes, want ≥ %d", n, 126090*4)
	}
	if n := len(read(f8)); n < 126016+74*4 || n > 126090*4/3 {
		t.Errorf("int8 file has %d bytes, want about %d", n, 126016+(74+74)*4)
	}
	_, builtin, _ := fm(t, "summary", "seednet")
	for _, p := range []string{f32, f8} {
		code, out, e := fm(t, "summary", p)
		if code != 0 || out != builtin {
			t.Errorf("summary %s: exit %d (%s), output\n%s\nwant the builtin's\n%s", p, code, e, out, builtin)
		}
	}
}

// digitPNG writes a PNG of a dark vertical bar (a "1") on white.
func digitPNG(t *testing.T, path string) {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 90))
	for y := range 90 {
		for x := range 120 {
			c := color.NRGBA{255, 255, 255, 255}
			if x >= 55 && x < 63 && y >= 10 && y < 80 {
				c = color.NRGBA{10, 10, 10, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestPredict(t *testing.T) {
	dir := t.TempDir()
	imgPath, weights := filepath.Join(dir, "one.png"), filepath.Join(dir, "seednet.st")
	digitPNG(t, imgPath)
	if code, _, e := fm(t, "init", "-arch", "seednet", "-seed", "7", weights); code != 0 {
		t.Fatal(e)
	}
	code, fromFile, e := fm(t, "predict", "-model", weights, imgPath)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, e)
	}
	lines := strings.Split(strings.TrimSpace(fromFile), "\n")
	if len(lines) != 6 || !strings.Contains(lines[0], "png 120×90") {
		t.Fatalf("predict output:\n%s\nwant a header and 5 ranks", fromFile)
	}
	prev, sum := 2.0, 0.0
	seen := map[string]bool{}
	for i, l := range lines[1:] {
		f := strings.Fields(l)
		p, err := strconv.ParseFloat(f[len(f)-1], 64)
		if len(f) != 3 || f[0] != strconv.Itoa(i+1)+"." || err != nil || p > prev || seen[f[1]] {
			t.Fatalf("rank line %q: want \"N. LABEL P\" with distinct labels, P descending", l)
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			t.Errorf("label %q is not a digit", f[1])
		}
		seen[f[1]], prev, sum = true, p, sum+p
	}
	if sum > 1.0001 || sum <= 0 {
		t.Errorf("top-5 probabilities sum to %v", sum)
	}
	// The builtin with the same seed has the same float32 weights.
	_, fromBuiltin, _ := fm(t, "predict", "-model", "seednet", "-seed", "7", imgPath)
	if tail := func(s string) string { return s[strings.Index(s, "\n"):] }; tail(fromBuiltin) != tail(fromFile) {
		t.Errorf("builtin seednet -seed 7 predicts\n%s\nthe file from init -seed 7\n%s", fromBuiltin, fromFile)
	}
}

// predict -json prints model.inspect's fields: the probabilities (those
// of the text output), the network's 784 inputs, the report (the image's
// size) and the verdict, whose margin is p1 - p2 of the top list.
func TestPredictJSON(t *testing.T) {
	dir := t.TempDir()
	imgPath := filepath.Join(dir, "one.png")
	digitPNG(t, imgPath)
	code, out, e := fm(t, "predict", "-json", "-model", "seednet", "-seed", "7", imgPath)
	if code != 0 {
		t.Fatalf("predict -json: exit %d: %s", code, e)
	}
	var res struct {
		Probs []float32
		Top   []struct {
			Index int
			P     float32
		}
		Input  []float32
		Report *struct {
			Width, Height int
			Flags         []string
		}
		Verdict *struct {
			Digit     bool
			Reasons   []string
			Index     int
			Label     string
			P, Margin float32
			MinMargin float32
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(res.Probs) != 10 || len(res.Top) != 5 || len(res.Input) != 784 || res.Report == nil || res.Verdict == nil {
		t.Fatalf("predict -json: %s", out)
	}
	if res.Report.Width != 120 || res.Report.Height != 90 || res.Report.Flags == nil {
		t.Errorf("report %+v, want a 120×90 image", *res.Report)
	}
	v := res.Verdict
	if v.Index != res.Top[0].Index || v.Label != strconv.Itoa(v.Index) || v.Margin != res.Top[0].P-res.Top[1].P || v.MinMargin != 0.6 || v.Reasons == nil || v.Digit != (len(v.Reasons) == 0) {
		t.Errorf("verdict %+v, top %v", *v, res.Top)
	}
}

func TestQuantize(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if code, _, e := fm(t, "init", "-arch", "seednet", "-seed", "2", in); code != 0 {
		t.Fatal(e)
	}
	code, text, e := fm(t, "quantize", in, out)
	if code != 0 {
		t.Fatalf("quantize: exit %d: %s", code, e)
	}
	for _, name := range []string{"conv1.weight", "fc.weight"} {
		i := strings.Index(text, name)
		if i < 0 {
			t.Fatalf("quantize output lacks %s:\n%s", name, text)
		}
		f := strings.Fields(text[i : strings.Index(text[i:], "\n")+i])
		abs, _ := strconv.ParseFloat(f[len(f)-2], 64)
		rel, _ := strconv.ParseFloat(f[len(f)-1], 64)
		// He-uniform weights are within ±√(6/fanIn) ≤ √(6/9); half a step of
		// 127 is at most that /254; the relative error is at most 1/254.
		if abs <= 0 || abs > 0.817/254*1.001 || rel <= 0 || rel > 1.0/254*1.001 {
			t.Errorf("%s: max abs err %v, rel %v out of (0, bound]", name, abs, rel)
		}
	}
	if code, s, e := fm(t, "summary", out); code != 0 || !strings.Contains(s, "126,090") {
		t.Errorf("summary of the quantised file: exit %d, %s%s", code, s, e)
	}
}

func TestEval(t *testing.T) {
	if _, err := mnist.Dir(); err != nil {
		t.Skip(err)
	}
	code, out, e := fm(t, "eval", "-model", "seednet", "-n", "40", "-batch", "16")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, e)
	}
	if !strings.Contains(out, "/40 MNIST test images)") || !strings.Contains(e, "eval: 40/40 images") {
		t.Errorf("eval output %q, progress %q", out, e)
	}
	// Random weights are right about one time in ten: far below 50 %.
	code, _, e = fm(t, "eval", "-model", "seednet", "-n", "40", "-min", "50")
	if code != 1 || !strings.Contains(e, "is below the required 50.00 %") {
		t.Errorf("eval -min 50 with random weights: exit %d, stderr %q; want exit 1 naming the shortfall", code, e)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good, damaged, text := filepath.Join(dir, "good"), filepath.Join(dir, "damaged"), filepath.Join(dir, "text")
	if code, _, e := fm(t, "init", "-arch", "seednet", "-seed", "1", good); code != 0 {
		t.Fatal(e)
	}
	b, _ := os.ReadFile(good)
	os.WriteFile(damaged, b[:len(b)-10], 0o644)
	os.WriteFile(text, []byte("not an image"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "missing command"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"help"}, 2, "usage:"},
		{[]string{"summary"}, 2, "summary: want FILE or BUILTIN, got 0"},
		{[]string{"summary", "a", "b"}, 2, "got 2 argument(s)"},
		{[]string{"init", "-arch", "lenet", "x"}, 2, `init: -arch "lenet", want one of alexmnist, alexnet, seednet`},
		{[]string{"init", "-seed", "x", "-arch", "seednet", "out"}, 2, "invalid value"},
		{[]string{"predict", text}, 2, "predict: -model is required"},
		{[]string{"eval", "-model", "seednet", "-n", "0"}, 2, "-n and -batch must be positive"},
		{[]string{"eval", "-model", "seednet", "-min", "101"}, 2, "-min must be a percentage"},
		{[]string{"eval", "-model", "seednet", "-min", "NaN"}, 2, "-min must be a percentage in [0, 100], got NaN"},
		{[]string{"eval", "-model", "seednet", "-min", "Inf"}, 2, "-min must be a percentage in [0, 100], got +Inf"},
		{[]string{"eval", "-model", "seednet", "-min", "-0.5"}, 2, "-min must be a percentage"},
		{[]string{"predict", "-model", good, "-max-pixels", "0", text}, 2, "-max-pixels must be positive"},
		{[]string{"quantize", good}, 2, "want IN OUT"},
		{[]string{"summary", filepath.Join(dir, "missing")}, 1, "no such file"},
		{[]string{"summary", damaged}, 1, `safetensors: tensor "fc.weight": data_offsets [2600, 504360] outside the 504350-byte data section`},
		{[]string{"predict", "-model", good, text}, 1, "decoding the image"},
		{[]string{"predict", "-model", damaged, text}, 1, "safetensors"},
	} {
		code, _, e := fm(t, tc.args...)
		if code != tc.code || !strings.Contains(e, tc.want) {
			t.Errorf("fm %v: exit %d, stderr %q; want exit %d with %q", tc.args, code, e, tc.code, tc.want)
		}
		if code == 1 && strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("fm %v: stderr has more than one line: %q", tc.args, e)
		}
	}
}

// pngHeader returns a valid PNG that declares a w×h RGBA image but holds one
// tiny IDAT chunk: the shape of a decompression bomb.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	chunk("IHDR", append(ihdr, 8, 6, 0, 0, 0)) // 8-bit RGBA, no interlace
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 4096))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// jpegHeader returns the start of a baseline JPEG that declares a w×h gray
// image: SOI, SOF0 and the start of a scan, with no tables and no data.
func jpegHeader(w, h uint16) []byte {
	return []byte{0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0,
		0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0}
}

// TestPredictHugeImages: files that declare more pixels than -max-pixels are
// refused from their header, exit 1 with one line naming the limit, while
// allocating almost nothing (the decoders would allocate width×height×4
// bytes at once: 40 GB for 100000×100000).
func TestPredictHugeImages(t *testing.T) {
	dir := t.TempDir()
	weights := filepath.Join(dir, "seednet.st")
	if code, _, e := fm(t, "init", "-arch", "seednet", "-seed", "7", weights); code != 0 {
		t.Fatal(e)
	}
	for _, tc := range []struct {
		name, args string
		data       []byte
		want       string
	}{
		{"bomb.png", "", pngHeader(100000, 100000), "the image is 100000×100000 pixels, more than the limit of 67108864 (-max-pixels)"},
		{"wide.png", "", pngHeader(1<<31-1, 1), "the image is 2147483647×1 pixels"},
		{"tall.png", "", pngHeader(1, 1<<31-1), "the image is 1×2147483647 pixels"},
		{"big.jpg", "", jpegHeader(65535, 65535), "the image is 65535×65535 pixels, more than the limit of 67108864"},
		{"small.png", "-max-pixels=4000", pngHeader(100, 41), "the image is 100×41 pixels, more than the limit of 4000 (-max-pixels)"},
		{"zero.png", "", pngHeader(0, 5), "decoding the image: png: invalid format: non-positive dimension"},
		{"cut.png", "", pngHeader(100, 100)[:40], "decoding the image"},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"predict", "-model", weights}
		if tc.args != "" {
			args = append(args, tc.args)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		code, _, e := fm(t, append(args, p)...)
		runtime.ReadMemStats(&after)
		if code != 1 || !strings.Contains(e, tc.want) || strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line with %q", tc.name, code, e, tc.want)
		}
		// Loading seednet takes about 1 MB; the image must add nothing big.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: refusing it allocated %d bytes, want < 16 MiB", tc.name, alloc)
		}
	}
	// Under the limit, the same header is decoded (and found truncated).
	p := filepath.Join(dir, "ok.png")
	os.WriteFile(p, pngHeader(300, 200), 0o644)
	if code, _, e := fm(t, "predict", "-model", weights, p); code != 1 || !strings.Contains(e, "decoding the image: png: invalid format: not enough pixel data") {
		t.Errorf("300×200 header: exit %d, stderr %q; want the decoder's error", code, e)
	}
}

// TestPredictHugeModelInput: a weight file of a few hundred bytes declaring
// a [16384, 16384, 1] input (1 GiB of float32) is refused before that input
// is allocated (it took 4.1 GB RSS).
func TestPredictHugeModelInput(t *testing.T) {
	dir := t.TempDir()
	arch := model.Arch{Name: "huge", Input: [3]int{16384, 16384, 1}, Layers: []model.Layer{{Name: "r", Op: &layers.ReLU{}}},
		Preprocess: model.Preprocess{Kind: model.PreprocessResize}}
	net, err := model.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	weights, img := filepath.Join(dir, "huge.st"), filepath.Join(dir, "one.png")
	if _, err := writeNet(net, false, weights); err != nil {
		t.Fatal(err)
	}
	digitPNG(t, img)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, _, e := fm(t, "predict", "-model", weights, img)
	runtime.ReadMemStats(&after)
	if want := "preprocess: the input 16384×16384×1 is more than the limit of 67108864 pixels an image is preprocessed into (-max-pixels)"; code != 1 || !strings.Contains(e, want) {
		t.Errorf("exit %d, stderr %q; want exit 1 with %q", code, e, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("refusing it allocated %d bytes, want < 16 MiB", alloc)
	}
}

// FuzzReadImage: whatever the bytes, readImage returns an image within the
// pixel limit or an error, without panicking; the limit is checked from the
// header, so a small input never makes the decoders allocate a large image.
func FuzzReadImage(f *testing.F) {
	f.Add(pngHeader(3, 2))
	f.Add(pngHeader(100000, 100000))
	f.Add(jpegHeader(8, 8))
	f.Add(jpegHeader(65535, 65535))
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3)))
	f.Add(b.Bytes())
	path := filepath.Join(f.TempDir(), "img")
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		img, _, err := readImage(path, limit)
		if err != nil {
			return
		}
		if r := img.Bounds(); r.Dx() <= 0 || r.Dy() <= 0 || r.Dx()*r.Dy() > limit {
			t.Fatalf("decoded a %v image, limit %d pixels", r, limit)
		}
	})
}
