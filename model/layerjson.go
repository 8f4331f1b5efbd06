package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/featuremap/featuremap/model/layers"
)

// This file is the only place where layer attributes meet JSON: a layer is
// one flat object {"name", "type", "inputs", attributes…}, and its type's
// Attrs method reads or writes the attributes through attrDecoder and
// attrEncoder.

// MarshalJSON writes l as {"name", "type", "inputs", then every non-zero
// attribute in the order its type visits them}.
func (l Layer) MarshalJSON() ([]byte, error) {
	if l.Op == nil {
		return nil, fmt.Errorf("model: layer %q has no type", l.Name)
	}
	e := &attrEncoder{}
	e.field("name", l.Name)
	e.field("type", l.Op.Type())
	if len(l.Inputs) > 0 {
		e.field("inputs", l.Inputs)
	}
	l.Op.Attrs(e)
	if e.err != nil {
		return nil, e.err
	}
	e.buf.WriteByte('}')
	return e.buf.Bytes(), nil
}

// UnmarshalJSON reads a layer object; attributes its type does not have
// are errors.
func (l *Layer) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	d := &attrDecoder{fields: fields, used: map[string]bool{"name": true, "type": true, "inputs": true}}
	var name, typ string
	var inputs []string
	d.decode("name", &name)
	d.decode("type", &typ)
	d.decode("inputs", &inputs)
	if d.err != nil {
		return fmt.Errorf("layer %q: %w", name, d.err)
	}
	op, err := layers.New(typ)
	if err != nil {
		return fmt.Errorf("layer %q: %w", name, err)
	}
	op.Attrs(d)
	if d.err != nil {
		return fmt.Errorf("layer %q: %w", name, d.err)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !d.used[k] {
			return fmt.Errorf("layer %q: %s has no attribute %q", name, typ, k)
		}
	}
	*l = Layer{Name: name, Inputs: inputs, Op: op}
	return nil
}

// attrDecoder reads attributes from a layer object's fields, keeping the
// first error.
type attrDecoder struct {
	fields map[string]json.RawMessage
	used   map[string]bool
	err    error
}

func (d *attrDecoder) decode(name string, v any) {
	d.used[name] = true
	raw, ok := d.fields[name]
	if !ok || d.err != nil {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		d.err = fmt.Errorf("attribute %q: %v", name, err)
	}
}

func (d *attrDecoder) Int(name string, v *int)       { d.decode(name, v) }
func (d *attrDecoder) Float(name string, v *float32) { d.decode(name, v) }
func (d *attrDecoder) String(name string, v *string) { d.decode(name, v) }

func (d *attrDecoder) Ints(name string, v []int) {
	var s []int
	d.decode(name, &s)
	if s == nil || d.err != nil {
		return
	}
	if len(s) != len(v) {
		d.err = fmt.Errorf("attribute %q must have %d values, got %d", name, len(v), len(s))
		return
	}
	copy(v, s)
}

// attrEncoder writes a JSON object field by field, skipping zero attributes.
type attrEncoder struct {
	buf bytes.Buffer
	err error
}

func (e *attrEncoder) field(name string, v any) {
	if e.buf.Len() == 0 {
		e.buf.WriteByte('{')
	} else {
		e.buf.WriteByte(',')
	}
	k, _ := json.Marshal(name)
	val, err := json.Marshal(v)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("attribute %q: %w", name, err)
	}
	e.buf.Write(k)
	e.buf.WriteByte(':')
	e.buf.Write(val)
}

func (e *attrEncoder) Int(name string, v *int) {
	if *v != 0 {
		e.field(name, *v)
	}
}

func (e *attrEncoder) Float(name string, v *float32) {
	if *v != 0 {
		e.field(name, *v)
	}
}

func (e *attrEncoder) String(name string, v *string) {
	if *v != "" {
		e.field(name, *v)
	}
}

func (e *attrEncoder) Ints(name string, v []int) {
	if slices.ContainsFunc(v, func(x int) bool { return x != 0 }) {
		e.field(name, v)
	}
}
