/*
 * x + y or x * y, value by value, over native memory: the residual stream's adds and the backward of dropout and
 * GELU (autograd.Nd.pairwise). One IEEE 754 operation a value, rounded once, so the same bits as Java's loop on
 * every CPU, whatever the vector width. Why in C: the Java loop runs on heap arrays, so every block of the three
 * arrays was copied to the heap and back (three copies a value, the copies costing more than the arithmetic: 4.6%
 * of the shipped step's CPU time went to them, docs/performance.md, "Copies"); here the loop reads and writes the
 * arrays where they are.
 */
#include <jni.h>
#include <stdint.h>

static void add(const double *restrict x, const double *restrict y, double *restrict out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = x[i] + y[i];
}

static void multiply(const double *restrict x, const double *restrict y, double *restrict out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = x[i] * y[i];
}

JNIEXPORT void JNICALL Java_minitrain_autograd_Native_pairwise(JNIEnv *env, jclass cls, jlong x, jlong y, jlong out,
                                                                jlong n, jboolean product) {
    const double *a = (const double *) (intptr_t) x, *b = (const double *) (intptr_t) y;
    double *c = (double *) (intptr_t) out;
    if (product) multiply(a, b, c, n);
    else add(a, b, c, n);
}
