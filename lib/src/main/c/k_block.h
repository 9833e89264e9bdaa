/*
 * How OpenBLAS's Haswell kernels cut a product's shared dimension k, which the kit's C kernels copy: the length
 * of the block that starts with `left` values of k to go, 256 while 512 or more are left, the last stretch between
 * 256 and 512 in two halves rounded up to 4. Blas.kBlock is the same rule in Java; HaswellOrderTest checks it.
 */
static inline int block(int left) {
    if (left >= 512) return 256;
    if (left > 256) return (left / 2 + 3) / 4 * 4;
    return left;
}
