package model

import (
	"errors"
	"math"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/internal/tinyjson"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/safetensors"
)

// This file is the only place where an Arch meets JSON, through package
// tinyjson (no reflection, so the WebAssembly engine links neither
// encoding/json nor reflect). The form is what encoding/json would write
// for Arch's field tags: an Arch is {"name", "input", "layers", then
// "labels", "preprocess" and "accuracy" unless empty}; a layer is one flat
// object {"name", "type", "inputs" unless empty, then every non-zero
// attribute in the order its type visits them (layers.Attrs)}. Strings and
// numbers are written as encoding/json writes them (without its HTML
// escaping of <, > and &), so weight files keep their bytes.

// archLimits bound an arch document: it travels inside a weight file's
// header, and nests at most arch → layers → layer → attribute array.
var archLimits = tinyjson.Limits{MaxBytes: safetensors.MaxHeaderLen, MaxDepth: 4}

// MarshalJSON writes a as described above; it fails on a layer without a
// type or a NaN or infinite number.
func (a Arch) MarshalJSON() ([]byte, error) { return appendArch(nil, &a) }

// UnmarshalJSON reads an arch written by MarshalJSON. Unknown fields and
// attributes, duplicate keys and values of the wrong kind are errors; null
// leaves a field as it is, and an empty array reads as nil.
func (a *Arch) UnmarshalJSON(data []byte) error {
	d := tinyjson.NewDecoder(data, archLimits)
	v, err := d.Value()
	if err != nil {
		return err
	}
	if d.End() != nil {
		return errors.New("data after the JSON object")
	}
	return decodeArch(v, a)
}

// MarshalJSON writes l as one flat object (see above).
func (l Layer) MarshalJSON() ([]byte, error) { return appendLayer(nil, &l) }

// UnmarshalJSON reads a layer object; attributes its type does not have
// are errors.
func (l *Layer) UnmarshalJSON(data []byte) error {
	v, err := tinyjson.Parse(data, archLimits)
	if err != nil {
		return err
	}
	return decodeLayer(v, l)
}

func appendArch(b []byte, a *Arch) ([]byte, error) {
	w := objectWriter{b: b}
	w.key("name")
	w.b = tinyjson.AppendString(w.b, a.Name)
	w.key("input")
	w.b = appendInts(w.b, a.Input[:])
	w.key("layers")
	if a.Layers == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i := range a.Layers {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			var err error
			if w.b, err = appendLayer(w.b, &a.Layers[i]); err != nil {
				return nil, err
			}
		}
		w.b = append(w.b, ']')
	}
	if len(a.Labels) > 0 {
		w.key("labels")
		w.b = appendStrings(w.b, a.Labels)
	}
	if p := &a.Preprocess; !p.isZero() {
		w.key("preprocess")
		w.b, w.err = appendPreprocess(w.b, p)
	}
	if a.Accuracy != 0 && w.err == nil {
		w.key("accuracy")
		w.b, w.err = tinyjson.AppendFloat(w.b, a.Accuracy, 64)
	}
	b = w.close()
	if w.err != nil {
		return nil, errors.New("model: arch " + msg.Quote(a.Name) + ": " + w.err.Error())
	}
	return b, nil
}

// MarshalJSON writes p as encoding/json would from its field tags
// (omitempty), without HTML escaping; it fails on a NaN or infinite number.
func (p Preprocess) MarshalJSON() ([]byte, error) { return appendPreprocess(nil, &p) }

// UnmarshalJSON reads a preprocess object written by MarshalJSON into p;
// unknown fields, duplicate keys and values of the wrong kind are errors.
func (p *Preprocess) UnmarshalJSON(data []byte) error {
	v, err := tinyjson.Parse(data, archLimits)
	if err != nil {
		return err
	}
	return decodePreprocess(v, p)
}

// appendPreprocess writes p as one object of its non-zero fields.
func appendPreprocess(b []byte, p *Preprocess) ([]byte, error) {
	w := objectWriter{b: b}
	w.String("kind", &p.Kind)
	if p.Invert {
		w.key("invert")
		w.b = append(w.b, "true"...)
	}
	w.Float("scale", &p.Scale)
	w.floats("mean", p.Mean)
	w.floats("std", p.Std)
	w.String("dataset", &p.Dataset)
	return w.close(), w.err
}

