/*
 * Attention's loops, a head at a time (autograd.Attention.apply), where the kit's small products run: the products
 * by small_gemm.c (OpenBLAS's order), the loops with the Java loops' operations in their order, so the same bits
 * (NativeTest compares the two), but for the softmax's exp: C cannot promise Math.exp's bits, so the forward is two
 * calls, attentionScores writing each exponent to a heap array where Java takes its exp, then attentionWeights. Why
 * in C: the Java loops copy each head's (T, T) blocks (scores, p, the dropout mask, dL/da) to heap arrays and back.
 */
#include <jni.h>
#include <math.h>
#include <stdint.h>

#include "small_gemm.h"

#define P(a) ((double *) (intptr_t) (a))

/* Where head n = b*H + h finds its matrices, as Attention.Heads says: q in qkv at row b*T, column h*D (k C and v 2C
   further on, rows 3C apart); its output at row b*T, column h*D of y (rows C apart); its (T, T) blocks at n*T*T. */
typedef struct { int64_t q, out, block; int d; } Head;

static Head head(int n, int heads, int t, int c) {
    int d = c / heads;
    Head h = {(int64_t) (n / heads) * t * 3 * c + (int64_t) (n % heads) * d,
              (int64_t) (n / heads) * t * c + (int64_t) (n % heads) * d, (int64_t) n * t * t, d};
    return h;
}

/* Java's Math.max: a NaN wins, and +0 is larger than -0. */
static double javaMax(double a, double b) {
    if (a != a) return a;
    if (a == 0.0 && b == 0.0 && signbit(a)) return b;
    return a >= b ? a : b;
}

/*
 * Head n's scores q k^T into probs, then, row after row, score * scale - max for each key the query sees (j <= i,
 * and real, when real is not null: (B, T) flags) into z, in order. Returns how many, or -1 when out of memory.
 */
JNIEXPORT jint JNICALL Java_minitrain_autograd_Native_attentionScores(JNIEnv *env, jclass cls, jlong x, jlong probs,
        jbyteArray real, jint heads, jint t, jint c, jdouble scale, jint n, jdoubleArray z) {
    Head h = head(n, heads, t, c);
    double *s = P(probs) + h.block;
    if (smallGemm(0, 1, t, t, h.d, P(x) + h.q, 3 * c, P(x) + h.q + c, 3 * c, 0, s, t, C_LOWER)) return -1;
    /* The arrays in place (no copy), held while the loop runs: no JNI calls in between. */
    jbyte *flags = real ? (*env)->GetPrimitiveArrayCritical(env, real, NULL) : NULL;
    double *zs = (*env)->GetPrimitiveArrayCritical(env, z, NULL);
    int count = -1;
    if (zs && (flags || !real)) {
        const jbyte *key = flags ? flags + (int64_t) (n / heads) * t : NULL;
        count = 0;
        for (int i = 0; i < t; i++) {
            const double *row = s + (int64_t) i * t;
            double max = -INFINITY;
            for (int j = 0; j <= i; j++) if (!key || key[j]) max = javaMax(max, row[j] * scale);
            for (int j = 0; j <= i; j++) if (!key || key[j]) zs[count++] = row[j] * scale - max;   /* no overflow */
        }
    }
    if (zs) (*env)->ReleasePrimitiveArrayCritical(env, z, zs, 0);
    if (flags) (*env)->ReleasePrimitiveArrayCritical(env, real, flags, JNI_ABORT);
    return count;
}

/*
 * Head n's softmax from the exps in z: each row's keys (the exp of the next value of z where the query sees the
 * key, else 0) divided by their sum into probs; times the mask into weights (no mask: weights is probs); then
 * y = weights v. 0, or -1 when out of memory.
 */
