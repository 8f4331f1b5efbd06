package msg

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"conv2d_1", `"conv2d_1"`},
		{`a "b" \c`, `"a \"b\" \\c"`},
		{"\n\r\t\x00\x1f\x7f", `"\n\r\t\x00\x1f\x7f"`},
		{"caf\u00e9 \u0101 日本", "\"caf\u00e9 \u0101 日本\""},
		{"\xff\xc3", `"\xff\xc3"`},
		{"\u0085\u00ad\u200e\u2028\u202e\u2066\ufeff", `"\u0085\u00ad\u200e\u2028\u202e\u2066\ufeff"`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzQuote checks Quote against strconv.Quote, the oracle: the result is
// valid UTF-8 that strconv.Unquote turns back into s (for valid UTF-8 input),
// and equals strconv.Quote's on printable ASCII.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\xff", "é\u2028", "\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		if !utf8.ValidString(q) {
			t.Fatalf("Quote(%q) = %q is not valid UTF-8", s, q)
		}
		u, err := strconv.Unquote(q)
		if err != nil {
			t.Fatalf("Quote(%q) = %s does not unquote: %v", s, q, err)
		}
		if utf8.ValidString(s) && u != s {
			t.Fatalf("Quote(%q) = %s unquotes to %q", s, q, u)
		}
		ascii := true
		for i := 0; i < len(s); i++ {
			ascii = ascii && s[i] >= 0x20 && s[i] < 0x7f
		}
		if ascii && q != strconv.Quote(s) {
			t.Fatalf("Quote(%q) = %s, strconv.Quote gives %s", s, q, strconv.Quote(s))
		}
	})
}

func TestJoin(t *testing.T) {
	for _, s := range [][]string{nil, {}, {"a"}, {"a", "", "b c"}} {
		for _, sep := range []string{"", ", ", `","`} {
			if got, want := Join(s, sep), strings.Join(s, sep); got != want {
				t.Errorf("Join(%q, %q) = %q, strings.Join gives %q", s, sep, got, want)
			}
		}
	}
}
