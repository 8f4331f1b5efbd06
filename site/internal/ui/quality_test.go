package ui

import "testing"

func TestConfusion(t *testing.T) {
	c := NewConfusion(3)
	for _, tp := range [][2]int{{0, 0}, {0, 0}, {1, 2}, {2, 2}, {1, 1}} {
		c.Add(tp[0], tp[1])
	}
	if total, right := c.Total(); total != 5 || right != 4 {
		t.Errorf("Total = %d, %d; want 5, 4", total, right)
	}
	if n, right := c.Class(1); n != 2 || right != 1 {
		t.Errorf("Class(1) = %d, %d; want 2, 1", n, right)
	}
}

// TestMultiplyAdds: the models' multiply-adds from their summaries, worked
// by hand: seednet conv1 3·3·1·64 weights × 28·28 positions + fc 12,544·10
// = 451,584 + 125,440 (peers.md: 1.2 MFLOP).
func TestMultiplyAdds(t *testing.T) {
	rows := []struct {
		typ     string
		weights int
		out     []int
	}{{"conv2d", 576, []int{28, 28, 64}}, {"maxpool", 0, []int{14, 14, 64}}, {"flatten", 0, []int{12544}}, {"dense", 125440, []int{10}}, {"softmax", 0, []int{10}}}
	var sum int64
	for _, r := range rows {
		sum += MultiplyAdds(r.typ, r.weights, r.out)
	}
	if sum != 576*784+125440 || Millions(2*sum) != "1.2 M" {
		t.Errorf("seednet: %d multiply-adds, %s FLOPs", sum, Millions(2*sum))
	}
}

func TestMedianPolyline(t *testing.T) {
	v := []float64{5, 1, 3, 2}
	if Median(v) != 2.5 || Median(v[:3]) != 3 || Median(nil) != 0 || v[0] != 5 {
		t.Errorf("Median: %v %v %v, v %v", Median(v), Median(v[:3]), Median(nil), v)
	}
	if got := Polyline([]float64{1, 2, 3}, []float64{0, 0.5, 1}, 1, 3, 0, 1, 100, 50); got != "0.0,50.0 50.0,25.0 100.0,0.0" {
		t.Errorf("Polyline = %q", got)
	}
}

func TestParseSample(t *testing.T) {
	// Two 1×2 images: labels 3 and 9, test-set indices 7 and 300.
	good := []byte{'M', 'N', 'S', '1', 2, 0, 1, 2, 3, 9, 7, 0, 44, 1, 0, 255, 128, 64}
	s, err := ParseSample(good)
	if err != nil || s.N != 2 || s.Index[1] != 300 || s.Labels[1] != 9 {
		t.Fatalf("ParseSample = %+v, %v", s, err)
	}
	dst := make([]float32, 2)
	s.Image(dst, 1, 0.5)
	if dst[0] != 64 || dst[1] != 32 {
		t.Errorf("Image(1) = %v", dst)
	}
	for _, bad := range [][]byte{nil, good[:7], good[:len(good)-1], append(append([]byte{}, good...), 0),
		append([]byte{'M', 'N', 'S', '2'}, good[4:]...), {'M', 'N', 'S', '1', 0, 0, 1, 2},
		{'M', 'N', 'S', '1', 1, 0, 1, 1, 10, 0, 0, 0}} {
		if _, err := ParseSample(bad); err == nil {
			t.Errorf("ParseSample(% x) accepted", bad)
		}
	}
	// Large declared sizes are checked against the length, not allocated.
	if _, err := ParseSample([]byte{'M', 'N', 'S', '1', 255, 255, 255, 255}); err == nil {
		t.Error("a huge header was accepted")
	}
}
