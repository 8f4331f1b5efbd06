package tfjs

import (
	"math"
	"strconv"
)

// The accessors below read a layer's config values, failing with an error
// that names the layer, the key and what was expected.

func (l *Layer) configError(key, want string) error {
	return errorf("layer " + strconv.Quote(l.Name) + " (" + l.ClassName + "): config " + strconv.Quote(key) + ": want " + want)
}

// Has reports whether the config has key with a non-null value.
func (l *Layer) Has(key string) bool { return l.Config[key] != nil }

// String returns a string value.
func (l *Layer) String(key string) (string, error) {
	if s, ok := l.Config[key].(string); ok {
		return s, nil
	}
	return "", l.configError(key, "a string")
}

// Float returns a number.
func (l *Layer) Float(key string) (float64, error) {
	if f, ok := l.Config[key].(float64); ok {
		return f, nil
	}
	return 0, l.configError(key, "a number")
}

// Bool returns a boolean.
func (l *Layer) Bool(key string) (bool, error) {
	if b, ok := l.Config[key].(bool); ok {
		return b, nil
	}
	return false, l.configError(key, "true or false")
}

func asInt(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}

// Int returns an integer.
func (l *Layer) Int(key string) (int, error) {
	if n, ok := asInt(l.Config[key]); ok {
		return n, nil
	}
	return 0, l.configError(key, "an integer")
}

// Ints returns a list of integers; null entries (an unknown batch size in
// batch_input_shape) read as -1, and a single integer (Keras accepts
// kernel_size: 3 for [3, 3]) as a list of one.
func (l *Layer) Ints(key string) ([]int, error) {
	v := l.Config[key]
	if n, ok := asInt(v); ok {
		return []int{n}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, l.configError(key, "a list of integers")
	}
	out := make([]int, len(list))
	for i, e := range list {
		if e == nil {
			out[i] = -1
			continue
		}
		if out[i], ok = asInt(e); !ok {
			return nil, l.configError(key, "a list of integers")
		}
	}
	return out, nil
}
