package kernel

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// Concat computes tf.concat along one axis on row-major tensors seen as
// [outer, width]: srcs[k] is [outer, widths[k]] and dst is [outer, Σ widths].
// For every o and k
//
//	dst[o, off_k : off_k+widths[k]] = srcs[k][o, :],   off_k = Σ_{j<k} widths[j]
//
// For tf.concat(values, axis) on shapes [d0 … dr], outer = d0·…·d(axis-1) and
// widths[k] = d(axis)·…·dr of values[k]. dst must not overlap any src.
func Concat(dst []float32, srcs [][]float32, outer int, widths []int) error {
	total, err := checkConcat("concat", "srcs", "dst", len(dst), srcs, outer, widths)
	if err != nil {
		return err
	}
	off := 0
	for k, src := range srcs {
		w := widths[k]
		for o := range outer {
			copy(dst[o*total+off:o*total+off+w], src[o*w:(o+1)*w])
		}
		off += w
	}
	return nil
}

// Split is the inverse of Concat, the gradient of tf.concat (tf.split with
// sizes widths): src is [outer, Σ widths] and, for every o and k with
// dsts[k] not nil,
//
//	dsts[k][o, :] = src[o, off_k : off_k+widths[k]]
//
// A nil dsts[k] is skipped. No dst may overlap src.
func Split(dsts [][]float32, src []float32, outer int, widths []int) error {
	total, err := checkConcat("split", "dsts", "src", len(src), dsts, outer, widths)
	if err != nil {
		return err
	}
	off := 0
	for k, dst := range dsts {
		w := widths[k]
		if dst != nil {
			for o := range outer {
				copy(dst[o*w:(o+1)*w], src[o*total+off:o*total+off+w])
			}
		}
		off += w
	}
	return nil
}

// checkConcat validates the arguments of Concat and Split (parts are the
// srcs or the dsts, named partsName; joined is the length of dst or src,
// named joinedName) and returns the joined width Σ widths. nil parts are
// allowed only for Split.
func checkConcat(op, partsName, joinedName string, joined int, parts [][]float32, outer int, widths []int) (int, error) {
	if outer < 1 || len(parts) == 0 || len(parts) != len(widths) {
		return 0, errors.New("kernel: " + op + ": need outer ≥ 1 and one width per part, got outer " + msg.Int(outer) + ", " + msg.Int(len(parts)) + " parts, " + msg.Int(len(widths)) + " widths")
	}
	total := 0
	for k, w := range widths {
		if w < 1 || total > math.MaxInt/outer-w {
			return 0, errors.New("kernel: " + op + ": widths[" + msg.Int(k) + "] = " + msg.Int(w) + ": widths must be positive and outer·Σ widths must fit an int")
		}
		total += w
		if parts[k] == nil && op == "split" {
			continue
		}
		if len(parts[k]) < outer*w {
			return 0, errors.New("kernel: " + op + ": len(" + partsName + "[" + msg.Int(k) + "]) = " + msg.Int(len(parts[k])) + ", want at least " + msg.Int(outer*w))
		}
	}
	return total, checkLen(op, joinedName, joined, outer*total)
}