// isZero reports whether encoding/json's omitzero would omit p: every field
// zero, nil slices and +0 only.
func (p *Preprocess) isZero() bool {
	return p.Kind == "" && !p.Invert && math.Float32bits(p.Scale) == 0 && p.Mean == nil && p.Std == nil && p.Dataset == ""
}

func appendLayer(b []byte, l *Layer) ([]byte, error) {
	if l.Op == nil {
		return nil, errors.New("model: layer " + msg.Quote(l.Name) + " has no type")
	}
	w := objectWriter{b: b}
	w.key("name")
	w.b = tinyjson.AppendString(w.b, l.Name)
	w.key("type")
	w.b = tinyjson.AppendString(w.b, l.Op.Type())
	if len(l.Inputs) > 0 {
		w.key("inputs")
		w.b = appendStrings(w.b, l.Inputs)
	}
	l.Op.Attrs(&w)
	if w.err != nil {
		return nil, errors.New("model: layer " + msg.Quote(l.Name) + ": " + w.err.Error())
	}
	return w.close(), nil
}

func appendInts(b []byte, s []int) []byte {
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, ']')
}

func appendStrings(b []byte, s []string) []byte {
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = tinyjson.AppendString(b, v)
	}
	return append(b, ']')
}

// objectWriter writes a JSON object member by member; as a layers.Attrs it
// writes the attributes that are not zero. It keeps the first error.
type objectWriter struct {
	b    []byte
	open bool
	err  error
}

// key starts the member k.
func (w *objectWriter) key(k string) {
	if w.open {
		w.b = append(w.b, ',')
	} else {
		w.b, w.open = append(w.b, '{'), true
	}
	w.b = append(tinyjson.AppendString(w.b, k), ':')
}

// close ends the object and returns the bytes.
func (w *objectWriter) close() []byte {
	if !w.open {
		w.b = append(w.b, '{')
	}
	return append(w.b, '}')
}

func (w *objectWriter) Int(name string, v *int) {
	if *v != 0 {
		w.key(name)
		w.b = strconv.AppendInt(w.b, int64(*v), 10)
	}
}

func (w *objectWriter) Float(name string, v *float32) {
	if *v != 0 {
		w.key(name)
		w.appendFloat(name, *v)
	}
}

func (w *objectWriter) appendFloat(name string, v float32) {
	var err error
	if w.b, err = tinyjson.AppendFloat(w.b, float64(v), 32); err != nil && w.err == nil {
		w.err = errors.New("attribute " + msg.Quote(name) + ": " + err.Error())
	}
}

func (w *objectWriter) String(name string, v *string) {
	if *v != "" {
		w.key(name)
		w.b = tinyjson.AppendString(w.b, *v)
	}
}

func (w *objectWriter) Ints(name string, v []int) {
	for _, x := range v {
		if x != 0 {
			w.key(name)
			w.b = appendInts(w.b, v)
			return
		}
	}
}

// floats writes a non-empty list of numbers.
func (w *objectWriter) floats(name string, v []float32) {
	if len(v) == 0 {
		return
	}
	w.key(name)
	w.b = append(w.b, '[')
	for i, x := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.appendFloat(name, x)
	}
	w.b = append(w.b, ']')
}

// decodeArch reads the fields of an arch object into a.
func decodeArch(v tinyjson.Value, a *Arch) error {
	if v.Kind != tinyjson.Object {
		return kindError(v, "an arch object")
	}
	for _, m := range v.Members {
		var err error
		switch m.Key {
		case "name":
			err = decodeString(m.Value, &a.Name)
		case "input":
			err = decodeInts(m.Value, a.Input[:])
		case "layers":
			if err = decodeArray(m.Value, "a list of layers"); err == nil && m.Value.Kind == tinyjson.Array {
				a.Layers = nil
				for _, e := range m.Value.Elems {
					var l Layer
					if err := decodeLayer(e, &l); err != nil {
						return err // it names the layer
					}
					a.Layers = append(a.Layers, l)
				}
			}
		case "labels":
			err = decodeStrings(m.Value, &a.Labels)
		case "preprocess":
			err = decodePreprocess(m.Value, &a.Preprocess)
		case "accuracy":
			err = decodeFloat64(m.Value, &a.Accuracy)
		default:
			return errors.New("json: unknown field " + msg.Quote(m.Key))
		}
		if err != nil {
			return errors.New("field " + msg.Quote(m.Key) + ": " + err.Error())
		}
	}
	return nil
}

