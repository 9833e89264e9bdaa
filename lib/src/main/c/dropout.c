/*
 * Dropout's mask and its product with x over native memory (autograd.Dropout, minitrain.Rng.Block.mask): value i of
 * the mask is 0 when the Rng's number i after `start` is below p, else 1 / (1 - p), and y = x * mask. SplitMix64,
 * the comparison and the choice are integer operations, exact on every CPU, and the product one IEEE multiply, so
 * the bits are Java's (NativeTest, DropoutTest). Why in C: in Java each block of the mask was drawn in heap arrays
 * and x, y and the mask copied between them and the arrays' memory (docs/performance.md, "Copies").
 */
#include <jni.h>
#include <stdint.h>
#include <string.h>

#define GAMMA 0x9E3779B97F4A7C15ULL

/* mask[i] = (number from + i after start) < p ? 0 : value, for i in 0..n-1 (Rng.Block.mask, step by step);
   with x, also y[i] = x[i] * mask[i]. t is ceil(p 2^53), value's bits the kept values' scale. */
static void draw(int64_t start, int64_t from, int64_t n, int64_t t, uint64_t bits, double *restrict mask,
                 const double *restrict x, double *restrict y) {
    uint64_t first = (uint64_t) start + (uint64_t) (from + 1) * GAMMA;
    for (int64_t i = 0; i < n; i++) {
        uint64_t z = first + (uint64_t) i * GAMMA;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        /* (u - t) >> 63 (arithmetic) is all ones when u < t: then 0, else value's bits */
        uint64_t keep = bits & ~(uint64_t) (((int64_t) (z >> 11) - t) >> 63);
        double m;
        memcpy(&m, &keep, sizeof m);
        mask[i] = m;
        if (x) y[i] = x[i] * m;
    }
}

__attribute__((target("avx512f,avx512dq")))
static void drawAvx512(int64_t start, int64_t from, int64_t n, int64_t t, uint64_t bits, double *restrict mask,
                       const double *restrict x, double *restrict y) { draw(start, from, n, t, bits, mask, x, y); }

JNIEXPORT void JNICALL Java_minitrain_autograd_Native_dropout(JNIEnv *env, jclass cls, jlong start, jlong from,
        jlong n, jlong threshold, jlong valueBits, jlong mask, jlong x, jlong y) {
    __builtin_cpu_init();
    double *m = (double *) (intptr_t) mask, *out = (double *) (intptr_t) y;
    const double *in = (const double *) (intptr_t) x;
    /* AVX-512's 64-bit multiply draws 8 numbers an instruction; without it, the same steps one by one */
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        drawAvx512(start, from, n, threshold, (uint64_t) valueBits, m, in, out);
    else draw(start, from, n, threshold, (uint64_t) valueBits, m, in, out);
}
