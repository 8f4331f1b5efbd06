package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/safetensors"
)

// TestSmoke trains seednet for one epoch on 640 MNIST images, then resumes
// for a second epoch, and checks that the loss fell, the checkpoint was
// used and the int8 weight file loads with its measured accuracy.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "seednet.safetensors")
	args := []string{"-arch", "seednet", "-batch", "64", "-limit", "640", "-test-limit", "300", "-checkpoint", dir, "-resume", "-out", out}
	var stdout, stderr bytes.Buffer
	if code := run(append(args, "-epochs", "1"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	first := stdout.String()
	stdout.Reset()
	if code := run(append(args, "-epochs", "2"), &stdout, &stderr); code != 0 {
		t.Fatalf("resume: exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	second := stdout.String()
	if !strings.Contains(second, "resumed from") || !strings.Contains(second, "after epoch 1 (step 10)") {
		t.Fatalf("second run did not resume:\n%s", second)
	}
	if !strings.Contains(stderr.String(), "ETA") {
		t.Errorf("no progress bar on stderr: %q", stderr.String())
	}

	// Losses: the first epoch's mean training loss is below chance
	// (ln 10 ≈ 2.30), and the second epoch's is lower still.
	epoch := regexp.MustCompile(`epoch (\d)/\d: loss ([0-9.]+), train acc [0-9.]+%, test acc ([0-9.]+)%`)
	m1, m2 := epoch.FindStringSubmatch(first), epoch.FindStringSubmatch(second)
	if m1 == nil || m2 == nil || m1[1] != "1" || m2[1] != "2" {
		t.Fatalf("epoch lines missing:\n%s\n%s", first, second)
	}
	loss1, _ := strconv.ParseFloat(m1[2], 64)
	loss2, _ := strconv.ParseFloat(m2[2], 64)
	acc2, _ := strconv.ParseFloat(m2[3], 64)
	if !(loss1 < math.Log(10)) || !(loss2 < loss1) || acc2 < 60 {
		t.Fatalf("loss %v then %v, test accuracy %v%%: not learning", loss1, loss2, acc2)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	net, err := model.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if net.Arch.Name != "seednet" || math.Abs(net.Arch.Accuracy*100-acc2) > 2 {
		t.Errorf("arch %q with accuracy %v, want seednet near %v%%", net.Arch.Name, net.Arch.Accuracy, acc2)
	}
	f, err := safetensors.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := f.Tensor("conv1.weight"); !ok || w.DType != safetensors.I8 {
		t.Errorf("conv1.weight is not int8: %+v", w)
	}
	var info trainingInfo
	if err := json.Unmarshal([]byte(f.Metadata[metaTrain]), &info); err != nil {
		t.Fatal(err)
	}
	if info.TestImages != 300 || len(info.History) != 2 || info.AccuracyInt8 != net.Arch.Accuracy || math.Abs(info.AccuracyF32*100-acc2) > 1e-6+0.005 {
		t.Errorf("training metadata %+v", info)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-resume"}, "-resume needs -checkpoint DIR"},
		{[]string{"-epochs", "0"}, "-epochs must be positive, got 0"},
		{[]string{"extra"}, `unexpected arguments ["extra"]`},
		{[]string{"-arch", "nope", "-limit", "1"}, `model: no built-in architecture "nope"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}
