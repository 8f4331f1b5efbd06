package tinyjson

import "math"

// This file converts JSON number literals to Go numbers without package
// strconv's parsers: strconv.Parse* return *strconv.NumError, whose Error
// method links strconv.Quote and its Unicode tables into the engine. The
// conversions are exact: integers are checked for overflow digit by digit,
// and floats are rounded correctly (to nearest, ties to even) at the
// requested precision, as strconv.ParseFloat does.

// parseUint returns the value of s, a string of decimal digits, and whether
// it is one and at most limit.
func parseUint(s string, limit uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if d > 9 || v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// parseInt returns the value of s, an optionally negative string of decimal
// digits, and whether it is one within [-limit-1, limit].
func parseInt(s string, limit uint64) (int64, bool) {
	if len(s) > 0 && s[0] == '-' {
		u, ok := parseUint(s[1:], limit+1)
		return -int64(u), ok
	}
	u, ok := parseUint(s, limit)
	return int64(u), ok
}

// maxDigits is how many significant digits parseFloat keeps: more than the
// 767 a float64 halfway point can need, so nonzero digits beyond them only
// decide which side of a tie the value lies on (they become one final 1).
const maxDigits = 800

// parseFloat returns the JSON number literal s (already checked by
// scanNumber) rounded to the nearest float64 (bits 64) or float32 (bits 32),
// and false if its magnitude rounds beyond that type's range. Values below
// the smallest subnormal round to zero, as in strconv.ParseFloat.
func parseFloat(s string, bits int) (float64, bool) {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	// The value is 0.digits × 10^point.
	var digits []byte
	point, sawPoint, dropped := 0, false, false
	i := 0
	for ; i < len(s) && s[i] != 'e' && s[i] != 'E'; i++ {
		c := s[i]
		switch {
		case c == '.':
			sawPoint = true
		case c == '0' && len(digits) == 0:
			if sawPoint {
				point--
			}
		default:
			if !sawPoint {
				point++
			}
			if len(digits) < maxDigits {
				digits = append(digits, c)
			} else if c != '0' {
				dropped = true
			}
		}
	}
	if dropped {
		digits = append(digits, '1')
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if i < len(s) {
		// The exponent saturates far outside every float's range.
		i++
		eneg := s[i] == '-'
		if s[i] == '+' || s[i] == '-' {
			i++
		}
		e := 0
		for ; i < len(s); i++ {
			if e < 100000 {
				e = e*10 + int(s[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		point += e
	}
	f, ok := decimalToFloat(digits, point, bits)
	if neg {
		f = -f
	}
	return f, ok
}

// pow10 holds the powers of ten that float64 (and, up to 1e10, float32)
// represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimalToFloat rounds 0.digits × 10^point to the nearest float of the
// given bits; digits has no leading or trailing zeros.
func decimalToFloat(digits []byte, point, bits int) (float64, bool) {
	mant, minExp, maxExp, exactPow := 53, -1074, 971, 22
	if bits == 32 {
		mant, minExp, maxExp, exactPow = 24, -149, 104, 10
	}
	if len(digits) == 0 || point < minExp/3-1 {
		return 0, true // below half the smallest subnormal
	}
	if point > maxExp/3+mant/3+2 {
		return 0, false // at least 10^(point-1) ≥ 2^(maxExp+mant)
	}
	// Fast path (Clinger 1990): an integer and a power of ten that are both
	// exact, so one multiplication or division rounds correctly.
	if q := point - len(digits); len(digits) <= 15 && q >= -exactPow && q <= exactPow {
		var m uint64
		for _, c := range digits {
			m = m*10 + uint64(c-'0')
		}
		if m < 1<<mant {
			if bits == 32 {
				if q < 0 {
					return float64(float32(m) / float32(pow10[-q])), true
				}
				return float64(float32(m) * float32(pow10[q])), true
			}
			if q < 0 {
				return float64(m) / pow10[-q], true
			}
			return float64(m) * pow10[q], true
		}
	}
	// Exact path: the value is num/den with integers num and den; find e
	// and q = num / (den·2^e) with mant bits (fewer if subnormal), then round
	// q by the remainder.
	num := nat{}
	for _, c := range digits {
		num = num.mulAdd(10, uint32(c-'0'))
	}
	den := nat{1}
	for q := point - len(digits); q != 0; {
		k := min(abs(q), 9)
		p := uint32(pow10[k])
		if q > 0 {
			num = num.mulAdd(p, 0)
			q -= k
		} else {
			den = den.mulAdd(p, 0)
			q += k
		}
	}
	e := max(num.bitLen()-den.bitLen()-mant, minExp)
	if e >= 0 {
		den = den.shl(uint(e))
	} else {
		num = num.shl(uint(-e))
	}
	// num/den < 2^(mant+1): long division, one quotient bit at a time.
	const qbits = 64
	d := den.shl(qbits)
	var q uint64
	for b := qbits; b >= 0; b-- {
		if num.cmp(d) >= 0 {
			num = num.sub(d)
			q |= 1 << b
		}
		d = d.shr1()
	}
	// num is now the remainder, below den.
	var roundUp bool
	if q >= 1<<mant {
		half, sticky := q&1 != 0, len(num) > 0
		q >>= 1
		e++
		roundUp = half && (sticky || q&1 != 0)
	} else {
		c := num.shl(1).cmp(den)
		roundUp = c > 0 || c == 0 && q&1 != 0
	}
	if roundUp {
		q++
		if q == 1<<mant {
			q >>= 1
			e++
		}
	}
	if e > maxExp {
		return 0, false
	}
	// q·2^e is representable (q < 2^mant, e within range), so both
	// conversions below are exact.
	if bits == 32 {
		return float64(float32(math.Ldexp(float64(q), e))), true
	}
	return math.Ldexp(float64(q), e), true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// nat is a natural number in base 2^32, least significant word first, with
// no leading zero words (zero is empty): just enough arithmetic for
// decimalToFloat's exact path.
type nat []uint32

func (x nat) norm() nat {
	for len(x) > 0 && x[len(x)-1] == 0 {
		x = x[:len(x)-1]
	}
	return x
}

// mulAdd returns x·m + a.
func (x nat) mulAdd(m, a uint32) nat {
	carry := uint64(a)
	z := make(nat, len(x), len(x)+1)
	for i, w := range x {
		t := uint64(w)*uint64(m) + carry
		z[i], carry = uint32(t), t>>32
	}
	return append(z, uint32(carry)).norm()
}

func (x nat) bitLen() int {
	if len(x) == 0 {
		return 0
	}
	n, top := 32*(len(x)-1), x[len(x)-1]
	for ; top != 0; top >>= 1 {
		n++
	}
	return n
}

// shl returns x·2^s.
func (x nat) shl(s uint) nat {
	if len(x) == 0 {
		return x
	}
	words, s := int(s/32), s%32
	z := make(nat, words+len(x)+1)
	for i, w := range x {
		v := uint64(w) << s
		z[words+i] |= uint32(v)
		z[words+i+1] = uint32(v >> 32)
	}
	return z.norm()
}

// shr1 returns x/2, rounded down, in place.
func (x nat) shr1() nat {
	for i := range x {
		x[i] >>= 1
		if i+1 < len(x) {
			x[i] |= x[i+1] << 31
		}
	}
	return x.norm()
}

// cmp returns -1, 0 or +1 as x <, == or > y.
func (x nat) cmp(y nat) int {
	if len(x) != len(y) {
		if len(x) < len(y) {
			return -1
		}
		return 1
	}
	for i := len(x) - 1; i >= 0; i-- {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// sub returns x - y, in place; x ≥ y.
func (x nat) sub(y nat) nat {
	var borrow uint64
	for i := range x {
		var w uint64
		if i < len(y) {
			w = uint64(y[i])
		}
		t := uint64(x[i]) - w - borrow
		x[i], borrow = uint32(t), t>>63
	}
	return x.norm()
}
