package onnx

import (
	"math/bits"
	"strconv"
)

// Protocol buffer wire types
// (https://protobuf.dev/programming-guides/encoding/#structure).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireStart   = 3 // start group (deprecated, skipped)
	wireEnd     = 4 // end group
	wireFixed32 = 5
)

// maxFieldNumber is the largest field number protobuf allows (2²⁹-1).
const maxFieldNumber = 1<<29 - 1

// field is one decoded key-value pair of a message: for wireVarint,
// wireFixed32 and wireFixed64 the value is in v, for wireBytes the payload
// is data (aliasing the input).
type field struct {
	num  int
	wire int
	v    uint64
	data []byte
}

// consumeVarint reads a base-128 varint from the front of b, returning the
// value and its length; n == 0 means truncated, n < 0 too long (over 10
// bytes, or a 10th byte above 1, like the reference implementation).
func consumeVarint(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, -1
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// varintErr names a failed consumeVarint.
func varintErr(n int) string {
	if n == 0 {
		return "truncated varint"
	}
	return "varint longer than 10 bytes"
}

// next reads the next field of a message from *b and advances *b past it.
// Groups (wire types 3 and 4) are skipped whole, nested up to the depth
// limit, and returned with no payload; the caller treats them as unknown.
func (d *decoder) next(b *[]byte) (field, error) {
	key, n := consumeVarint(*b)
	if n <= 0 {
		return field{}, newError(varintErr(n) + " in a field key")
	}
	*b = (*b)[n:]
	f := field{num: int(key >> 3), wire: int(key & 7)}
	if key>>3 == 0 || key>>3 > maxFieldNumber {
		return f, newError("invalid field number " + strconv.FormatUint(key>>3, 10))
	}
	switch f.wire {
	case wireVarint:
		f.v, n = consumeVarint(*b)
		if n <= 0 {
			return f, fieldError(f.num, varintErr(n))
		}
		*b = (*b)[n:]
	case wireFixed64:
		if len(*b) < 8 {
			return f, fieldError(f.num, "truncated fixed64")
		}
		f.v = le64(*b)
		*b = (*b)[8:]
	case wireFixed32:
		if len(*b) < 4 {
			return f, fieldError(f.num, "truncated fixed32")
		}
		f.v = uint64(le32(*b))
		*b = (*b)[4:]
	case wireBytes:
		l, n := consumeVarint(*b)
		if n <= 0 {
			return f, fieldError(f.num, varintErr(n)+" in a length")
		}
		*b = (*b)[n:]
		if l > uint64(len(*b)) {
			return f, fieldError(f.num, "length "+strconv.FormatUint(l, 10)+" exceeds the "+strconv.Itoa(len(*b))+" bytes left")
		}
		f.data = (*b)[:l]
		*b = (*b)[l:]
	case wireStart:
		if err := d.skipGroup(b, f.num); err != nil {
			return f, err
		}
	case wireEnd:
		return f, fieldError(f.num, "end of a group that was not started")
	default:
		return f, fieldError(f.num, "invalid wire type "+strconv.Itoa(f.wire))
	}
	return f, nil
}

// skipGroup advances *b past the fields of a group up to and including its
// end-group key for field num.
func (d *decoder) skipGroup(b *[]byte, num int) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	for {
		if len(*b) == 0 {
			return fieldError(num, "group without an end")
		}
		key, n := consumeVarint(*b)
		if n > 0 && key&7 == wireEnd {
			if int(key>>3) != num {
				return fieldError(num, "group ends with field "+strconv.FormatUint(key>>3, 10))
			}
			*b = (*b)[n:]
			return nil
		}
		if _, err := d.next(b); err != nil {
			return err
		}
	}
}

// countVarints returns the number of varints in a packed payload, which
// must hold whole varints only.
func countVarints(b []byte) (int, error) {
	n := 0
	for _, c := range b {
		if c < 0x80 {
			n++
		}
	}
	if len(b) > 0 && b[len(b)-1] >= 0x80 {
		return 0, newError("truncated varint in a packed field")
	}
	return n, nil
}

// wireName names a wire type in errors.
func wireName(w int) string {
	switch w {
	case wireVarint:
		return "varint"
	case wireFixed64:
		return "fixed64"
	case wireBytes:
		return "length-delimited"
	case wireFixed32:
		return "fixed32"
	}
	return "group"
}

// encoder appends protobuf wire data to b; in sizing mode it only adds up
// the length n the data would take (to write a nested message's length
// before the message).
type encoder struct {
	b      []byte
	n      int
	sizing bool
}

func (e *encoder) raw(p []byte) {
	if e.sizing {
		e.n += len(p)
		return
	}
	e.b = append(e.b, p...)
}

func (e *encoder) varint(v uint64) {
	if e.sizing {
		e.n += (bits.Len64(v|1) + 6) / 7
		return
	}
	e.b = appendUvarint(e.b, v)
}

func (e *encoder) key(num, wire int) { e.varint(uint64(num)<<3 | uint64(wire)) }

func (e *encoder) fixed32(v uint32) {
	if e.sizing {
		e.n += 4
		return
	}
	e.b = appendLE32(e.b, v)
}

func (e *encoder) fixed64(v uint64) {
	if e.sizing {
		e.n += 8
		return
	}
	e.b = appendLE64(e.b, v)
}

// bytesField writes a length-delimited field.
func (e *encoder) bytesField(num int, p []byte) {
	e.key(num, wireBytes)
	e.varint(uint64(len(p)))
	e.raw(p)
}

// str writes s as a length-delimited field, even if it is empty.
func (e *encoder) str(num int, s string) {
	e.key(num, wireBytes)
	e.varint(uint64(len(s)))
	if e.sizing {
		e.n += len(s)
		return
	}
	e.b = append(e.b, s...)
}

// stringField writes s as a length-delimited field unless it is empty.
func (e *encoder) stringField(num int, s string) {
	if s != "" {
		e.str(num, s)
	}
}

// varintField writes v unless it is zero.
func (e *encoder) varintField(num int, v uint64) {
	if v == 0 {
		return
	}
	e.key(num, wireVarint)
	e.varint(v)
}

// message writes a nested message whose fields body writes.
func (e *encoder) message(num int, body func(*encoder)) {
	s := encoder{sizing: true}
	body(&s)
	e.key(num, wireBytes)
	e.varint(uint64(s.n))
	if e.sizing {
		e.n += s.n
		return
	}
	body(e)
}

// packed writes a packed repeated field of count elements, each written by
// elem, unless count is zero.
func (e *encoder) packed(num, count int, elem func(*encoder, int)) {
	if count == 0 {
		return
	}
	e.message(num, func(e *encoder) {
		for i := range count {
			elem(e, i)
		}
	})
}
