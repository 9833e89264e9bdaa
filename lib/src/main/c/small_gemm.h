/*
 * The kit's small products (small_gemm.c says their order), for the C kernels that call them: attention's backward.
 * Callers run only where autograd.SmallGemm is active: portable mode, on a CPU with AVX2 and FMA.
 */
#ifndef SMALL_GEMM_H
#define SMALL_GEMM_H

/*
 * Which zeros of a causal product the tiles may skip (autograd.SmallGemm.Zeros): op(A)'s past its diagonal (A_LOWER,
 * row i's values p > i, as in attention's weights), before it (A_UPPER, p < i: their transpose), or C's values past
 * its diagonal, not needed (C_LOWER: left as they were). A skipped value of A is a term 0 * b of a chain, which adds
 * nothing to a chain that starts at +0 (it never reaches -0), so the bits of the rest do not change.
 */
enum { ALL, A_LOWER, A_UPPER, C_LOWER };

/* C = op(A) op(B) + beta C, beta 0 or 1, row-major, leading dimensions in values, skipping the zeros named.
   0, or -1 when out of memory. */
int smallGemm(int transA, int transB, int m, int n, int k, const double *A, int lda, const double *B, int ldb,
              double beta, double *C, int ldc, int zeros);

#endif
