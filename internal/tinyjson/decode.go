// Package tinyjson reads and writes JSON (RFC 8259) without reflection, for
// the engine's own small documents (a weight file's header, an
// architecture). It exists so that the WebAssembly engine does not link
// encoding/json and the reflect-driven code behind it; it imports no fmt,
// reflect or time.
//
// A Decoder reads one document token by token, with O(depth) memory: the
// caller walks objects and arrays with callbacks and reads scalars by kind.
// Parse builds a Value tree on top of it for documents the caller wants
// whole. Both treat their input as hostile: nesting depth, the number of
// values and the document size are bounded (Limits) before anything is
// allocated for them, strings must be valid UTF-8 (escapes included: a lone
// surrogate is an error), numbers must follow the JSON grammar, and errors
// give the byte offset. Duplicate object keys are rejected by Parse (as
// encoding/json/v2 does); Decoder callers see every key and decide.
//
// The encoder is deterministic: AppendString and AppendFloat write strings
// and numbers byte for byte as encoding/json does (without HTML escaping),
// and Append writes a Value compactly, object members in the order given.
package tinyjson

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/featuremap/featuremap/internal/msg"
)

// Kind is the type of a JSON value.
type Kind uint8

// The JSON value kinds.
const (
	Null Kind = iota + 1
	Bool
	Number
	String
	Array
	Object
)

// String returns the kind's name as an error message would use it.
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "invalid kind " + strconv.Itoa(int(k))
}

// Limits bound what a Decoder accepts. A zero field takes its default.
type Limits struct {
	MaxBytes  int // document length; default 1 MiB
	MaxDepth  int // nesting of arrays and objects (a scalar is depth 0, [] depth 1); default 64
	MaxValues int // values in the document, counting every element and member value; default 65,536
}

// The defaults of Limits' zero fields.
const (
	DefaultMaxBytes  = 1 << 20
	DefaultMaxDepth  = 64
	DefaultMaxValues = 1 << 16
)

// Error is a syntax or limit error at a byte offset of the document.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return "json: offset " + strconv.Itoa(e.Offset) + ": " + e.Msg }

// Decoder reads one JSON document held in memory. After any method returns
// an error, the Decoder is not usable.
type Decoder struct {
	buf    []byte
	pos    int
	depth  int
	values int
	lim    Limits
}

// NewDecoder returns a Decoder reading buf within lim.
func NewDecoder(buf []byte, lim Limits) *Decoder {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultMaxDepth
	}
	if lim.MaxValues <= 0 {
		lim.MaxValues = DefaultMaxValues
	}
	return &Decoder{buf: buf, lim: lim}
}

// Offset returns the byte offset of the next unread byte.
func (d *Decoder) Offset() int { return d.pos }

func (d *Decoder) errorf(msg string) error { return &Error{Offset: d.pos, Msg: msg} }

// describe names the byte at the current position for an error message.
func (d *Decoder) describe() string {
	if d.pos >= len(d.buf) {
		return "end of input"
	}
	c := d.buf[d.pos]
	if c >= 0x20 && c < 0x7f {
		q := string(c)
		if c == '\'' || c == '\\' {
			q = "\\" + q
		}
		return "character '" + q + "'"
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}

func (d *Decoder) skipSpace() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// Peek returns the kind of the next value without reading it.
func (d *Decoder) Peek() (Kind, error) {
	if len(d.buf) > d.lim.MaxBytes {
		return 0, &Error{Offset: d.lim.MaxBytes, Msg: "document of " + strconv.Itoa(len(d.buf)) + " bytes exceeds the limit of " + strconv.Itoa(d.lim.MaxBytes)}
	}
	d.skipSpace()
	if d.pos >= len(d.buf) {
		return 0, d.errorf("unexpected end of input, want a value")
	}
	switch c := d.buf[d.pos]; {
	case c == 'n':
		return Null, nil
	case c == 't' || c == 'f':
		return Bool, nil
	case c == '-' || c >= '0' && c <= '9':
		return Number, nil
	case c == '"':
		return String, nil
	case c == '[':
		return Array, nil
	case c == '{':
		return Object, nil
	}
	return 0, d.errorf(d.describe() + " does not start a value")
}

// begin checks that the next value has kind k and counts it.
func (d *Decoder) begin(k Kind) error {
	got, err := d.Peek()
	if err != nil {
		return err
	}
	if got != k {
		return d.errorf("got " + got.String() + ", want " + k.String())
	}
	if d.values++; d.values > d.lim.MaxValues {
		return d.errorf("more than " + strconv.Itoa(d.lim.MaxValues) + " values")
	}
	return nil
}

// literal reads the word w (true, false or null).
func (d *Decoder) literal(w string) error {
	if len(d.buf)-d.pos < len(w) || string(d.buf[d.pos:d.pos+len(w)]) != w {
		return d.errorf("invalid literal, want " + w)
	}
	d.pos += len(w)
	return nil
}

// ReadNull reads a null.
func (d *Decoder) ReadNull() error {
	if err := d.begin(Null); err != nil {
		return err
	}
	return d.literal("null")
}

// ReadBool reads true or false.
func (d *Decoder) ReadBool() (bool, error) {
	if err := d.begin(Bool); err != nil {
		return false, err
	}
	if d.buf[d.pos] == 't' {
		return true, d.literal("true")
	}
	return false, d.literal("false")
}

// ReadNumber reads a number and returns its literal text.
func (d *Decoder) ReadNumber() (Num, error) {
	if err := d.begin(Number); err != nil {
		return "", err
	}
	n := scanNumber(d.buf[d.pos:]) // Peek saw '-' or a digit: n != 0
	if n < 0 {
		d.pos += -n
		return "", d.errorf(d.describe() + " in a number")
	}
	lit := Num(d.buf[d.pos : d.pos+n])
	d.pos += n
	return lit, nil
}

// scanNumber returns the length of the JSON number at the start of b
// (RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), or -i if
// the byte at i cannot continue it where a digit is required.
func scanNumber(b []byte) int {
	i := 0
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return -i
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return -i
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return -i
		}
	}
	return i
}

