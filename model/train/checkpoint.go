package train

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/featuremap/featuremap/model/safetensors"
)

// A checkpoint is a safetensors file holding, for every parameter <p> of
// the Net, the tensors "param/<p>", "adam_m/<p>" and "adam_v/<p>" (F32), and
// in its metadata under checkpointKey the JSON of checkpointMeta. The
// random generators need no saved state: they are derived from the seed,
// the epoch and the example position (see the package comment), so a run
// resumed after epoch e draws what an uninterrupted run would.
const checkpointKey = "featuremap.checkpoint"

// checkpointVersion is the version of the layout above.
const checkpointVersion = 1

type checkpointMeta struct {
	Version int          `json:"version"`
	Arch    any          `json:"arch"` // the model.Arch, compared as JSON on resume
	Seed    uint64       `json:"seed"`
	Batch   int          `json:"batch"`
	Shards  int          `json:"shards"`
	Epoch   int          `json:"epoch"` // completed epochs
	Step    int64        `json:"step"`  // optimizer steps taken
	History []EpochStats `json:"history"`
}

// Save writes a checkpoint of the Trainer's state to path, atomically: it
// writes path+".tmp" and renames it over path.
func (t *Trainer) Save(path string) error {
	var tensors []safetensors.Tensor
	for k, p := range t.Net.Params() {
		tensors = append(tensors,
			safetensors.NewF32("param/"+p.Name, p.Shape, p.Data),
			safetensors.NewF32("adam_m/"+p.Name, p.Shape, t.m[k]),
			safetensors.NewF32("adam_v/"+p.Name, p.Shape, t.v[k]))
	}
	meta, err := json.Marshal(checkpointMeta{
		Version: checkpointVersion, Arch: t.Net.Arch, Seed: t.cfg.Seed, Batch: t.cfg.Batch,
		Shards: t.cfg.Shards, Epoch: t.Epoch, Step: t.Step, History: t.History,
	})
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	bw := bufio.NewWriter(f)
	err = safetensors.Encode(bw, tensors, map[string]string{checkpointKey: string(meta)})
	err = firstErr(err, bw.Flush(), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return nil
}

// Resume restores the parameters, optimizer state, epoch, step and history
// saved by Save. The checkpoint must come from the same architecture, seed,
// batch size and shard count, so that the resumed run continues the same
// sequence of random draws and updates; epochs and learning rates may
// differ (to extend a run).
func (t *Trainer) Resume(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	f, err := safetensors.Parse(data)
	if err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	var meta checkpointMeta
	if err := json.Unmarshal([]byte(f.Metadata[checkpointKey]), &meta); err != nil {
		return fmt.Errorf("train: resume %s: metadata %q: %w", path, checkpointKey, err)
	}
	if meta.Version != checkpointVersion {
		return fmt.Errorf("train: resume %s: checkpoint version %d, want %d", path, meta.Version, checkpointVersion)
	}
	var arch any
	archJSON, _ := json.Marshal(t.Net.Arch) // an Arch always marshals
	if err := json.Unmarshal(archJSON, &arch); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	switch {
	case !reflect.DeepEqual(meta.Arch, arch):
		return fmt.Errorf("train: resume %s: the checkpoint's architecture differs from %q", path, t.Net.Arch.Name)
	case meta.Seed != t.cfg.Seed || meta.Batch != t.cfg.Batch || meta.Shards != t.cfg.Shards:
		return fmt.Errorf("train: resume %s: checkpoint has seed %d, batch %d, shards %d; this run has %d, %d, %d",
			path, meta.Seed, meta.Batch, meta.Shards, t.cfg.Seed, t.cfg.Batch, t.cfg.Shards)
	}
	for k, p := range t.Net.Params() {
		for _, dst := range []struct {
			name string
			data []float32
		}{{"param/" + p.Name, p.Data}, {"adam_m/" + p.Name, t.m[k]}, {"adam_v/" + p.Name, t.v[k]}} {
			tn, ok := f.Tensor(dst.name)
			if !ok {
				return fmt.Errorf("train: resume %s: tensor %q is missing", path, dst.name)
			}
			v, err := tn.Float32s()
			if err != nil {
				return fmt.Errorf("train: resume %s: %w", path, err)
			}
			if len(v) != len(dst.data) {
				return fmt.Errorf("train: resume %s: tensor %q has %d values, want %d", path, dst.name, len(v), len(dst.data))
			}
			copy(dst.data, v)
		}
	}
	t.Epoch, t.Step, t.History = meta.Epoch, meta.Step, meta.History
	return nil
}
