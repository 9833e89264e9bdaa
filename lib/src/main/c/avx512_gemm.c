/*
 * Portable mode's matrix products on CPUs with AVX-512: C = op(A) op(B) + beta C, the same sums in the same
 * order as OpenBLAS 0.3.19's Haswell kernels, so the same bits, faster (docs/performance.md, "Matrix products":
 * Linear's products took 1.3 to 1.5 times less time in the shipped model's training step).
 *
 * The order (lib/src/test/java/minitrain/autograd/HaswellOrderTest.java writes it out and checks it): every
 * element of C is one chain of fused multiply-adds over k, acc = fma(a_p, b_p, acc) from acc = 0, added to C
 * at the end; k is cut into blocks (256 while 512 or more are left, the last stretch between 256 and 512 in
 * two halves rounded up to 4), each block its own chain, added to C in turn. Here each of a vector's 8 lanes
 * holds one element's chain, so the vector width changes the speed and never a sum. An odd last row of C is
 * summed by OpenBLAS in another order: the Java side (Avx512Gemm) leaves that row to OpenBLAS.
 *
 * Why it is faster: OpenBLAS's Haswell kernels use 4 doubles a vector; AVX-512 does 8 an instruction. The
 * loops are GotoBLAS's: for each block of k, copy B's block into panels of 24 columns (and a transposed A into
 * tiles of 8 rows; A as stored is read in place), then 8 x 24 elements of C from 24 registers of sums. Copies
 * go by whole vectors: copied a value at a time they took half of dW's time. Compiled with -O3 and no
 * fast-math: the compiler may not reorder or fuse a sum (lib/src/main/c/build).
 *
 * Only the kernel functions are compiled for AVX-512 (the target attribute): the library loads on any
 * x86-64 CPU, and Java asks supported() before it calls gemm().
 */
#include <immintrin.h>
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "k_block.h"
#include "reserve.h"

#define MR 8             /* rows of C a tile: 8 broadcasts of A a step of k */
#define NV 3             /* vectors of C's columns a tile */
#define NR (NV * 8)      /* columns of C a tile: 8 x 3 sums + 3 of B + 1 of A fit AVX-512's 32 registers */

#define AVX512 __attribute__((target("avx512f,fma")))


/* This thread's copies of B's block and A's tile, kept between calls: the same sizes come every step. */
static __thread double *packedB, *packedA;
static __thread size_t capacityB, capacityA;


/* width (a multiple of 8) values to `to`: the first `have` from `from`, zeros after them. A copy: no bit changes. */
static inline AVX512 __attribute__((always_inline)) void copyRow(double *to, const double *from, int have,
                                                                 int width) {
    for (int v = 0; v < width; v += 8) {
        int left = have - v;
        __mmask8 lanes = left >= 8 ? 0xff : left <= 0 ? 0 : (__mmask8) ((1u << left) - 1);
        _mm512_storeu_pd(to + v, _mm512_maskz_loadu_pd(lanes, from + v));   /* lanes past `have`: zero, unread */
    }
}

/* What a block's sums are added to: C as it is, zero (beta 0: the first block), or a row (the first block with
   a bias: Linear's y = b + x W^T, the same sums as OpenBLAS adding into rows set to the bias, without that pass). */
enum { ONTO_C, ONTO_ZERO, ONTO_ROW };

/*
 * One tile: rows rows of C (at most MR) times the cols columns of one panel (at most NR). A's value (r, p) is
 * a[r * aRow + p * aStep]: A's rows read in place (aRow lda, aStep 1) or a copied tile (1, MR); b is the panel
 * of B, (kb, NR), zero past the matrix; onto and row say what the sums are added to.
 */
static inline AVX512 __attribute__((always_inline)) void tile(int rows, int kb, const double *a, size_t aRow,
                                                              size_t aStep, const double *b, double *c, int ldc,
                                                              int cols, int onto, const double *row) {
    __m512d sum[MR][NV];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) sum[r][v] = _mm512_setzero_pd();
    for (int p = 0; p < kb; p++) {
        __m512d bp[NV];
        for (int v = 0; v < NV; v++) bp[v] = _mm512_load_pd(b + p * NR + v * 8);
        for (int r = 0; r < rows; r++) {
            __m512d ap = _mm512_set1_pd(a[r * aRow + p * aStep]);
            for (int v = 0; v < NV; v++) sum[r][v] = _mm512_fmadd_pd(ap, bp[v], sum[r][v]);   /* the chain */
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < NV && v * 8 < cols; v++) {
            int left = cols - v * 8;
            __mmask8 lanes = left >= 8 ? 0xff : (__mmask8) ((1u << left) - 1);   /* past the matrix: untouched */
            double *to = c + (size_t) r * ldc + v * 8;
            __m512d before = onto == ONTO_ZERO ? _mm512_setzero_pd()
                    : _mm512_maskz_loadu_pd(lanes, onto == ONTO_ROW ? row + v * 8 : to);
            _mm512_mask_storeu_pd(to, lanes, _mm512_add_pd(before, sum[r][v]));   /* the block's chain, added */
        }
    }
}