func decodePreprocess(v tinyjson.Value, p *Preprocess) error {
	if v.Kind == tinyjson.Null {
		return nil
	}
	if v.Kind != tinyjson.Object {
		return kindError(v, "a preprocess object")
	}
	for _, m := range v.Members {
		var err error
		switch m.Key {
		case "kind":
			err = decodeString(m.Value, &p.Kind)
		case "invert":
			if m.Value.Kind == tinyjson.Bool {
				p.Invert = m.Value.Bool
			} else if m.Value.Kind != tinyjson.Null {
				err = kindError(m.Value, "a bool")
			}
		case "scale":
			err = decodeFloat32(m.Value, &p.Scale)
		case "mean":
			err = decodeFloat32s(m.Value, &p.Mean)
		case "std":
			err = decodeFloat32s(m.Value, &p.Std)
		case "dataset":
			err = decodeString(m.Value, &p.Dataset)
		default:
			return errors.New("json: unknown field " + msg.Quote(m.Key) + " in preprocess")
		}
		if err != nil {
			return errors.New(msg.Quote(m.Key) + ": " + err.Error())
		}
	}
	return nil
}

// decodeLayer reads a layer object into l.
func decodeLayer(v tinyjson.Value, l *Layer) error {
	if v.Kind != tinyjson.Object {
		return kindError(v, "a layer object")
	}
	d := &attrDecoder{members: v.Members, used: make([]bool, len(v.Members))}
	var name, typ string
	var inputs []string
	d.String("name", &name)
	d.String("type", &typ)
	if m, ok := d.find("inputs"); ok && d.err == nil {
		if err := decodeStrings(m, &inputs); err != nil {
			d.err = errors.New("attribute \"inputs\": " + err.Error())
		}
	}
	prefix := "layer " + msg.Quote(name) + ": "
	if d.err != nil {
		return errors.New(prefix + d.err.Error())
	}
	op, err := layers.New(typ)
	if err != nil {
		return errors.New(prefix + err.Error())
	}
	op.Attrs(d)
	if d.err != nil {
		return errors.New(prefix + d.err.Error())
	}
	for i, m := range v.Members {
		if !d.used[i] {
			return errors.New(prefix + typ + " has no attribute " + msg.Quote(m.Key))
		}
	}
	*l = Layer{Name: name, Inputs: inputs, Op: op}
	return nil
}

// attrDecoder reads attributes from a layer object's members, marking the
// ones it read and keeping the first error.
type attrDecoder struct {
	members []tinyjson.Member
	used    []bool
	err     error
}

// find returns the value of the member name, if there is one.
func (d *attrDecoder) find(name string) (tinyjson.Value, bool) {
	for i, m := range d.members {
		if m.Key == name {
			d.used[i] = true
			return m.Value, true
		}
	}
	return tinyjson.Value{}, false
}

// decode reads the attribute name with read, if it is present.
func (d *attrDecoder) decode(name string, read func(tinyjson.Value) error) {
	v, ok := d.find(name)
	if !ok || d.err != nil {
		return
	}
	if err := read(v); err != nil {
		if _, ok := err.(lengthError); ok {
			d.err = errors.New("attribute " + msg.Quote(name) + " " + err.Error())
		} else {
			d.err = errors.New("attribute " + msg.Quote(name) + ": " + err.Error())
		}
	}
}

func (d *attrDecoder) Int(name string, v *int) {
	d.decode(name, func(x tinyjson.Value) error { return decodeInt(x, v) })
}

