/*
 * Portable mode's small matrix products: attention's, a head at a time ((T, T) scores from (T, D) slices of qkv,
 * T at most the block size, D = C / H). The same sums in the same order as OpenBLAS 0.3.19's Haswell kernels, so
 * the same bits, on any CPU with AVX2 and FMA (autograd.SmallGemm; SmallGemmTest compares every element).
 *
 * Why: OpenBLAS copies A and B into its panels and zeroes C before every product, and for a product this small
 * that costs as much as the sums (10% of the shipped step's CPU time went to attention's products in OpenBLAS).
 * Here only B is copied (a few KB, into rows padded to whole vectors), A is read in place and C written once.
 *
 * The order, per element of C: k is cut into blocks as every product's is (k_block.h); each block is one chain
 * of fused multiply-adds from 0, added to C in turn (to 0 when beta is 0), as in avx512_gemm.c. Except in an odd
 * last row, which OpenBLAS computes as a tile of one row (found by comparing candidate orders with its results on
 * random matrices): there, in each block, the columns go in groups of four from the first, and each column of a
 * group has four chains, the block's value p in chain p mod 4 for p below the block's length rounded down to 8 and
 * in chain 0 after that, summed as (s0 + s1) + (s2 + s3); the n mod 4 last columns have one chain each.
 */
#include <immintrin.h>
#include <jni.h>
#include <stdint.h>
#include <string.h>

#include "k_block.h"
#include "reserve.h"
#include "small_gemm.h"

#define RT 4   /* rows of C a tile */
#define CT 8   /* columns of C a tile, two vectors: 8 sums + 2 of B + 1 of A of AVX2's 16 registers */

#define AVX2 __attribute__((target("avx2,fma")))

/* This thread's copy of B's block, kept between calls. */
static __thread double *copiedB;
static __thread size_t capacity;

/* Lanes of a vector of 4 columns that are inside the matrix: masked stores leave C past it untouched. */
static inline AVX2 __m256i lanes(int left) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(left), _mm256_setr_epi64x(0, 1, 2, 3));
}

/*
 * rows rows (at most RT) and cols columns (at most CT) of C from one block of kb values of k: A's value (r, p) is
 * a[r * aRow + p * aStep], B's block is b with rows of ldb values, zero past n. Each element's chain, added to C
 * (fresh: to 0).
 */
static inline AVX2 __attribute__((always_inline)) void tile(int rows, int kb, const double *a, size_t aRow,
                                                            size_t aStep, const double *b, int ldb, double *c,
                                                            int ldc, int cols, int fresh) {
    __m256d sum[RT][2];
    for (int r = 0; r < RT; r++) sum[r][0] = sum[r][1] = _mm256_setzero_pd();
    for (int p = 0; p < kb; p++) {
        __m256d b0 = _mm256_loadu_pd(b + (size_t) p * ldb), b1 = _mm256_loadu_pd(b + (size_t) p * ldb + 4);
        for (int r = 0; r < rows; r++) {
            __m256d ap = _mm256_set1_pd(a[r * aRow + p * aStep]);
            sum[r][0] = _mm256_fmadd_pd(ap, b0, sum[r][0]);   /* the chain */
            sum[r][1] = _mm256_fmadd_pd(ap, b1, sum[r][1]);
        }
    }
    __m256i in0 = lanes(cols), in1 = lanes(cols - 4);
    for (int r = 0; r < rows; r++) {
        double *to = c + (size_t) r * ldc;
        __m256d before0 = fresh ? _mm256_setzero_pd() : _mm256_maskload_pd(to, in0);
        __m256d before1 = fresh ? _mm256_setzero_pd() : _mm256_maskload_pd(to + 4, in1);
        _mm256_maskstore_pd(to, in0, _mm256_add_pd(before0, sum[r][0]));
        _mm256_maskstore_pd(to + 4, in1, _mm256_add_pd(before1, sum[r][1]));
    }
}

/* rows rows of C against all n columns; one copy of tile() per row count, so each keeps its sums in registers. */
static AVX2 void rowsOf(int rows, int kb, const double *a, size_t aRow, size_t aStep, const double *b, int ldb,
                        double *c, int ldc, int n, int fresh) {
    for (int j = 0; j < n; j += CT) {
        int cols = n - j < CT ? n - j : CT;
        switch (rows) {
            case 4: tile(4, kb, a, aRow, aStep, b + j, ldb, c + j, ldc, cols, fresh); break;
            case 3: tile(3, kb, a, aRow, aStep, b + j, ldb, c + j, ldc, cols, fresh); break;
            case 2: tile(2, kb, a, aRow, aStep, b + j, ldb, c + j, ldc, cols, fresh); break;
            default: tile(1, kb, a, aRow, aStep, b + j, ldb, c + j, ldc, cols, fresh); break;
        }
    }
}

