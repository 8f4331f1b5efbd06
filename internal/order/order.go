// Package order sorts slices of indices stably. The engine's packages
// sort indices (of buffers, tensors, classes) with a comparison function;
// this one small merge sort serves them all in place of slices'
// generic stable sort, whose instance costs about 6 KB of WebAssembly.
package order

// Stable sorts s by cmp (negative when a goes before b) keeping equal
// elements in their order, as slices.SortStableFunc does: a bottom-up merge
// sort, O(n log n) comparisons, with a scratch slice of len(s).
func Stable(s []int, cmp func(a, b int) int) {
	if len(s) < 2 {
		return
	}
	src, dst := s, make([]int, len(s))
	for width := 1; width < len(s); width *= 2 {
		for lo := 0; lo < len(s); lo += 2 * width {
			mid, hi := min(lo+width, len(s)), min(lo+2*width, len(s))
			i, j, k := lo, mid, lo
			for ; i < mid && j < hi; k++ {
				if cmp(src[j], src[i]) < 0 {
					dst[k] = src[j]
					j++
				} else {
					dst[k] = src[i]
					i++
				}
			}
			k += copy(dst[k:], src[i:mid])
			copy(dst[k:], src[j:hi])
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}
