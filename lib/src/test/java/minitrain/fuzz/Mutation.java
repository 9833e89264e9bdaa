package minitrain.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One small damage done to a file's bytes. Seeds are valid or nearly valid files; a few mutations in a row
 * give inputs that are almost right, which is where a reader's checks are thinnest (random bytes are
 * refused at the first check and teach nothing). Positions are taken modulo the length, so every mutation
 * applies to every file and jqwik can shrink a failing list to the one mutation that matters.
 */
sealed interface Mutation {

    byte[] apply(byte[] in);

    /** Flips one bit: a damaged disk block, or a digit of a length changed. */
    record BitFlip(int at, int bit) implements Mutation {
        public byte[] apply(byte[] in) {
            if (in.length == 0) return in;
            byte[] out = in.clone();
            out[Math.floorMod(at, in.length)] ^= (byte) (1 << bit);
            return out;
        }
    }

    /** Inserts one byte: shifts everything after it, so every offset that follows is now wrong. */
    record Insert(int at, byte value) implements Mutation {
        public byte[] apply(byte[] in) {
            int p = Math.floorMod(at, in.length + 1);
            byte[] out = new byte[in.length + 1];
            System.arraycopy(in, 0, out, 0, p);
            out[p] = value;
            System.arraycopy(in, p, out, p + 1, in.length - p);
            return out;
        }
    }

    /** Deletes up to {@code count} bytes: a lost block in the middle of a file. */
    record Delete(int at, int count) implements Mutation {
        public byte[] apply(byte[] in) {
            if (in.length == 0) return in;
            int p = Math.floorMod(at, in.length), n = Math.min(count, in.length - p);
            byte[] out = new byte[in.length - n];
            System.arraycopy(in, 0, out, 0, p);
            System.arraycopy(in, p + n, out, p, in.length - p - n);
            return out;
        }
    }

    /** Cuts the file short: a copy or a download interrupted, a write killed midway. */
    record Truncate(int at) implements Mutation {
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, Math.floorMod(at, in.length + 1));
        }
    }

    /** Overwrites the first 8 bytes (safetensors' header length) with a chosen number. */
    record HeaderLength(long value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.length >= 8 ? in.clone() : Arrays.copyOf(in, 8);
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
            return out;
        }
    }

    /** Replaces one value inside the JSON (a safetensors header, or one JSONL line) with a hostile one. */
    record JsonRewrite(int line, int node, int replacement, boolean fixLength) implements Mutation {
        public byte[] apply(byte[] in) {
            return JsonEdit.rewrite(in, line, node, replacement, fixLength);
        }
    }

    /** The byte-level mutations, which suit any file. */
    static Arbitrary<Mutation> bytes() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        return Arbitraries.oneOf(
                Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(BitFlip::new),
                Combinators.combine(at, Arbitraries.bytes()).as(Insert::new),
                Combinators.combine(at, Arbitraries.integers().between(1, 16)).as(Delete::new),
                at.map(Truncate::new));
    }

    /** Header lengths at and around every boundary the reader checks, and some at random. */
    static Arbitrary<Mutation> headerLengths() {
        return Arbitraries.<Long>oneOf(
                Arbitraries.of(0L, 1L, 2L, 7L, 8L, 100L * 1024 * 1024, 100L * 1024 * 1024 + 1, (long) Integer.MAX_VALUE,
                        1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1L),
                Arbitraries.longs().between(0, 4096),
                Arbitraries.longs())
                .map(HeaderLength::new);
    }

    /** JSON rewrites: which line (JSONL), which node of the tree, which hostile value. */
    static Arbitrary<Mutation> jsonRewrites() {
        Arbitrary<Integer> any = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        return Combinators.combine(any, any, Arbitraries.integers().between(0, JsonEdit.HOSTILE.size() - 1),
                Arbitraries.of(true, false)).as(JsonRewrite::new);
    }
}