/* An odd last row of C (n values at c) from one block, in OpenBLAS's order for a tile of one row (see the top). */
static AVX2 void lastRow(int kb, const double *a, size_t aStep, const double *b, int ldb, double *c, int n,
                         int fresh) {
    int dealt = kb - kb % 8, grouped = n - n % 4;
    for (int j = 0; j < grouped; j += 4) {
        __m256d s[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
        for (int p = 0; p < kb; p++) {
            int chain = p < dealt ? p % 4 : 0;
            s[chain] = _mm256_fmadd_pd(_mm256_set1_pd(a[p * aStep]), _mm256_loadu_pd(b + (size_t) p * ldb + j),
                                       s[chain]);
        }
        __m256d total = _mm256_add_pd(_mm256_add_pd(s[0], s[1]), _mm256_add_pd(s[2], s[3]));
        __m256d before = fresh ? _mm256_setzero_pd() : _mm256_loadu_pd(c + j);
        _mm256_storeu_pd(c + j, _mm256_add_pd(before, total));
    }
    for (int j = grouped; j < n; j++) {
        double s = 0;
        for (int p = 0; p < kb; p++) s = __builtin_fma(a[p * aStep], b[(size_t) p * ldb + j], s);
        c[j] = (fresh ? 0.0 : c[j]) + s;
    }
}


/* C = op(A) op(B) + beta C, beta 0 or 1, row-major, leading dimensions in values. 0, or -1 when out of memory. */
AVX2 int smallGemm(int transA, int transB, int m, int n, int k, const double *A, int lda, const double *B,
                     int ldb, double beta, double *C, int ldc, int zeros) {
    if (k == 0 && beta == 0)
        for (int i = 0; i < m; i++) memset(C + (size_t) i * ldc, 0, (size_t) n * sizeof(double));
    int width = (n + CT - 1) / CT * CT;           /* B's rows padded to whole tiles, so the tiles load whole vectors */
    int chained = m - m % 2;                      /* the rows summed as one chain a block; an odd last row is not */
    size_t aRow = transA ? 1 : (size_t) lda, aStep = transA ? (size_t) lda : 1;
    for (int p0 = 0; p0 < k; ) {
        int kb = block(k - p0), fresh = p0 == 0 && beta == 0;
        double *b = reserve(&copiedB, &capacity, (size_t) kb * width);
        if (!b) return -1;
        for (int p = 0; p < kb; p++) {            /* op(B)'s rows p0 .. p0+kb-1, zeros past n */
            double *to = b + (size_t) p * width;
            if (transB) for (int j = 0; j < n; j++) to[j] = B[(size_t) j * ldb + p0 + p];
            else memcpy(to, B + (size_t) (p0 + p) * ldb, (size_t) n * sizeof(double));
            memset(to + n, 0, (size_t) (width - n) * sizeof(double));
        }
        const double *a = A + (size_t) p0 * aStep;
        for (int i = 0; i < chained; i += RT) {
            int rows = chained - i < RT ? chained - i : RT;
            /* The tile's stretch of this block, from p to q: all of it, or what the causal zeros leave. */
            int p = zeros == A_UPPER ? i - p0 : 0, q = zeros == A_LOWER ? i + rows - p0 : kb;
            p = p < 0 ? 0 : p > kb ? kb : p;
            q = q < p ? p : q > kb ? kb : q;
            int n1 = zeros == C_LOWER && i + rows < n ? i + rows : n;   /* C's columns up to the tile's last row */
            rowsOf(rows, q - p, a + i * aRow + p * aStep, aRow, aStep, b + (size_t) p * width, width,
                   C + (size_t) i * ldc, ldc, n1, fresh);
        }
        if (chained < m) lastRow(kb, a + chained * aRow, aStep, b, width, C + (size_t) chained * ldc, n, fresh);
        p0 += kb;
    }
    return 0;
}

JNIEXPORT jboolean JNICALL Java_minitrain_autograd_SmallGemm_supported(JNIEnv *env, jclass cls) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jint JNICALL Java_minitrain_autograd_SmallGemm_gemm(JNIEnv *env, jclass cls, jboolean transA,
        jboolean transB, jint m, jint n, jint k, jlong a, jint lda, jlong b, jint ldb, jdouble beta, jlong c,
        jint ldc, jint zeros) {
    return smallGemm(transA, transB, m, n, k, (const double *) (intptr_t) a, lda, (const double *) (intptr_t) b,
                     ldb, beta, (double *) (intptr_t) c, ldc, zeros);
}
