package onnx

import "strconv"

// decodeError is a decoding error with the path of the message or field it
// happened in, such as `graph.node[3] "conv1".attribute[0] "pads".ints`.
// The path grows as the error passes up through the enclosing messages.
type decodeError struct {
	path string
	msg  string
}

func (e *decodeError) Error() string {
	if e.path == "" {
		return "onnx: " + e.msg
	}
	return "onnx: " + e.path + ": " + e.msg
}

func newError(msg string) error { return &decodeError{msg: msg} }

// fieldError is an error in field number num of the message being read.
func fieldError(num int, msg string) error {
	return &decodeError{path: "field " + strconv.Itoa(num), msg: msg}
}

// within prefixes the path of err (a *decodeError) with seg.
func within(err error, seg string) error {
	e, ok := err.(*decodeError)
	if !ok {
		return err
	}
	if e.path == "" {
		e.path = seg
	} else {
		e.path = seg + "." + e.path
	}
	return err
}

// element names entry i of a repeated message field, with the entry's name
// when it has one: `node[3] "conv1"`.
func element(field string, i int, name string) string {
	seg := field + "[" + strconv.Itoa(i) + "]"
	if name != "" {
		seg += " " + quote(name)
	}
	return seg
}

// quote returns s in double quotes with control characters, quotes and
// backslashes escaped as \xNN, so that a hostile name cannot garble an
// error message.
func quote(s string) string {
	const hex = "0123456789abcdef"
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}