/* A tile's rows against every panel; one copy of tile() per row count, so each keeps its sums in registers. */
static AVX512 void panels(int rows, int kb, const double *a, size_t aRow, size_t aStep, const double *b,
                          double *c, int ldc, int n, int onto, const double *row) {
    for (int j = 0; j < n; j += NR) {
        int cols = n - j < NR ? n - j : NR;
        const double *panel = b + (size_t) j * kb;
        const double *from = onto == ONTO_ROW ? row + j : NULL;
        switch (rows) {
            case 8: tile(8, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            case 7: tile(7, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            case 6: tile(6, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            case 5: tile(5, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            case 4: tile(4, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            case 3: tile(3, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            case 2: tile(2, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
            default: tile(1, kb, a, aRow, aStep, panel, c + j, ldc, cols, onto, from); break;
        }
    }
}

/*
 * C = op(A) op(B) + beta C, beta 0 or 1, row-major, leading dimensions in values; with a bias (n values, else
 * NULL), C = bias + op(A) op(B) in every row, beta unread. 0, or -1 when out of memory.
 */
static AVX512 int gemm(int transA, int transB, int m, int n, int k, const double *A, int lda, const double *B,
                       int ldb, double beta, const double *bias, double *C, int ldc) {
    if (k == 0 && (beta == 0 || bias))
        for (int i = 0; i < m; i++) {
            if (bias) memcpy(C + (size_t) i * ldc, bias, (size_t) n * sizeof(double));
            else memset(C + (size_t) i * ldc, 0, (size_t) n * sizeof(double));
        }
    int width = (n + NR - 1) / NR * NR;   /* n rounded up to whole panels */
    for (int p0 = 0; p0 < k; ) {
        int kb = block(k - p0);
        double *b = reserve(&packedB, &capacityB, (size_t) width * kb);
        int tiles = (m + MR - 1) / MR;
        double *a = transA ? reserve(&packedA, &capacityA, (size_t) MR * kb * tiles) : packedA;
        if ((transA && !a) || !b) return -1;
        /* B's block as panels of NR columns, each (kb, NR): the tile reads it in the order it sums; zero past n. */
        if (transB) {   /* B^T: a column of the panel is a row of B (Linear's W, small) */
            for (int j = 0; j < width; j++) {
                double *to = b + (size_t) (j / NR) * kb * NR + j % NR;
                for (int p = 0; p < kb; p++) to[(size_t) p * NR] = j < n ? B[(size_t) j * ldb + p0 + p] : 0.0;
            }
        } else {        /* a row of the panel is a stretch of a row of B: copied whole, along B's rows */
            for (int p = 0; p < kb; p++)
                for (int j = 0; j < width; j += NR)
                    copyRow(b + (size_t) j * kb + (size_t) p * NR, B + (size_t) (p0 + p) * ldb + j, n - j, NR);
        }
        /* A^T's block, all its tiles at once, read along A's rows as stored: a tile at a time would read one
           cache line from each of kb rows far apart, and the CPU's prefetcher does not follow such a walk. */
        if (transA)
            for (int p = 0; p < kb; p++)
                for (int i = 0; i < m; i += MR)
                    copyRow(a + (size_t) i * kb + (size_t) p * MR, A + (size_t) (p0 + p) * lda + i, m - i, MR);
        for (int i = 0; i < m; i += MR) {
            int rows = m - i < MR ? m - i : MR;
            int onto = p0 > 0 ? ONTO_C : bias ? ONTO_ROW : beta == 0 ? ONTO_ZERO : ONTO_C;
            if (transA)   /* the copied tile */
                panels(rows, kb, a + (size_t) i * kb, 1, MR, b, C + (size_t) i * ldc, ldc, n, onto, bias);
            else          /* A's rows i .. i+rows in place: each row's values in order, one stream a row */
                panels(rows, kb, A + (size_t) i * lda + p0, lda, 1, b, C + (size_t) i * ldc, ldc, n, onto, bias);
        }
        p0 += kb;
    }
    return 0;
}

JNIEXPORT jboolean JNICALL Java_minitrain_autograd_Avx512Gemm_supported(JNIEnv *env, jclass cls) {
    __builtin_cpu_init();
    /* Also asks whether the operating system saves the AVX-512 registers between threads. */
    return __builtin_cpu_supports("avx512f") ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jint JNICALL Java_minitrain_autograd_Avx512Gemm_gemm(JNIEnv *env, jclass cls, jboolean transA,
        jboolean transB, jint m, jint n, jint k, jlong a, jint lda, jlong b, jint ldb, jdouble beta, jlong bias,
        jlong c, jint ldc) {
    return gemm(transA, transB, m, n, k, (const double *) (intptr_t) a, lda, (const double *) (intptr_t) b, ldb,
                beta, (const double *) (intptr_t) bias, (double *) (intptr_t) c, ldc);
}
