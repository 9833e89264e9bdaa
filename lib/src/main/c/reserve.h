/*
 * A thread's buffer for a kernel's copies, kept between calls (the same sizes come every step) and grown when a
 * call needs more: at least `values` doubles, 64-byte aligned for whole-vector loads; NULL when out of memory.
 */
#include <stdlib.h>

static inline double *reserve(double **buffer, size_t *capacity, size_t values) {
    if (values > *capacity) {
        free(*buffer);
        *buffer = aligned_alloc(64, (values * sizeof(double) + 63) / 64 * 64);
        *capacity = *buffer ? values : 0;
    }
    return *buffer;
}
