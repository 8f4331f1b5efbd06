// Command train trains a built-in architecture on MNIST and writes its
// weight file.
//
//	train -arch alexmnist -epochs 8 -checkpoint /tmp/fm-train/alexmnist -resume -out alexmnist.safetensors
//
// It shows a progress bar with an ETA on stderr during each epoch and one
// summary line per epoch (loss, train and test accuracy, time) on stdout,
// and writes a checkpoint after every epoch. With -resume it continues from
// the checkpoint (a finished run only re-exports -out). The result is
// deterministic for a given seed: see package model/train.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/mnist"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/model/train"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	arch       string
	cfg        train.Config
	checkpoint string
	resume     bool
	out        string
	limit      int
	testLimit  int
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.arch, "arch", "seednet", "built-in architecture: seednet or alexmnist")
	fs.IntVar(&o.cfg.Epochs, "epochs", 10, "epochs (passes over the training set)")
	fs.IntVar(&o.cfg.Batch, "batch", 128, "examples per step")
	fs.Float64Var(&o.cfg.LR, "lr", 1e-3, "peak Adam learning rate (cosine decay to lr/100)")
	fs.Float64Var(&o.cfg.WeightDecay, "wd", 0, "AdamW decoupled weight decay")
	fs.Uint64Var(&o.cfg.Seed, "seed", 1, "random seed (initialisation, order, augmentation, dropout)")
	fs.IntVar(&o.cfg.Shards, "shards", 2, "concurrent shards per batch (cores used)")
	fs.Float64Var(&o.cfg.Augment.Shift, "shift", 2, "augmentation: random shift, ± pixels")
	fs.Float64Var(&o.cfg.Augment.Scale, "scale", 0.1, "augmentation: random scale, ± fraction")
	fs.Float64Var(&o.cfg.Augment.Rotate, "rotate", 8, "augmentation: random rotation, ± degrees")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "directory for the per-epoch checkpoint (empty: none)")
	fs.BoolVar(&o.resume, "resume", false, "continue from the checkpoint in -checkpoint, if there is one")
	fs.StringVar(&o.out, "out", "", "weight file to write at the end (int8)")
	fs.IntVar(&o.limit, "limit", 0, "use only the first N training images (0: all 60,000)")
	fs.IntVar(&o.testLimit, "test-limit", 0, "use only the first N test images (0: all 10,000)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.resume && o.checkpoint == "":
		return o, errors.New("-resume needs -checkpoint DIR")
	case o.limit < 0 || o.testLimit < 0:
		return o, errors.New("-limit and -test-limit must not be negative")
	case o.cfg.Epochs < 1:
		return o, fmt.Errorf("-epochs must be positive, got %d", o.cfg.Epochs)
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "train:", err)
		return 2
	}
	if err := trainModel(o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "train:", err)
		return 1
	}
	return 0
}

func trainModel(o options, stdout, stderr io.Writer) error {
	arch, err := model.Builtin(o.arch)
	if err != nil {
		return err
	}
	net, err := model.New(arch)
	if err != nil {
		return err
	}
	net.InitRandom(o.cfg.Seed)
	tr, err := train.New(net, o.cfg)
	if err != nil {
		return err
	}
	ckpt := ""
	if o.checkpoint != "" {
		ckpt = filepath.Join(o.checkpoint, o.arch+".ckpt.safetensors")
	}
	if o.resume {
		switch err := tr.Resume(ckpt); {
		case errors.Is(err, os.ErrNotExist):
			fmt.Fprintf(stdout, "no checkpoint at %s: starting from scratch\n", ckpt)
		case err != nil:
			return err
		default:
			fmt.Fprintf(stdout, "resumed from %s after epoch %d (step %d)\n", ckpt, tr.Epoch, tr.Step)
		}
	}

	norm := net.Arch.InputSpec().Norm
	trainSet, err := loadMNIST(mnist.Train, o.limit, norm)
	if err != nil {
		return err
	}
	testSet, err := loadMNIST(mnist.Test, o.testLimit, norm)
	if err != nil {
		return err
	}
	cfg := tr.Config()
	fmt.Fprintf(stdout, "%s: %d parameters; %d training / %d test images; batch %d, lr %g, %d shards, seed %d, augment %+v\n",
		o.arch, net.NumParams(), trainSet.Len(), testSet.Len(), cfg.Batch, cfg.LR, cfg.Shards, cfg.Seed, cfg.Augment)

	start := time.Now()
	seconds := func() float64 { return time.Since(start).Seconds() }
	for tr.Epoch < cfg.Epochs {
		bar := newProgress(stderr, fmt.Sprintf("epoch %d/%d", tr.Epoch+1, cfg.Epochs))
		tr.Progress = bar.update
		st, err := tr.TrainEpoch(trainSet, testSet, seconds)
		bar.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "epoch %d/%d: loss %.4f, train acc %.2f%%, test acc %.2f%% (loss %.4f), lr %.2g, %.0f s (%.0f img/s)\n",
			st.Epoch, cfg.Epochs, st.Loss, 100*st.TrainAcc, 100*st.TestAcc, st.TestLoss, st.LastLR, st.Seconds,
			float64(trainSet.Len())/st.Seconds)
		if ckpt != "" {
			if err := tr.Save(ckpt); err != nil {
				return err
			}
		}
	}
	if o.out == "" {
		return nil
	}
	return export(tr, testSet, o.out, stdout)
}

// loadMNIST returns the first limit images of set (all when limit is 0),
// preprocessed by norm, the network's own input normalisation.
func loadMNIST(set mnist.Set, limit int, norm preprocess.Norm) (train.Data, error) {
	ds, err := mnist.Load(set)
	if err != nil {
		return train.Data{}, err
	}
	n := ds.N
	if limit > 0 {
		n = min(n, limit)
	}
	px := ds.Rows * ds.Cols
	d := train.Data{Images: make([]float32, n*px), Labels: make([]int, n)}
	for i := range n {
		ds.InputTo(d.Images[i*px:], i, norm)
		d.Labels[i] = int(ds.Labels[i])
	}
	return d, nil
}
