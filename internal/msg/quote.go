package msg

import "unicode/utf8"

// Quote returns s in double quotes for an error message, as strconv.Quote
// does for printable text: '"' and '\' are escaped, \n \r \t keep their Go
// escapes, other control bytes and invalid UTF-8 become \xNN, and the C1
// controls, line/paragraph separators, bidirectional marks and BOM become
// \uNNNN, so a name from a file can neither break the message nor reorder
// it. Other runes are kept as they are (strconv.Quote's Unicode print
// tables cost the engine several KiB).
func Quote(s string) string {
	b := make([]byte, 1, len(s)+2)
	b[0] = '"'
	for i := 0; i < len(s); {
		r, n, invalid := rune(s[i]), 1, false
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
			if invalid = r == utf8.RuneError && n == 1; invalid {
				r = rune(s[i])
			}
		}
		// An escape is written into esc[:k]; k == 0 keeps the rune as is.
		esc, k := [6]byte{'\\'}, 0
		switch {
		case r == '"' || r == '\\':
			esc[1], k = byte(r), 2
		case r == '\n':
			esc[1], k = 'n', 2
		case r == '\r':
			esc[1], k = 'r', 2
		case r == '\t':
			esc[1], k = 't', 2
		case r < 0x20 || r == 0x7f || invalid:
			esc[1], k = 'x', 4
		case r >= 0x80 && r < 0xa0 || r == 0xad || r >= 0x200b && r <= 0x200f ||
			r >= 0x2028 && r <= 0x202e || r >= 0x2060 && r <= 0x206f || r == 0xfeff:
			esc[1], k = 'u', 6
		}
		if k == 0 {
			b = append(b, s[i:i+n]...)
		} else {
			for j, v := k-1, r; j > 1; j, v = j-1, v>>4 {
				esc[j] = "0123456789abcdef"[v&15]
			}
			b = append(b, esc[:k]...)
		}
		i += n
	}
	return string(append(b, '"'))
}