// ReadString reads a string, unescaping it.
func (d *Decoder) ReadString() (string, error) {
	if err := d.begin(String); err != nil {
		return "", err
	}
	return d.readString()
}

// readString reads the string starting at the current '"'.
func (d *Decoder) readString() (string, error) {
	d.pos++ // the opening quote
	start := d.pos
	// Fast path: no escapes, ASCII only.
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		if c == '"' {
			s := string(d.buf[start:d.pos])
			d.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
		d.pos++
	}
	out := append([]byte(nil), d.buf[start:d.pos]...)
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(out), nil
		case c < 0x20:
			return "", d.errorf("control " + d.describe() + " in a string (escape it)")
		case c >= 0x80:
			r, size := utf8.DecodeRune(d.buf[d.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", d.errorf("invalid UTF-8 in a string")
			}
			out = append(out, d.buf[d.pos:d.pos+size]...)
			d.pos += size
		case c != '\\':
			out = append(out, c)
			d.pos++
		default:
			var err error
			if out, err = d.unescape(out); err != nil {
				return "", err
			}
		}
	}
	return "", d.errorf("unterminated string")
}

// unescape appends the character of the escape at the current '\'.
func (d *Decoder) unescape(out []byte) ([]byte, error) {
	if d.pos+1 >= len(d.buf) {
		return nil, d.errorf("unterminated escape")
	}
	c := d.buf[d.pos+1]
	if r := simpleEscape(c); r != 0 {
		d.pos += 2
		return append(out, r), nil
	}
	if c != 'u' {
		d.pos++
		return nil, d.errorf("invalid escape: backslash then " + d.describe())
	}
	r, ok := d.hex4()
	if !ok {
		return nil, d.errorf(`invalid \u escape, want 4 hex digits`)
	}
	if utf16.IsSurrogate(r) {
		at := d.pos
		var r2 rune = -1
		if d.pos+1 < len(d.buf) && d.buf[d.pos] == '\\' && d.buf[d.pos+1] == 'u' {
			if r2, ok = d.hex4(); !ok {
				return nil, d.errorf(`invalid \u escape, want 4 hex digits`)
			}
		}
		if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
			return nil, &Error{Offset: at - 6, Msg: `unpaired surrogate \u escape`}
		}
	}
	return utf8.AppendRune(out, r), nil
}

