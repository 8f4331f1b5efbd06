package tinyjson

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// checkNumber compares Num's conversions of a JSON number literal s with
// strconv's, the oracle: the same value (bit for bit, -0 included) or an
// error exactly where strconv reports one.
func checkNumber(t *testing.T, s string) {
	t.Helper()
	n := Num(s)
	want64, err64 := strconv.ParseFloat(s, 64)
	got64, err := n.Float64()
	if (err != nil) != (err64 != nil) || err == nil && math.Float64bits(got64) != math.Float64bits(want64) {
		t.Fatalf("Num(%q).Float64() = %v, %v; strconv: %v, %v", s, got64, err, want64, err64)
	}
	want32, err32 := strconv.ParseFloat(s, 32)
	got32, err := n.Float32()
	if (err != nil) != (err32 != nil) || err == nil && math.Float32bits(got32) != math.Float32bits(float32(want32)) {
		t.Fatalf("Num(%q).Float32() = %v, %v; strconv: %v, %v", s, got32, err, float32(want32), err32)
	}
	wantInt, errInt := strconv.ParseInt(s, 10, strconv.IntSize)
	if gotInt, err := n.Int(); (err != nil) != (errInt != nil) || err == nil && int64(gotInt) != wantInt {
		t.Fatalf("Num(%q).Int() = %v, %v; strconv: %v, %v", s, gotInt, err, wantInt, errInt)
	}
	wantUint, errUint := strconv.ParseUint(s, 10, 64)
	if gotUint, err := n.Uint64(); (err != nil) != (errUint != nil) || err == nil && gotUint != wantUint {
		t.Fatalf("Num(%q).Uint64() = %v, %v; strconv: %v, %v", s, gotUint, err, wantUint, errUint)
	}
}

func TestNumberConversions(t *testing.T) {
	cases := []string{
		"0", "-0", "0.0", "-0e5", "1", "-1", "0.1", "0.5", "1.5e3", "123456789012345678",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616",
		"1e22", "1e23", "9007199254740993", "9007199254740992.5", "16777217", "16777216.000000001",
		"2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
		"2.4703282292062327e-324", "2.4703282292062328e-324", "1e-324", "1e-400", "5e-325",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "1e400",
		"3.4028234663852886e38", "3.4028235677973366e38", "3.4028236e38", "1.401298464324817e-45",
		"7.006492321624085e-46", "7.006492321624086e-46", "1.1754943508222875e-38",
		"0.000001", "1e-7", "0.003921569", "1e999999999999", "-1e-999999999999",
		"0." + strings.Repeat("0", 400) + "1",
		"1" + strings.Repeat("0", 400), // overflows
		// Halfway between two floats, then just above it (beyond maxDigits).
		"9007199254740993" + strings.Repeat("0", 900),
		"9007199254740993" + strings.Repeat("0", 900) + "1",
		"2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
	}
	for _, s := range cases {
		checkNumber(t, s)
	}
	// Random literals near the float32 and float64 rounding boundaries: a
	// float's shortest form, and the exact midpoint to its neighbour.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		f := math.Float64frombits(r.Uint64() &^ (1 << 63))
		if math.IsInf(f, 0) || math.IsNaN(f) {
			continue
		}
		checkNumber(t, strconv.FormatFloat(f, 'g', -1, 64))
		checkNumber(t, strconv.FormatFloat(f, 'e', 25, 64))
		g := float32(f)
		if !math.IsInf(float64(g), 0) {
			checkNumber(t, strconv.FormatFloat(float64(g), 'e', -1, 32))
			mid := (float64(g) + float64(math.Nextafter32(g, float32(math.Inf(1))))) / 2
			checkNumber(t, strconv.FormatFloat(mid, 'e', -1, 64))
		}
		checkNumber(t, strconv.FormatFloat(f*1e-300, 'e', 30, 64))
	}
}

func FuzzNumberConversions(f *testing.F) {
	for _, s := range []string{"0", "-1.5e-3", "123456789e-320", "1e308", "3.4028235e38"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) == 0 || scanNumber([]byte(s)) != len(s) {
			if _, err := Num(s).Float64(); err == nil {
				t.Fatalf("Num(%q).Float64(): no error for a non-number", s)
			}
			return
		}
		checkNumber(t, s)
	})
}
