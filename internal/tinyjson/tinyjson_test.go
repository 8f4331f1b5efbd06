package tinyjson

import (
	"bytes"
	"encoding/json"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// compact parses doc and re-encodes it, failing the test on error.
func compact(t *testing.T, doc string) string {
	t.Helper()
	v, err := Parse([]byte(doc), Limits{})
	if err != nil {
		t.Fatalf("Parse(%q): %v", doc, err)
	}
	b, err := Append(nil, v)
	if err != nil {
		t.Fatalf("Append(Parse(%q)): %v", doc, err)
	}
	return string(b)
}

func TestParseValid(t *testing.T) {
	for doc, want := range map[string]string{
		`null`:                          `null`,
		` true `:                        `true`,
		"\t\r\nfalse\n":                 `false`,
		`0`:                             `0`,
		`-0.5e+10`:                      `-0.5e+10`,
		`1E-2`:                          `1E-2`,
		`18446744073709551616`:          `18446744073709551616`,
		`""`:                            `""`,
		`"a\"\\\/\b\f\n\r\tz"`:          `"a\"\\/\b\f\n\r\tz"`,
		`"\u00e9\u20AC\ud83d\ude00"`:    `"é€😀"`,
		`"\u0000\u001f"`:                `"\u0000\u001f"`,
		`"é€😀 raw"`:                     `"é€😀 raw"`,
		`[]`:                            `[]`,
		`[ 1 , [ ] , { } ]`:             `[1,[],{}]`,
		`{"b":1,"a":[true,null],"":""}`: `{"b":1,"a":[true,null],"":""}`,
		`{"a" : {"a" : {"a" : 1}}}`:     `{"a":{"a":{"a":1}}}`,
	} {
		if got := compact(t, doc); got != want {
			t.Errorf("Parse(%q) re-encoded = %s, want %s", doc, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		doc    string
		offset int
		msg    string
	}{
		{``, 0, "unexpected end of input, want a value"},
		{`   `, 3, "unexpected end of input"},
		{`x`, 0, "character 'x' does not start a value"},
		{`nul`, 0, "invalid literal, want null"},
		{`truex`, 4, "character 'x' after the top-level value"},
		{`01`, 1, "character '1' after the top-level value"},
		{`-`, 1, "end of input in a number"},
		{`-a`, 1, "character 'a' in a number"},
		{`1.`, 2, "end of input in a number"},
		{`1.e5`, 2, "character 'e' in a number"},
		{`1e`, 2, "end of input in a number"},
		{`+1`, 0, "character '+' does not start a value"},
		{`.5`, 0, "does not start a value"},
		{`"abc`, 4, "unterminated string"},
		{`"a` + "\x01" + `"`, 2, "control byte 0x1 in a string"},
		{"\"\xff\"", 1, "invalid UTF-8"},
		{"\"\xed\xa0\x80\"", 1, "invalid UTF-8"}, // a surrogate encoded as UTF-8
		{`"\x"`, 2, "invalid escape: backslash then character 'x'"},
		{`"\u12"`, 1, `invalid \u escape`},
		{`"\ud800"`, 1, "unpaired surrogate"},
		{`"ab\udc00\ud800"`, 3, "unpaired surrogate"},
		{`"\ud800\u0041"`, 1, "unpaired surrogate"},
		{`[1,]`, 3, "character ']' does not start a value"},
		{`[1 2]`, 3, "character '2' after an array element, want ',' or ']'"},
		{`[`, 1, "unexpected end of input"},
		{`{"a" 1}`, 5, `character '1' after object key "a", want ':'`},
		{`{1:2}`, 1, "character '1' where an object key belongs"},
		{`{"a":1,}`, 7, "character '}' where an object key belongs"},
		{`{"a":1 "b":2}`, 7, "after an object member, want ',' or '}'"},
		{`{"a":1,"a":2}`, 11, `duplicate key "a"`},
		{`[{"k":1,"k":1}]`, 12, `duplicate key "k"`},
	} {
		_, err := Parse([]byte(tc.doc), Limits{})
		var e *Error
		if !errors.As(err, &e) || e.Offset != tc.offset || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("Parse(%q) = %v, want offset %d and %q", tc.doc, err, tc.offset, tc.msg)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "json: offset ") {
			t.Errorf("Parse(%q): error %q lacks the package prefix", tc.doc, err)
		}
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("[", 5) + strings.Repeat("]", 5)
	if _, err := Parse([]byte(deep), Limits{MaxDepth: 5}); err != nil {
		t.Errorf("depth 5 at MaxDepth 5: %v", err)
	}
	if _, err := Parse([]byte(deep), Limits{MaxDepth: 4}); err == nil || !strings.Contains(err.Error(), "nesting deeper than 4") {
		t.Errorf("depth 5 at MaxDepth 4: %v", err)
	}
	// The default depth stops a hostile document long before the stack would.
	if _, err := Parse([]byte(strings.Repeat("[", 1<<20)), Limits{MaxBytes: 2 << 20}); err == nil || !strings.Contains(err.Error(), "nesting deeper than 64") {
		t.Errorf("1 Mi of '[': %v", err)
	}
	five := `[1,{"a":2},3]` // five values: the array, 1, the object, 2 and 3
	if _, err := Parse([]byte(five), Limits{MaxValues: 5}); err != nil {
		t.Errorf("5 values at MaxValues 5: %v", err)
	}
	if _, err := Parse([]byte(five), Limits{MaxValues: 4}); err == nil || !strings.Contains(err.Error(), "more than 4 values") {
		t.Errorf("5 values at MaxValues 4: %v", err)
	}
	if _, err := Parse([]byte(`"abcdef"`), Limits{MaxBytes: 7}); err == nil || !strings.Contains(err.Error(), "document of 8 bytes exceeds the limit of 7") {
		t.Errorf("8 bytes at MaxBytes 7: %v", err)
	}
}

// TestDecoderWalk reads a document with a known schema through the
// callback API, the way a caller that wants no tree does.
func TestDecoderWalk(t *testing.T) {
	doc := `{"t":{"shape":[2,3],"name":"x\u00e9"},"skip":[{"deep":[null,true]}],"n":-1.5}`
	d := NewDecoder([]byte(doc), Limits{})
	var shape []uint64
	var name string
	var n float64
	var keys []string
	err := d.Object(func(key string) error {
		keys = append(keys, key)
		switch key {
		case "t":
			return d.Object(func(key string) error {
				switch key {
				case "shape":
					return d.Array(func() error {
						lit, err := d.ReadNumber()
						if err != nil {
							return err
						}
						v, err := lit.Uint64()
						shape = append(shape, v)
						return err
					})
				case "name":
					var err error
					name, err = d.ReadString()
					return err
				}
				return errors.New("unexpected key " + key)
			})
		case "n":
			lit, err := d.ReadNumber()
			if err != nil {
				return err
			}
			n, err = lit.Float64()
			return err
		}
		return d.Skip()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.End(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shape, []uint64{2, 3}) || name != "xé" || n != -1.5 || !reflect.DeepEqual(keys, []string{"t", "skip", "n"}) {
		t.Errorf("got shape %v, name %q, n %v, keys %v", shape, name, n, keys)
	}

	// A callback's own error comes back unchanged; a kind mismatch names both kinds.
	stop := errors.New("stop")
	if err := NewDecoder([]byte(`{"a":1}`), Limits{}).Object(func(string) error { return stop }); err != stop {
		t.Errorf("callback error = %v, want it returned unchanged", err)
	}
	if _, err := NewDecoder([]byte(` [1]`), Limits{}).ReadString(); err == nil || err.Error() != "json: offset 1: got array, want string" {
		t.Errorf("ReadString on an array: %v", err)
	}
}

func TestNum(t *testing.T) {
	if v, err := Num("18446744073709551615").Uint64(); err != nil || v != math.MaxUint64 {
		t.Errorf("Uint64(max) = %v, %v", v, err)
	}
	for _, bad := range []Num{"18446744073709551616", "-1", "1.0", "1e3"} {
		if _, err := bad.Uint64(); err == nil || !strings.Contains(err.Error(), string(bad)) {
			t.Errorf("Uint64(%s): %v, want an error naming it", bad, err)
		}
	}
	if v, err := Num("-42").Int(); err != nil || v != -42 {
		t.Errorf("Int(-42) = %v, %v", v, err)
	}
	if _, err := Num("1e400").Float64(); err == nil {
		t.Errorf("Float64(1e400): no error")
	}
	if v, err := Num("1e-400").Float64(); err != nil || v != 0 {
		t.Errorf("Float64(1e-400) = %v, %v; want 0 (underflow rounds)", v, err)
	}
}

func TestAppendErrors(t *testing.T) {
	for _, v := range []Value{{Kind: Number, Num: "01"}, {Kind: Number}, {}, {Kind: Array, Elems: []Value{{Kind: Number, Num: "x"}}}} {
		if _, err := Append(nil, v); err == nil {
			t.Errorf("Append(%+v): no error", v)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		bits int
		want string
	}{
		{0, 64, "0"}, {math.Copysign(0, -1), 64, "-0"}, {1, 64, "1"}, {-2.5, 64, "-2.5"},
		{1e-7, 64, "1e-7"}, {1e-6, 64, "0.000001"}, {1e20, 64, "100000000000000000000"}, {1e21, 64, "1e+21"},
		{0.1, 32, "0.1"}, {float64(float32(0.1)), 32, "0.1"}, {1e-4, 32, "0.0001"}, {1e-7, 32, "1e-7"}, {float64(float32(1e-6)), 32, "0.000001"},
		{123456789, 32, "123456790"}, {math.MaxFloat32, 32, "3.4028235e+38"}, {5e-324, 64, "5e-324"},
	} {
		if got, err := AppendFloat(nil, tc.f, tc.bits); err != nil || string(got) != tc.want {
			t.Errorf("AppendFloat(%v, %d) = %s, %v; want %s", tc.f, tc.bits, got, err, tc.want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := AppendFloat(nil, f, 64); err == nil || !strings.Contains(err.Error(), "has no JSON form") {
			t.Errorf("AppendFloat(%v): %v, want an error", f, err)
		}
	}
}

// FuzzAppendFloat compares AppendFloat with encoding/json's encoding of the
// same float64 and float32, byte for byte.
func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1.5, 1e-7, 1e21, 0.1, 3e38, 5e-324, 1e-45, 123456789} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		for _, x := range []any{v, float32(v)} {
			bits, fv := 64, v
			if f32, ok := x.(float32); ok {
				bits, fv = 32, float64(f32)
			}
			want, werr := json.Marshal(x)
			got, err := AppendFloat(nil, fv, bits)
			if (err != nil) != (werr != nil) || err == nil && string(got) != string(want) {
				t.Fatalf("AppendFloat(%v, %d) = %s, %v; encoding/json writes %s, %v", fv, bits, got, err, want, werr)
			}
		}
	})
}

// v1String is encoding/json's encoding of s without HTML escaping: the
// oracle for AppendString.
func v1String(t testing.TB, s string) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "<&>", "\"\\/", "\x00\x01\b\f\n\r\t\x1f\x7f", "é\u2028\u2029😀", "\xff", "a\xc3", "\xed\xa0\x80"} {
		if got, want := string(AppendString(nil, s)), v1String(t, s); got != want {
			t.Errorf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	}
}

// FuzzParse compares Parse with encoding/json/v2 (strict: duplicate keys and
// invalid UTF-8 are errors there too): the same documents are valid, they
// decode to the same values, and what Parse accepts re-encodes (Append) to
// a document that parses to the same tree and re-encodes to the same bytes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"__metadata__":{"arch":"{\"name\":\"seednet\"}","format":"1"},"conv1.weight":{"dtype":"I8","shape":[3,3,1,64],"data_offsets":[0,576]}}`,
		`[1,-0,0.5e-3,1E+9,"a\u00e9\ud83d\ude00\n",true,false,null,{},[]]`,
		`{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", `1e400`, `[1,]`, ` {"x" : [ 0 ] } `, `"\u2028"`,
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxBytes: 1 << 30, MaxDepth: 10000, MaxValues: 1 << 30} // encoding/json/v2 stops at depth 10000
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data, lim)
		if valid := jsontext.Value(data).IsValid(); valid != (err == nil) {
			t.Fatalf("Parse(%q) error %v, but encoding/json/v2 says valid = %v", data, err, valid)
		}
		if err != nil {
			return
		}
		var want any
		if jsonv2.Unmarshal(data, &want) == nil { // fails only for numbers beyond float64
			if got := toAny(t, v); !reflect.DeepEqual(got, want) {
				t.Fatalf("Parse(%q) = %#v, encoding/json/v2 decodes %#v", data, got, want)
			}
		}
		b, err := Append(nil, v)
		if err != nil {
			t.Fatalf("Append(Parse(%q)): %v", data, err)
		}
		again, err := Parse(b, lim)
		if err != nil {
			t.Fatalf("Parse(Append(Parse(%q))) = %v (re-encoded %q)", data, err, b)
		}
		if !reflect.DeepEqual(again, v) {
			t.Fatalf("round trip of %q changed the tree", data)
		}
		if b2, _ := Append(nil, again); !bytes.Equal(b, b2) {
			t.Fatalf("Append is not deterministic: %q then %q", b, b2)
		}
	})
}

// toAny converts a tree to encoding/json's generic form.
func toAny(t *testing.T, v Value) any {
	switch v.Kind {
	case Bool:
		return v.Bool
	case Number:
		f, err := v.Num.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	case String:
		return v.Str
	case Array:
		a := []any{}
		for _, e := range v.Elems {
			a = append(a, toAny(t, e))
		}
		return a
	case Object:
		m := map[string]any{}
		for _, mb := range v.Members {
			m[mb.Key] = toAny(t, mb.Value)
		}
		return m
	}
	return nil
}

// FuzzAppendString compares AppendString with encoding/json byte for byte,
// and checks that valid UTF-8 round-trips through the Decoder.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"\\/\b\f\n\r\t\x00\x1f\x7f", "é\u2028\u2029😀", "\xff\xed\xa0\x80", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendString(nil, s)
		if want := v1String(t, s); string(b) != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, b, want)
		}
		got, err := NewDecoder(b, Limits{MaxBytes: 1 << 30}).ReadString()
		if err != nil {
			t.Fatalf("reading back AppendString(%q) = %s: %v", s, b, err)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}
