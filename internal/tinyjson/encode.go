package tinyjson

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/featuremap/featuremap/internal/msg"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s to dst as a JSON string literal. Like
// encoding/json (with HTML escaping off) it escapes '"', '\\', the control
// characters (as \b, \f, \n, \r, \t or \u00XX), U+2028 and U+2029 (which
// JavaScript source once could not hold), and replaces each byte of invalid
// UTF-8 by U+FFFD; everything else is written as is.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending, needing no escape
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			switch r {
			case utf8.RuneError:
				dst = utf8.AppendRune(dst, utf8.RuneError)
			case '\u2028':
				dst = append(dst, `\u2028`...)
			default:
				dst = append(dst, `\u2029`...)
			}
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendFloat appends f, rounded to bits (32 or 64), as encoding/json
// writes a float32 or float64: the shortest decimal that reads back as the
// same value, in plain notation unless its magnitude is below 1e-6 or at
// least 1e21, where it uses an exponent without a leading zero (1e-7, not
// 1e-07). NaN and the infinities have no JSON form and are an error.
func AppendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, errors.New("json: " + strconv.FormatFloat(f, 'g', -1, bits) + " has no JSON form")
	}
	// The thresholds are compared at the value's own precision, as
	// encoding/json does: float32(1e-6) is slightly below 1e-6.
	abs := math.Abs(f)
	format := byte('f')
	if bits == 32 && abs != 0 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) ||
		bits != 32 && abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1] // e-07 → e-7
		dst = dst[:n-1]
	}
	return dst, nil
}

// Append appends v to dst as compact JSON: strings through AppendString,
// numbers as their literal text, members in order. It fails if a Number is
// not a valid JSON number or a Kind is unknown; it does not check keys for
// duplicates.
func Append(dst []byte, v Value) ([]byte, error) {
	switch v.Kind {
	case Null:
		return append(dst, "null"...), nil
	case Bool:
		return strconv.AppendBool(dst, v.Bool), nil
	case Number:
		if len(v.Num) == 0 || scanNumber([]byte(v.Num)) != len(v.Num) {
			return dst, errors.New("json: " + msg.Quote(string(v.Num)) + " is not a JSON number")
		}
		return append(dst, v.Num...), nil
	case String:
		return AppendString(dst, v.Str), nil
	case Array:
		dst = append(dst, '[')
		for i, e := range v.Elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = Append(dst, e); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case Object:
		dst = append(dst, '{')
		for i, m := range v.Members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(AppendString(dst, m.Key), ':')
			var err error
			if dst, err = Append(dst, m.Value); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return dst, errors.New("json: cannot encode a value of " + v.Kind.String())
}
