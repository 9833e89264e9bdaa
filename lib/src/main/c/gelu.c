/*
 * GELU's forward, y = x Phi(x) and its slope dy/dx = Phi(x) + x phi(x), in C: the same operations, in the same
 * order, on the same constants (normal_cdf_polynomials.h) as autograd.NormalCdf and Gelu in Java, so the same
 * bits (NativeTest compares them). Nothing here is the C library's: + - * /, floor, fabs, copysign and building
 * a power of two from its bits, all exact or rounded once as IEEE 754 says, on every x86-64 CPU. Compiled with
 * -ffp-contract=off (lib/src/main/c/build): Java never fuses a multiply and an add, so neither may the compiler.
 *
 * Why: in Java the formula runs in about 4 ns a value a core (the JIT vectorises it only cut into short loops,
 * through heap copies); the compiler here vectorises the whole formula in one loop over native memory, in AVX-512
 * or AVX2, whichever the CPU has. The vector width changes no bit: every value is computed alone.
 */
#include <jni.h>
#include <math.h>
#include <stdint.h>

#include "normal_cdf_polynomials.h"

/* 2^-k for whole k in 0..1022, from its bits (NormalCdf.twoToMinus): k + 2^52 holds k in its low bits exactly. */
static inline double twoToMinus(double k) {
    union { double d; int64_t i; } shifted = {.d = k + 0x1p52}, power;
    power.i = (1023 - (shifted.i & 0xfff)) << 52;
    return power.d;
}

/* NormalCdf.cdf and density, one value: Phi(x) into *cdf, phi(x) into *density. */
static inline void normal(double x, double *cdf, double *density) {
    double a = fabs(x);
    double below = a < CUT ? a : CUT;
    a = a != a ? a : below;                                     /* Math.min(|x|, CUT): NaN stays NaN */
    /* gaussian(a) = exp(-a^2 / 2), as NormalCdf computes it */
    double h = a * a;
    double p = a * SPLIT, hi = p - (p - a), lo = a - hi;
    double l = ((hi * hi - h) + 2 * hi * lo) + lo * lo;
    double z = 0.5 * h, k = floor(z * INV_LN2 + 0.5);
    double m = -((z - k * LN2_HI) - k * LN2_LO + 0.5 * l);
    double g = (expNearZero(m) * twoToMinus(k)) * (1 - floor(a * (1 / CUT)));
    double v = SHIFT / (SHIFT + a) - CENTRE;
    double tail = factor(v, factorTop(v)) * g;                  /* Phi(-a) */
    *density = g * INV_SQRT_2PI;
    double right = 0.5 + 0.5 * copysign(1.0, x);
    *cdf = right * (1 - tail) + (1 - right) * tail;
}

#define GELU_LOOP                                                                   \
    for (int64_t i = 0; i < n; i++) {                                               \
        double cdf, density;                                                        \
        normal(x[i], &cdf, &density);                                               \
        y[i] = x[i] * cdf;                                                          \
        slope[i] = cdf + x[i] * density;                                            \
    }

/* The same loop compiled three times; the CPU picks (the bits are the same in all three). */
__attribute__((target("avx512f,avx512dq")))
static void geluAvx512(const double *restrict x, double *restrict y, double *restrict slope, int64_t n) { GELU_LOOP }

__attribute__((target("avx2")))
static void geluAvx2(const double *restrict x, double *restrict y, double *restrict slope, int64_t n) { GELU_LOOP }

static void geluPlain(const double *restrict x, double *restrict y, double *restrict slope, int64_t n) { GELU_LOOP }

JNIEXPORT void JNICALL Java_minitrain_autograd_Native_gelu(JNIEnv *env, jclass cls, jlong x, jlong y, jlong slope,
                                                            jlong n) {
    __builtin_cpu_init();
    const double *in = (const double *) (intptr_t) x;
    double *out = (double *) (intptr_t) y, *dydx = (double *) (intptr_t) slope;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) geluAvx512(in, out, dydx, n);
    else if (__builtin_cpu_supports("avx2")) geluAvx2(in, out, dydx, n);
    else geluPlain(in, out, dydx, n);
}
