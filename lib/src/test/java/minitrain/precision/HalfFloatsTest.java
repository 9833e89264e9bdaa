package minitrain.precision;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fp64 -> fp16 equals NumPy's float16 bit for bit, and fp64 -> bf16 equals a reference round-to-nearest-even
 * on fp32's top 16 bits, on the sweep of tests/reference/half_sweep.py (edge cases, 100,000 random values
 * across the exponent range, 20,000 exact ties).
 */
class HalfFloatsTest {

    record Sweep(double[] x, short[] fp16, short[] bf16) {}

    static Sweep load() throws IOException {
        ByteBuffer b;
        try (InputStream in = HalfFloatsTest.class.getResourceAsStream("/minitrain/precision/sweep.bin")) {
            b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        int edges = b.getInt();
        long seed = b.getLong();
        int random = b.getInt(), ties = b.getInt();
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < edges; i++) xs.add(b.getDouble());
        long state = seed;
        for (int i = 0; i < random; i++) { // the same SplitMix64 formula as the Python script
            state += 0x9E3779B97F4A7C15L;
            long r = mix(state);
            int e = -28 + (int) Long.remainderUnsigned(r, 46);
            long m = (r >>> 8) & ((1L << 52) - 1);
            double x = Math.scalb(1 + m * 0x1.0p-52, e);
            xs.add(((r >>> 7) & 1) == 1 ? -x : x);
        }
        for (int i = 0; i < ties; i++) {
            state += 0x9E3779B97F4A7C15L;
            int p = (int) (mix(state) & 0x7BFF);
            xs.add((HalfFloats.fromFp16((short) p) + HalfFloats.fromFp16((short) (p + 1))) / 2);
        }
        int n = xs.size();
        short[] h = new short[n], bf = new short[n];
        for (int i = 0; i < n; i++) h[i] = b.getShort();
        for (int i = 0; i < n; i++) bf[i] = b.getShort();
        assertFalse(b.hasRemaining());
        return new Sweep(xs.stream().mapToDouble(Double::doubleValue).toArray(), h, bf);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Test
    void fp16MatchesNumpyBitForBit() throws IOException {
        Sweep s = load();
        assertTrue(s.x().length >= 100_000);
        int wrong = 0, first = -1;
        for (int i = 0; i < s.x().length; i++) {
            if (HalfFloats.toFp16(s.x()[i]) != s.fp16()[i]) { wrong++; if (first < 0) first = i; }
        }
        int f = first;
        assertEquals(0, wrong, () -> "first mismatch at " + f + ": x=" + s.x()[f] + " got 0x"
                + Integer.toHexString(HalfFloats.toFp16(s.x()[f]) & 0xFFFF) + " numpy 0x"
                + Integer.toHexString(s.fp16()[f] & 0xFFFF));
    }

    @Test
    void bf16MatchesTheReferenceBitForBit() throws IOException {
        Sweep s = load();
        int wrong = 0, first = -1;
        for (int i = 0; i < s.x().length; i++) {
            if (HalfFloats.toBf16(s.x()[i]) != s.bf16()[i]) { wrong++; if (first < 0) first = i; }
        }
        int f = first;
        assertEquals(0, wrong, () -> "first mismatch at " + f + ": x=" + s.x()[f]);
    }

    @Test
    void decodingIsExactAndTheFormatsLimitsAreRight() {
        assertEquals(65504.0, HalfFloats.fromFp16((short) 0x7BFF));
        assertEquals(0x1.0p-24, HalfFloats.fromFp16((short) 0x0001));
        assertEquals(0x1.0p-14, HalfFloats.fromFp16((short) 0x0400));
        assertEquals(Double.POSITIVE_INFINITY, HalfFloats.roundFp16(70000));
        assertEquals(0.0, HalfFloats.roundFp16(1e-9));
        assertTrue(Double.isNaN(HalfFloats.roundBf16(Double.NaN)));
        for (int bits = 0; bits < 0x7C00; bits++) { // every finite positive fp16 survives a round trip
            assertEquals((short) bits, HalfFloats.toFp16(HalfFloats.fromFp16((short) bits)));
        }
    }
}
