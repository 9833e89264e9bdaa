"""Expected fp16 and bf16 bit patterns for a sweep of fp64 values, from NumPy (fp16) and from a reference
round-to-nearest-even on the top 16 bits of fp32 written with NumPy integer arithmetic (bf16).

The inputs are not stored: the edge cases are, the rest are generated from SplitMix64 by a formula the Java
test (HalfFloatsTest) repeats exactly. Output: a little-endian binary fixture.

    python tests/reference/half_sweep.py lib/src/test/resources/minitrain/precision/sweep.bin
"""
import math
import struct
import sys

import numpy as np

MASK = (1 << 64) - 1
SEED, RANDOM, TIES = 20261124, 100_000, 20_000


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def f16(bits):
    return float(np.array([bits], dtype=np.uint16).view(np.float16)[0])


def inputs():
    edges = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 65504.0, -65504.0, 65519.99, 65520.0, 65519.999999,
             65536.0, 1e6, 2.0 ** -14, 2.0 ** -24, -2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0000001, 2.0 ** -26, 1e-10,
             5.960464477539063e-08, 6.097555160522461e-05, 6.103515625e-05, 3.4028234663852886e38, 3.5e38, 1e-40,
             1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 0.1, 1 / 3, math.pi, 2049.0, 2051.0]
    # Just past a halfway point by far less than fp32 can hold: a conversion that went through fp32 first
    # would land exactly on the tie and round to even, the wrong way for fp16 (NumPy rounds once, directly).
    # For bf16 the reference does go through fp32, so there the tie-to-even result is the expected one.
    edges += [1.0 + 2.0 ** -11 + 2.0 ** -40, 1.0 + 2.0 ** -8 + 2.0 ** -40, 2.0 ** -25 + 2.0 ** -60,
              -(1.0 + 2.0 ** -11 + 2.0 ** -40), 65504.0 + 16.0 - 2.0 ** -30, 2.0 ** -14 - 2.0 ** -25 - 2.0 ** -50]
    # NaNs with payloads and both signs: NumPy keeps the sign and the payload's top 10 bits (0x7C01 when those
    # are all zero, so the result stays a NaN); the fp32 cast behind bf16 quiets the NaN and keeps the top bits.
    for bits in (0x7FF0000000000001, 0x7FF4000000000000, 0x7FFFFFFFFFFFFFFF, 0xFFF8000000000000,
                 0xFFF0000000000123, 0x7FF0040000000000, 0x7FF8000000000001):
        edges.append(struct.unpack("<d", struct.pack("<Q", bits))[0])
    for k in range(1, 200):  # every halfway point between consecutive subnormals 0..200 units
        edges.append((k - 0.5) * 2.0 ** -24)
    xs = list(edges)
    state = SEED
    for _ in range(RANDOM):
        state, r = splitmix64(state)
        e = -28 + (r % 46)
        m = (r >> 8) & ((1 << 52) - 1)
        x = math.ldexp(1 + m / 2.0 ** 52, e)
        xs.append(-x if (r >> 7) & 1 else x)
    for _ in range(TIES):
        state, r = splitmix64(state)
        p = r & 0x7BFF
        xs.append((f16(p) + f16(p + 1)) / 2)  # exactly halfway: round to the even neighbour
    return edges, xs


def bf16_reference(x):
    f = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    nan = np.isnan(x)
    rounded = ((f + 0x7FFF + ((f >> 16) & 1)) >> 16) & 0xFFFF
    quiet = ((f >> 16) | 0x0040) & 0xFFFF
    return np.where(nan, quiet, rounded).astype(np.uint16)


def main(out):
    edges, xs = inputs()
    x = np.array(xs, dtype=np.float64)
    with np.errstate(over="ignore"):
        h = x.astype(np.float16).view(np.uint16)
        b = bf16_reference(x)
    with open(out, "wb") as f:
        f.write(struct.pack("<iqii", len(edges), SEED, RANDOM, TIES))
        f.write(np.array(edges, dtype="<f8").tobytes())
        f.write(h.astype("<u2").tobytes())
        f.write(b.astype("<u2").tobytes())


if __name__ == "__main__":
    main(sys.argv[1])
