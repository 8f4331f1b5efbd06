// Package msg formats the values that error messages quote — shapes, float
// lists, numbers — as fmt's %v, %d and %g verbs would, so that the engine's
// packages build their messages with strconv alone and the WebAssembly
// engine does not link fmt.
package msg

import "strconv"

// Ints formats s as fmt's %v does: "[1 28 28 1]".
func Ints(s []int) string { return integers(s) }

// Int64s formats s as fmt's %v does: "[1 3 -1]".
func Int64s(s []int64) string { return integers(s) }

// Uint64s formats s as fmt's %v does: "[3 3 1 64]".
func Uint64s(s []uint64) string { return integers(s) }

// integers formats s as fmt's %v does.
func integers[T int | int64 | uint64](s []T) string {
	b := []byte{'['}
	for i, v := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		if v < 0 {
			b = strconv.AppendInt(b, int64(v), 10)
		} else {
			b = strconv.AppendUint(b, uint64(v), 10)
		}
	}
	return string(append(b, ']'))
}

// Float32 formats v as fmt's %g (and %v) does for a float32: "0.5", "1e-07", "NaN", "+Inf".
func Float32(v float32) string { return Float(float64(v), 32) }

// Float formats v, rounded to bits (32 or 64), as fmt's %g does.
func Float(v float64, bits int) string { return strconv.FormatFloat(v, 'g', -1, bits) }

// Float32s formats s as fmt's %v does: "[0.5 1]".
func Float32s(s []float32) string {
	b := []byte{'['}
	for i, v := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, Float32(v)...)
	}
	return string(append(b, ']'))
}

// Int formats v in decimal, as %d does. It is not inlined: error paths
// call it at many sites, each of which would otherwise carry strconv's
// inlined fast path.
//
//go:noinline
func Int(v int) string { return strconv.Itoa(v) }

// Wrap returns an error whose message is prefix followed by err's, and
// which unwraps to err, as fmt.Errorf(prefix+"%w", err) does.
func Wrap(prefix string, err error) error { return &wrapped{prefix + err.Error(), err} }

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// Strings formats s as fmt's %v does: "[a b c]".
func Strings(s []string) string { return "[" + Join(s, " ") + "]" }

// Join returns the elements of s separated by sep, as strings.Join does
// (the engine links no package strings: it costs several KiB with the
// unicode tables behind it).
func Join(s []string, sep string) string {
	var b []byte
	for i, v := range s {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, v...)
	}
	return string(b)
}

// Sort sorts a short list of names in place (insertion sort, O(n²)): the
// names that messages and listings quote are a dozen at most, and
// slices.Sort's instance for strings costs about 20 KB of WebAssembly.
func Sort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