JNIEXPORT jint JNICALL Java_minitrain_autograd_Native_attentionWeights(JNIEnv *env, jclass cls, jlong x, jlong probs,
        jlong weights, jlong mask, jbyteArray real, jlong y, jint heads, jint t, jint c, jint n, jdoubleArray z) {
    Head h = head(n, heads, t, c);
    int64_t tt = (int64_t) t * t;
    double *p = P(probs) + h.block, *a = P(weights) + h.block;
    jbyte *flags = real ? (*env)->GetPrimitiveArrayCritical(env, real, NULL) : NULL;
    double *zs = (*env)->GetPrimitiveArrayCritical(env, z, NULL);
    int ok = zs && (flags || !real);
    if (ok) {
        const jbyte *key = flags ? flags + (int64_t) (n / heads) * t : NULL;
        int k = 0;
        for (int i = 0; i < t; i++) {
            double *row = p + (int64_t) i * t, sum = 0;
            for (int j = 0; j < t; j++) {
                double ex = j <= i && (!key || key[j]) ? zs[k++] : 0;   /* a key it may not see: weight exactly 0 */
                row[j] = ex;
                sum += ex;
            }
            double inv = 1 / sum;
            for (int j = 0; j < t; j++) row[j] *= inv;
        }
    }
    if (zs) (*env)->ReleasePrimitiveArrayCritical(env, z, zs, JNI_ABORT);
    if (flags) (*env)->ReleasePrimitiveArrayCritical(env, real, flags, JNI_ABORT);
    if (!ok) return -1;
    if (mask) {                                   /* dropout on the weights */
        const double *m = P(mask) + h.block;
        for (int64_t k = 0; k < tt; k++) a[k] = p[k] * m[k];
    }
    /* y = a v, into this head's columns of y */
    return smallGemm(0, 0, t, h.d, t, a, t, P(x) + h.q + 2 * c, 3 * c, 0, P(y) + h.out, c, A_LOWER) ? -1 : 0;
}

/*
 * The gradients of head n: x is qkv (B, T, 3C), gy the output's gradient (B, T, C); probs (the softmax's p), weights
 * (dropout's a = p * mask, or p) and mask (0 without dropout) are (B H, T, T); scores, (B H, T, T), receives dL/da
 * and then dL/ds in place; grads (B, T, 3C) receives dL/dq, dL/dk and dL/dv where qkv holds q, k and v.
 * 0, or -1 when out of memory.
 */
JNIEXPORT jint JNICALL Java_minitrain_autograd_Native_attentionBackward(JNIEnv *env, jclass cls, jlong x, jlong gy,
        jlong probs, jlong weights, jlong mask, jlong scores, jlong grads, jint heads, jint t, jint c, jdouble scale,
        jint n) {
    Head h = head(n, heads, t, c);
    int d = h.d, row = 3 * c;
    int64_t q = h.q;
    const double *xs = P(x), *g = P(gy) + h.out, *p = P(probs) + h.block, *a = P(weights) + h.block;
    const double *keep = mask ? P(mask) + h.block : 0;
    double *ds = P(scores) + h.block, *to = P(grads);
    /* dL/da = gy v^T (up to the diagonal: a query's later keys have p = 0), then dL/dv = a^T gy */
    if (smallGemm(0, 1, t, t, d, g, c, xs + q + 2 * c, row, 0, ds, t, C_LOWER)) return -1;
    if (smallGemm(1, 0, t, d, t, a, t, g, c, 0, to + q + 2 * c, row, A_UPPER)) return -1;
    for (int i = 0; i < t; i++) {
        double *dv = ds + (int64_t) i * t;
        const double *pv = p + (int64_t) i * t, *m = keep ? keep + (int64_t) i * t : 0;
        /* through dropout dL/dp = dL/da * mask; through softmax ds = p (dp - sum_j dp p); then the scale */
        double dot = 0;
        for (int j = 0; j <= i; j++) {
            double dp = m ? dv[j] * m[j] : dv[j];
            dv[j] = dp;
            dot += dp * pv[j];
        }
        for (int j = 0; j <= i; j++) dv[j] = pv[j] * (dv[j] - dot) * scale;
        for (int j = i + 1; j < t; j++) dv[j] = 0;
    }
    /* dL/dq = ds k, then dL/dk = ds^T q */
    if (smallGemm(0, 0, t, d, t, ds, t, xs + q + c, row, 0, to + q, row, A_LOWER)) return -1;
    if (smallGemm(1, 0, t, d, t, ds, t, xs + q, row, 0, to + q + c, row, A_UPPER)) return -1;
    return 0;
}
