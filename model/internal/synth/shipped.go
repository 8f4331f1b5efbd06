package synth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/featuremap/featuremap/model"
)

// LoadShipped loads the trained site/models/name.safetensors with a batch-1
// runner, for tests in packages two directories below the module root
// (model/confidence, model/preprocess), or skips the test when the file is
// not there.
func LoadShipped(t *testing.T, name string) (*model.Net, *model.Runner) {
	t.Helper()
	path := filepath.Join("..", "..", "site", "models", name+".safetensors")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s: %v (no trained %s)", path, err, name)
	}
	net, err := model.Load(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	runner, err := model.NewRunner(net, model.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return net, runner
}
