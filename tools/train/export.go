package main

import (
	"errors"
	"io"

	"github.com/featuremap/featuremap/model/train"
)

// export writes the trained Net as an int8 weight file with its measured
// test accuracy.
func export(tr *train.Trainer, test train.Data, out string, stdout io.Writer) error {
	return errors.New("-out: weight file export is not available yet")
}