// simpleEscape returns the character escaped as \c, 0 if there is none.
func simpleEscape(c byte) byte {
	switch c {
	case '"', '\\', '/':
		return c
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}

// hex4 reads "\uXXXX" at the current position.
func (d *Decoder) hex4() (rune, bool) {
	if len(d.buf)-d.pos < 6 {
		return 0, false
	}
	var r rune
	for _, c := range d.buf[d.pos+2 : d.pos+6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.pos += 6
	return r, true
}

// open reads the bracket of an array or object.
func (d *Decoder) open(k Kind) error {
	if err := d.begin(k); err != nil {
		return err
	}
	if d.depth++; d.depth > d.lim.MaxDepth {
		return d.errorf("nesting deeper than " + strconv.Itoa(d.lim.MaxDepth))
	}
	d.pos++
	return nil
}

// next reads the separator after an element or member: it reports whether
// another one follows, or consumes the closing bracket.
func (d *Decoder) next(first bool, closing byte, what string) (bool, error) {
	d.skipSpace()
	if d.pos < len(d.buf) && d.buf[d.pos] == closing {
		d.pos++
		d.depth--
		return false, nil
	}
	if first {
		return true, nil
	}
	if d.pos < len(d.buf) && d.buf[d.pos] == ',' {
		d.pos++
		return true, nil
	}
	return false, d.errorf(d.describe() + " after " + what + ", want ',' or '" + string(closing) + "'")
}

// Object reads an object, calling member for each member in document order
// with the member's key; member must read the value (with one Read method,
// Object, Array, Skip or Value) or return an error, which Object returns.
func (d *Decoder) Object(member func(key string) error) error {
	if err := d.open(Object); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := d.next(first, '}', "an object member")
		if !more || err != nil {
			return err
		}
		d.skipSpace()
		if d.pos >= len(d.buf) || d.buf[d.pos] != '"' {
			return d.errorf(d.describe() + " where an object key belongs")
		}
		key, err := d.readString()
		if err != nil {
			return err
		}
		d.skipSpace()
		if d.pos >= len(d.buf) || d.buf[d.pos] != ':' {
			return d.errorf(d.describe() + " after object key " + msg.Quote(key) + ", want ':'")
		}
		d.pos++
		if err := member(key); err != nil {
			return err
		}
	}
}

// Array reads an array, calling elem for each element in order; elem must
// read the element or return an error, which Array returns.
func (d *Decoder) Array(elem func() error) error {
	if err := d.open(Array); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := d.next(first, ']', "an array element")
		if !more || err != nil {
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// Skip reads the next value, whatever its kind, and discards it.
func (d *Decoder) Skip() error {
	k, err := d.Peek()
	if err != nil {
		return err
	}
	switch k {
	case Null:
		return d.ReadNull()
	case Bool:
		_, err = d.ReadBool()
	case Number:
		_, err = d.ReadNumber()
	case String:
		_, err = d.ReadString()
	case Array:
		err = d.Array(d.Skip)
	case Object:
		err = d.Object(func(string) error { return d.Skip() })
	}
	return err
}

// End checks that only whitespace follows the value read.
func (d *Decoder) End() error {
	d.skipSpace()
	if d.pos != len(d.buf) {
		return d.errorf(d.describe() + " after the top-level value")
	}
	return nil
}

// Num is a JSON number's literal text.
type Num string

// Uint64 returns n as a uint64 if it is a non-negative integer literal
// (no fraction or exponent) within range.
func (n Num) Uint64() (uint64, error) {
	v, ok := parseUint(string(n), math.MaxUint64)
	if !ok {
		return 0, errors.New("number " + string(n) + " is not an integer in [0, 2^64)")
	}
	return v, nil
}

// Int returns n as an int if it is an integer literal (no fraction or
// exponent) within range.
func (n Num) Int() (int, error) {
	v, ok := parseInt(string(n), math.MaxInt)
	if !ok {
		return 0, errors.New("number " + string(n) + " is not an integer in the range of int")
	}
	return int(v), nil
}

// Float64 returns n rounded to the nearest float64; an error if it is not a
// JSON number or its magnitude exceeds the float64 range.
func (n Num) Float64() (float64, error) {
	if len(n) == 0 || scanNumber([]byte(n)) != len(n) {
		return 0, errors.New("json: " + msg.Quote(string(n)) + " is not a JSON number")
	}
	v, ok := parseFloat(string(n), 64)
	if !ok {
		return 0, errors.New("number " + string(n) + " is out of the float64 range")
	}
	return v, nil
}

// Float32 returns n rounded to the nearest float32 (directly, not through
// float64, which could round twice); an error if it is not a JSON number or
// its magnitude exceeds the float32 range.
func (n Num) Float32() (float32, error) {
	if len(n) == 0 || scanNumber([]byte(n)) != len(n) {
		return 0, errors.New("json: " + msg.Quote(string(n)) + " is not a JSON number")
	}
	v, ok := parseFloat(string(n), 32)
	if !ok {
		return 0, errors.New("number " + string(n) + " is out of the float32 range")
	}
	return float32(v), nil
}
