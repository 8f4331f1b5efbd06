package tinyjson

import "github.com/featuremap/featuremap/internal/msg"

// Value is a parsed JSON value: Kind says which of the other fields holds it.
type Value struct {
	Kind    Kind
	Bool    bool
	Num     Num      // Kind Number: the literal text
	Str     string   // Kind String
	Elems   []Value  // Kind Array
	Members []Member // Kind Object, in document order, keys unique
}

// Member is one key and value of an object.
type Member struct {
	Key   string
	Value Value
}

// Parse reads a whole document, which must be one value with only
// whitespace around it, within lim. Duplicate keys in an object are an error.
func Parse(data []byte, lim Limits) (Value, error) {
	d := NewDecoder(data, lim)
	v, err := d.Value()
	if err != nil {
		return Value{}, err
	}
	return v, d.End()
}

// Value reads the next value into a tree. Duplicate keys in an object are
// an error.
func (d *Decoder) Value() (Value, error) {
	k, err := d.Peek()
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: k}
	switch k {
	case Null:
		err = d.ReadNull()
	case Bool:
		v.Bool, err = d.ReadBool()
	case Number:
		v.Num, err = d.ReadNumber()
	case String:
		v.Str, err = d.ReadString()
	case Array:
		v.Elems = []Value{}
		err = d.Array(func() error {
			e, err := d.Value()
			v.Elems = append(v.Elems, e)
			return err
		})
	case Object:
		v.Members = []Member{}
		seen := map[string]bool{}
		err = d.Object(func(key string) error {
			if seen[key] {
				return &Error{Offset: d.pos, Msg: "duplicate key " + msg.Quote(key)}
			}
			seen[key] = true
			e, err := d.Value()
			v.Members = append(v.Members, Member{key, e})
			return err
		})
	}
	if err != nil {
		return Value{}, err
	}
	return v, nil
}
