/*
 * Linear's bias gradient, db += the sum of g's rows, in the order OpenBLAS's Haswell kernels sum a one-row product
 * (autograd.ColumnSums says the order and how it was found; ColumnSumsTest checks every value against OpenBLAS).
 * Each column's sum is its own chain of adds, so the loops over columns vectorise without changing a bit. Why in
 * C: the Java loop copied every row of g to the heap first.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "k_block.h"   /* the rows are the product's k */


/* db[j] += sum over rows of g[r][from + j], j in 0..cols-1; g has `width` values a row. 0, or -1 out of memory. */
JNIEXPORT jint JNICALL Java_minitrain_autograd_Native_columnSums(JNIEnv *env, jclass cls, jlong g, jint rows,
                                                                 jint width, jint from, jint cols, jlong db) {
    const double *in = (const double *) (intptr_t) g;
    double *total = (double *) (intptr_t) db;
    double *partial = malloc(4 * (size_t) cols * sizeof(double));   /* the four partial sums, one after another */
    if (!partial) return -1;
    for (int64_t first = 0; first < rows; ) {
        int64_t len = block(rows - first), dealt = len - len % 8;
        memset(partial, 0, 4 * (size_t) cols * sizeof(double));
        for (int64_t p = 0; p < len; p++) {
            double *restrict s = partial + (p < dealt ? p % 4 : 0) * (int64_t) cols;
            const double *restrict row = in + (first + p) * width + from;
            for (int j = 0; j < cols; j++) s[j] += row[j];
        }
        const double *s0 = partial, *s1 = s0 + cols, *s2 = s1 + cols, *s3 = s2 + cols;
        for (int j = 0; j < cols; j++) total[j] += (s0[j] + s1[j]) + (s2[j] + s3[j]);
        first += len;
    }
    free(partial);
    return 0;
}
