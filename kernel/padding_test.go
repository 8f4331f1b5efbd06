package kernel

import (
	"fmt"
	"testing"
)

// TestPaddingText: fmt's %+v is the oracle for the padding errors quote.
func TestPaddingText(t *testing.T) {
	for _, p := range []Padding{{}, {1, 2, 3, 4}, {-1, 0, 7, -20}} {
		if got, want := paddingText(p), fmt.Sprintf("%+v", p); got != want {
			t.Errorf("paddingText = %q, want %q", got, want)
		}
	}
}
