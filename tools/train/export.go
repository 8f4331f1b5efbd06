package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/safetensors"
	"github.com/featuremap/featuremap/model/train"
)

// metaTrain is the weight file's __metadata__ key holding trainingInfo as
// JSON, beside the format and arch keys that model.Load reads.
const metaTrain = "training"

// trainingInfo records how a weight file was made and what it measured.
type trainingInfo struct {
	Dataset      string             `json:"dataset"`
	TestImages   int                `json:"test_images"`
	AccuracyF32  float64            `json:"accuracy_float32"`
	AccuracyInt8 float64            `json:"accuracy_int8"`
	Config       train.Config       `json:"config"`
	Steps        int64              `json:"steps"`
	History      []train.EpochStats `json:"history"`
}

// export writes the trained Net to out as an int8 weight file: Arch.Accuracy
// is the accuracy of the int8 weights as shipped (what `fm eval` measures),
// and the "training" metadata holds float32 and int8 accuracies and the
// run's configuration and history.
func export(tr *train.Trainer, test train.Data, out string, stdout io.Writer) error {
	cfg := tr.Config()
	accF32, _, err := tr.Evaluate(test)
	if err != nil {
		return err
	}
	var q8 bytes.Buffer
	if err := tr.Net.Encode(&q8, model.EncodeOptions{Int8: true}); err != nil {
		return err
	}
	dequant, err := model.Load(q8.Bytes())
	if err != nil {
		return err
	}
	accInt8, _, err := train.Evaluate(dequant, test, cfg.Batch, cfg.Shards)
	if err != nil {
		return err
	}

	tr.Net.Arch.Accuracy = accInt8
	var file bytes.Buffer
	if err := tr.Net.Encode(&file, model.EncodeOptions{Int8: true}); err != nil {
		return err
	}
	info, err := json.Marshal(trainingInfo{
		Dataset: "mnist", TestImages: test.Len(), AccuracyF32: accF32, AccuracyInt8: accInt8,
		Config: cfg, Steps: tr.Step, History: tr.History,
	})
	if err != nil {
		return err
	}
	// Add the training record to the metadata model.Encode wrote.
	f, err := safetensors.Parse(file.Bytes())
	if err != nil {
		return err
	}
	f.Metadata[metaTrain] = string(info)
	var final bytes.Buffer
	if err := safetensors.Encode(&final, f.Tensors, f.Metadata); err != nil {
		return err
	}
	if err := writeFileAtomic(out, final.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes): test accuracy %.2f%% float32, %.2f%% int8 on %d images\n",
		out, final.Len(), 100*accF32, 100*accInt8, test.Len())
	return nil
}

// writeFileAtomic writes data to path+".tmp" and renames it over path.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
