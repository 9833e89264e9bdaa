/*
 * Layer norm's forward and backward loops (autograd.LayerNorm.apply) over native memory: the same operations in
 * the same order as the Java loops, one row after another, each row's sums in order, so the same bits (the
 * compiler may not reorder a sum or fuse a multiply and an add: lib/src/main/c/build). Why in C: the Java loops
 * read and write the arrays through absolute get and put on buffers, which the JIT does not vectorise.
 */
#include <jni.h>
#include <math.h>
#include <stdint.h>

#define P(a) ((double *) (intptr_t) (a))

/* rows rows of c values from x: xhat = (x - mean) / std, y = xhat w + b, rstd = 1 / std a row */
JNIEXPORT void JNICALL Java_minitrain_autograd_Native_layerNormForward(JNIEnv *env, jclass cls, jlong x, jlong xhat,
        jlong y, jlong rstd, jlong w, jlong b, jint rows, jint c, jdouble eps) {
    const double *restrict in = P(x), *restrict wv = P(w), *restrict bv = P(b);
    double *restrict h = P(xhat), *restrict out = P(y), *restrict rs = P(rstd);
    for (int r = 0; r < rows; r++) {
        const double *row = in + (int64_t) r * c;
        double mean = 0;
        for (int k = 0; k < c; k++) mean += row[k];
        mean /= c;
        double var = 0;
        for (int k = 0; k < c; k++) {
            double d = row[k] - mean;
            var += d * d;
        }
        var /= c;
        double s = 1.0 / sqrt(var + eps);
        rs[r] = s;
        double *hr = h + (int64_t) r * c, *yr = out + (int64_t) r * c;
        for (int k = 0; k < c; k++) {
            double v = (row[k] - mean) * s;
            hr[k] = v;
            yr[k] = v * wv[k] + bv[k];
        }
    }
}

/* dx for rows rows: rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = g w; plus prior (when not 0) */
JNIEXPORT void JNICALL Java_minitrain_autograd_Native_layerNormBackward(JNIEnv *env, jclass cls, jlong g, jlong xhat,
        jlong rstd, jlong w, jlong prior, jlong dx, jint rows, jint c) {
    const double *restrict gv = P(g), *restrict h = P(xhat), *restrict rs = P(rstd), *restrict wv = P(w);
    const double *restrict before = P(prior);
    double *restrict out = P(dx);
    for (int r = 0; r < rows; r++) {
        int64_t o = (int64_t) r * c;
        double m1 = 0, m2 = 0;
        for (int k = 0; k < c; k++) {
            double dh = gv[o + k] * wv[k];
            m1 += dh;
            m2 += dh * h[o + k];
        }
        m1 /= c;
        m2 /= c;
        for (int k = 0; k < c; k++) {
            double d = rs[r] * (gv[o + k] * wv[k] - m1 - h[o + k] * m2);
            out[o + k] = before ? before[o + k] + d : d;
        }
    }
}

/* dw += g xhat and db += g, summed over rows in row order */
JNIEXPORT void JNICALL Java_minitrain_autograd_Native_layerNormParameters(JNIEnv *env, jclass cls, jlong g,
        jlong xhat, jlong dw, jlong db, jint rows, jint c) {
    const double *restrict gv = P(g), *restrict h = P(xhat);
    double *restrict sw = P(dw), *restrict sb = P(db);
    for (int r = 0; r < rows; r++) {
        int64_t o = (int64_t) r * c;
        for (int k = 0; k < c; k++) {
            sw[k] += gv[o + k] * h[o + k];
            sb[k] += gv[o + k];
        }
    }
}