func (d *attrDecoder) Float(name string, v *float32) {
	d.decode(name, func(x tinyjson.Value) error { return decodeFloat32(x, v) })
}

func (d *attrDecoder) String(name string, v *string) {
	d.decode(name, func(x tinyjson.Value) error { return decodeString(x, v) })
}

func (d *attrDecoder) Ints(name string, v []int) {
	d.decode(name, func(x tinyjson.Value) error { return decodeInts(x, v) })
}

// The decoders below read one value of a kind; null leaves the destination
// as it is, as encoding/json does.

func kindError(v tinyjson.Value, want string) error {
	return errors.New("json: cannot unmarshal " + v.Kind.String() + " into " + want)
}

func decodeString(v tinyjson.Value, s *string) error {
	switch v.Kind {
	case tinyjson.String:
		*s = v.Str
	case tinyjson.Null:
	default:
		return kindError(v, "a string")
	}
	return nil
}

func decodeInt(v tinyjson.Value, n *int) error {
	switch v.Kind {
	case tinyjson.Number:
		x, err := v.Num.Int()
		if err != nil {
			return errors.New("json: " + err.Error())
		}
		*n = x
	case tinyjson.Null:
	default:
		return kindError(v, "an integer")
	}
	return nil
}

func decodeFloat32(v tinyjson.Value, f *float32) error {
	switch v.Kind {
	case tinyjson.Number:
		// Parsed at 32 bits, as encoding/json does: rounding through
		// float64 first could round twice.
		x, err := v.Num.Float32()
		if err != nil {
			return errors.New("json: " + err.Error())
		}
		*f = x
	case tinyjson.Null:
	default:
		return kindError(v, "a number")
	}
	return nil
}

func decodeFloat64(v tinyjson.Value, f *float64) error {
	switch v.Kind {
	case tinyjson.Number:
		x, err := v.Num.Float64()
		if err != nil {
			return errors.New("json: " + err.Error())
		}
		*f = x
	case tinyjson.Null:
	default:
		return kindError(v, "a number")
	}
	return nil
}

// decodeArray checks that v is an array or null.
func decodeArray(v tinyjson.Value, want string) error {
	if v.Kind != tinyjson.Array && v.Kind != tinyjson.Null {
		return kindError(v, want)
	}
	return nil
}

// lengthError says an array has the wrong length.
type lengthError string

func (e lengthError) Error() string { return string(e) }

// decodeInts fills dst from an array of exactly len(dst) integers.
func decodeInts(v tinyjson.Value, dst []int) error {
	if err := decodeArray(v, "a list of integers"); err != nil || v.Kind == tinyjson.Null {
		return err
	}
	if len(v.Elems) != len(dst) {
		return lengthError("must have " + strconv.Itoa(len(dst)) + " values, got " + strconv.Itoa(len(v.Elems)))
	}
	s := make([]int, len(dst))
	for i, e := range v.Elems {
		if e.Kind == tinyjson.Null {
			return kindError(e, "an integer")
		}
		if err := decodeInt(e, &s[i]); err != nil {
			return err
		}
	}
	copy(dst, s)
	return nil
}

// decodeStrings reads an array of strings; empty reads as nil.
func decodeStrings(v tinyjson.Value, dst *[]string) error {
	if err := decodeArray(v, "a list of strings"); err != nil || v.Kind == tinyjson.Null {
		return err
	}
	var s []string
	for _, e := range v.Elems {
		if e.Kind != tinyjson.String {
			return kindError(e, "a string")
		}
		s = append(s, e.Str)
	}
	*dst = s
	return nil
}

// decodeFloat32s reads an array of numbers; empty reads as nil.
func decodeFloat32s(v tinyjson.Value, dst *[]float32) error {
	if err := decodeArray(v, "a list of numbers"); err != nil || v.Kind == tinyjson.Null {
		return err
	}
	var s []float32
	for _, e := range v.Elems {
		if e.Kind != tinyjson.Number {
			return kindError(e, "a number")
		}
		var x float32
		if err := decodeFloat32(e, &x); err != nil {
			return err
		}
		s = append(s, x)
	}
	*dst = s
	return nil
}
