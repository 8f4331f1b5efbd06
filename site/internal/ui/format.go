package ui

import (
	"math"
	"strconv"
	"strings"
)

// Shape renders dimensions as "28×28×64".
func Shape(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "×")
}

// Num renders a kernel result for the explainer: integers as they are,
// other values with at most three decimals ("0.25", "-1.333"), and a
// negative zero as "0".
func Num(v float32) string {
	r := math.Round(float64(v)*1000) / 1000
	if r == 0 {
		return "0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// Percent renders a probability p in [0, 1] as "97.3%" (one decimal).
func Percent(p float32) string {
	return strconv.FormatFloat(float64(p)*100, 'f', 1, 64) + "%"
}
