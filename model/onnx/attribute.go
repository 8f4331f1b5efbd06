package onnx

// Typed access to a node's attributes for converters: each accessor
// returns the attribute's value, or def when the node does not have it, and
// fails with an error naming the node, its op and the attribute when the
// attribute has another type.

func (n *Node) attrError(a *Attribute, want AttributeType) error {
	return &decodeError{
		path: "node " + quote(n.Name) + " (" + n.OpType + ")",
		msg:  "attribute " + quote(a.Name) + " has type " + a.Type.String() + ", want " + want.String(),
	}
}

// lookup returns the attribute called name if it has type want.
func (n *Node) lookup(name string, want AttributeType) (*Attribute, error) {
	a := n.Attribute(name)
	if a == nil {
		return nil, nil
	}
	if a.Type != want {
		return nil, n.attrError(a, want)
	}
	return a, nil
}

// IntAttr returns the INT attribute name, or def.
func (n *Node) IntAttr(name string, def int64) (int64, error) {
	a, err := n.lookup(name, AttrInt)
	if a == nil {
		return def, err
	}
	return a.I, nil
}

// FloatAttr returns the FLOAT attribute name, or def.
func (n *Node) FloatAttr(name string, def float32) (float32, error) {
	a, err := n.lookup(name, AttrFloat)
	if a == nil {
		return def, err
	}
	return a.F, nil
}

// StringAttr returns the STRING attribute name, or def.
func (n *Node) StringAttr(name, def string) (string, error) {
	a, err := n.lookup(name, AttrString)
	if a == nil {
		return def, err
	}
	return a.S, nil
}

// IntsAttr returns the INTS attribute name, or def.
func (n *Node) IntsAttr(name string, def []int64) ([]int64, error) {
	a, err := n.lookup(name, AttrInts)
	if a == nil {
		return def, err
	}
	return a.Ints, nil
}

// OpsetVersion returns the version of the operator set the model imports
// for domain ("" and "ai.onnx" both name the default domain), 0 if none.
func (m *Model) OpsetVersion(domain string) int64 {
	if domain == "ai.onnx" {
		domain = ""
	}
	for _, o := range m.OpsetImports {
		d := o.Domain
		if d == "ai.onnx" {
			d = ""
		}
		if d == domain {
			return o.Version
		}
	}
	return 0
}

// Initializer returns the initializer called name, or nil.
func (g *Graph) Initializer(name string) *Tensor {
	for i := range g.Initializers {
		if g.Initializers[i].Name == name {
			return &g.Initializers[i]
		}
	}
	return nil
}
