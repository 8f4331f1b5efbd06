package kernel

// Cache blocking of gemmGeneric: a genericKC×genericNC block of B (512 KiB)
// stays in cache while every row of A passes over it.
const (
	genericKC = 256
	genericNC = 512
)

// gemmGeneric computes C = op(A)·op(B) (C += … when acc), as Gemm documents:
//
//	for i < m, j < n: c[i*ldc+j] (+)= Σ_{p<k} opA(i,p) * opB(p,j)
//
// With B untransposed it runs i-p-j inside cache blocks of B, adding
// multiples of four rows of B at a time to a row of C (all contiguous, one
// load and store of C per four multiply-adds); with B transposed each
// element is a dot product of a row of B with a row (or column) of A. It
// needs no workspace.
func gemmGeneric(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, _ []float32) {
	// opA(i, p) is a[i*ai+p*ap].
	ai, ap := lda, 1
	if transA {
		ai, ap = 1, lda
	}
	if transB {
		for i := range m {
			gemmRowTransB(c[i*ldc:i*ldc+n], a[i*ai:], ap, b, ldb, k, acc)
		}
		return
	}
	for jc := 0; jc < n; jc += genericNC {
		nc := min(genericNC, n-jc)
		for pc := 0; pc < k; pc += genericKC {
			kc := min(genericKC, k-pc)
			for i := range m {
				crow := c[i*ldc+jc : i*ldc+jc+nc]
				if pc == 0 && !acc {
					clear(crow)
				}
				gemmRowAdd(crow, a[i*ai+pc*ap:], ap, b[pc*ldb+jc:], ldb, kc)
			}
		}
	}
}

// gemmRowAdd adds Σ_{p<kc} ar[p*ap] * b[p*ldb : p*ldb+len(crow)] to crow.
func gemmRowAdd(crow, ar []float32, ap int, b []float32, ldb, kc int) {
	n := len(crow)
	p := 0
	for ; p+4 <= kc; p += 4 {
		a0, a1, a2, a3 := ar[p*ap], ar[(p+1)*ap], ar[(p+2)*ap], ar[(p+3)*ap]
		b0 := b[p*ldb : p*ldb+n]
		b1 := b[(p+1)*ldb : (p+1)*ldb+n]
		b2 := b[(p+2)*ldb : (p+2)*ldb+n]
		b3 := b[(p+3)*ldb : (p+3)*ldb+n]
		b0, b1, b2, b3 = b0[:len(crow)], b1[:len(crow)], b2[:len(crow)], b3[:len(crow)]
		for j := range crow {
			crow[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
	for ; p < kc; p++ {
		av := ar[p*ap]
		brow := b[p*ldb : p*ldb+n]
		brow = brow[:len(crow)]
		for j, bv := range brow {
			crow[j] += av * bv
		}
	}
}

// gemmRowTransB computes one row of C = op(A)·Bᵀ: crow[j] (+)= Σ_p
// ar[p*ap] * b[j*ldb+p].
func gemmRowTransB(crow, ar []float32, ap int, b []float32, ldb, k int, acc bool) {
	for j := range crow {
		brow := b[j*ldb : j*ldb+k]
		var sum float32
		if ap == 1 {
			ar := ar[:len(brow)]
			for p, bv := range brow {
				sum += ar[p] * bv
			}
		} else {
			for p, bv := range brow {
				sum += ar[p*ap] * bv
			}
		}
		if acc {
			sum += crow[j]
		}
		crow[j] = sum
	}
}
