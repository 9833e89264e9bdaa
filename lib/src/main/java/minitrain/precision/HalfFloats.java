package minitrain.precision;

/**
 * fp16 (IEEE 754 binary16: 1 sign, 5 exponent, 10 mantissa bits) and bf16 (1, 8, 7: the top half of an
 * fp32) conversions, written out, with IEEE round-to-nearest-even, subnormals, overflow to infinity and NaN
 * kept (as a quiet NaN with its sign).
 *
 * <p>fp64 to fp16 rounds once, directly from the double (as NumPy's float64 to float16 cast does). fp64 to
 * bf16 follows the usual definition on fp32: first round to fp32 (Java's cast, also to-nearest-even), then
 * round the fp32 to its top 16 bits. That is two roundings, and a value just past a bf16 halfway point can
 * land on the other side of it; it is what frameworks do, so it is what we measure.
 */
public final class HalfFloats {

    private HalfFloats() {}

    // ---- fp16 ----------------------------------------------------------------------------------------

    public static short toFp16(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int sign = (int) (bits >>> 63) << 15;
        if (Double.isNaN(x)) {
            // NumPy's rule: keep the payload's top 10 bits; if they are all zero use 1, or the bits would read
            // as infinity. (A signalling NaN stays signalling: no quiet bit is forced.)
            int payload = (int) ((bits & 0x000FFFFFFFFFFFFFL) >>> 42);
            return (short) (sign | 0x7C00 | (payload == 0 ? 1 : payload));
        }
        double a = Math.abs(x);
        if (a >= 65520.0) return (short) (sign | 0x7C00);   // past the halfway point above 65504: infinity
        if (a < 0x1.0p-14) {
            // Subnormal (or zero): the value in units of 2^-24, rounded half to even by Math.rint (exact:
            // multiplying by a power of two loses nothing). 1024 units is the smallest normal, which is
            // exactly how its bit pattern reads.
            return (short) (sign | (int) Math.rint(a * 0x1.0p24));
        }
        int e = Math.getExponent(a);                         // 2^e <= a < 2^(e+1), e in -14..15
        double m = Math.rint(a * Math.scalb(1.0, 10 - e));    // 1024..2048: the 11-bit significand
        if (m == 2048) {                                      // rounding carried into the next power of two
            e++;
            m = 1024;
        }
        return (short) (sign | (e + 15) << 10 | ((int) m - 1024));
    }

    public static double fromFp16(short h) {
        int bits = h & 0xFFFF;
        double sign = (bits & 0x8000) != 0 ? -1 : 1;
        int exp = (bits >>> 10) & 0x1F, man = bits & 0x3FF;
        if (exp == 0x1F) return man == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        if (exp == 0) return sign * man * 0x1.0p-24;          // subnormal
        return sign * (1024 + man) * Math.scalb(1.0, exp - 25);
    }

    /** x rounded to the nearest fp16, as a double. */
    public static double roundFp16(double x) {
        return fromFp16(toFp16(x));
    }

    // ---- bf16 ----------------------------------------------------------------------------------------

    public static short toBf16(double x) {
        int f = Float.floatToRawIntBits((float) x);
        if (Float.isNaN(Float.intBitsToFloat(f))) return (short) ((f >>> 16) | 0x0040);
        int bias = 0x7FFF + ((f >>> 16) & 1);                // round half to even on the low 16 bits
        return (short) ((f + bias) >>> 16);
    }

    public static double fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    public static double roundBf16(double x) {
        return fromBf16(toBf16(x));
    }
}
