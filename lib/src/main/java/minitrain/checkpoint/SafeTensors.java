package minitrain.checkpoint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import minitrain.Json;
import minitrain.KitError;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The safetensors format, written by hand: 8 bytes little-endian header length N, N bytes of JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}), then the tensors'
 * bytes, little-endian, packed with no gaps. It is data only: reading it never runs code (unlike Java
 * serialization or pickle), and every size in it is checked against the file before anything is allocated.
 */
public final class SafeTensors {

    /**
     * A header larger than this is refused before it is read (a hostile file cannot make us allocate). The
     * reference reader's limit, 100 MB in decimal (MAX_HEADER_SIZE in the Rust crate), not 100 MiB.
     */
    public static final long MAX_HEADER = 100_000_000L;

    /** What a file holds: tensors by name (fp64 arrays for F64) and the string metadata. */
    public record Contents(Map<String, INDArray> tensors, Map<String, String> metadata, Map<String, Entry> entries) {}

    /** One header entry as the file states it. */
    public record Entry(String dtype, long[] shape, long begin, long end) {}

    private static final Map<String, DataType> DTYPES = Map.of(
            "F64", DataType.DOUBLE, "F32", DataType.FLOAT, "F16", DataType.HALF, "BF16", DataType.BFLOAT16,
            "I64", DataType.LONG, "I32", DataType.INT);

    /** The dtypes above in a fixed order, for messages. */
    private static final List<String> KIT_DTYPES = List.of("F64", "F32", "F16", "BF16", "I64", "I32");

    private SafeTensors() {}

    // ---- writing -------------------------------------------------------------------------------------

    /**
     * The file's bytes. Tensors are laid out in name order and the header's keys are sorted, so the same
     * tensors and metadata always give the same bytes.
     */
    public static byte[] encode(Map<String, INDArray> tensors, Map<String, String> metadata) {
        Layout layout = layout(tensors, metadata);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(layout.header.length + layout.dataBytes));
        out.put(layout.header);
        for (ByteBuffer data : layout.data()) out.put(data);
        java.lang.ref.Reference.reachabilityFence(layout); // the buffers do not keep the tensors' memory alive
        return out.array();
    }

    /**
     * Writes atomically: a temporary file in the same folder, fsync, rename over the target, fsync the folder.
     * The bytes are {@link #encode}'s, streamed from each tensor's own memory rather than gathered into one
     * array first (that copy cost as much as the write itself).
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
        Layout layout = layout(tensors, metadata);
        AtomicFiles.write(file, ch -> {
            ch.write(ByteBuffer.wrap(layout.header));
            for (ByteBuffer data : layout.data()) while (data.hasRemaining()) ch.write(data);
            java.lang.ref.Reference.reachabilityFence(layout);
        });
    }

    /** The header (length prefix, JSON, padding) and the tensors, C-ordered, in the order their bytes follow it. */
    private record Layout(byte[] header, List<INDArray> tensors, long dataBytes) {

        /** Each tensor's bytes, little-endian, over its own memory: valid while this layout is reachable. */
        List<ByteBuffer> data() {
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                throw new KitError("writing safetensors on a big-endian machine is not supported");
            }
            List<ByteBuffer> out = new ArrayList<>();
            for (INDArray a : tensors) {
                if (a.length() == 0) continue; // an empty tensor has a header entry and no bytes
                ByteBuffer src = a.data().asNio().duplicate().order(ByteOrder.nativeOrder());
                src.limit((int) (a.length() * a.dataType().width()));
                out.add(src);
            }
            return out;
        }
    }

    private static Layout layout(Map<String, INDArray> tensors, Map<String, String> metadata) {
        Map<String, INDArray> sorted = new TreeMap<>(tensors);
        Map<String, Object> header = new TreeMap<>();
        long offset = 0;
        for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
            INDArray a = e.getValue();
            long bytes = a.length() * a.dataType().width();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", dtypeName(a.dataType(), e.getKey()));
            entry.put("shape", a.shape());
            entry.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        if (!metadata.isEmpty()) header.put("__metadata__", new TreeMap<>(metadata));
        byte[] json = Json.compact(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // spaces to 8-byte alignment, as the reference writer does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded);
        head.put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        List<INDArray> inOrder = new ArrayList<>();
        for (INDArray a : sorted.values()) {
            inOrder.add(a.isView() || a.ordering() != 'c' ? a.dup('c') : a);  // bytes in C order
        }
        return new Layout(head.array(), inOrder, offset);
    }

    private static String dtypeName(DataType t, String name) {
        for (Map.Entry<String, DataType> e : DTYPES.entrySet()) if (e.getValue() == t) return e.getKey();
        throw new KitError("tensor " + name + " has a data type safetensors cannot store here: " + t);
    }

    // ---- reading -------------------------------------------------------------------------------------

    public static Contents read(Path file) {
        ByteBuffer bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw KitError.in(file, "file of " + size + " bytes is larger than 2 GB");
            bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw KitError.in(file, "cannot read: " + e.getMessage());
        }
        return decode(bytes, file.toString());
    }

    /**
     * Parses and checks a whole file held in {@code bytes}; {@code source} names it in errors. The rules are the
     * reference reader's (Python's {@code safetensors}): what it refuses is refused here with one line, what it
     * accepts is accepted, except what this kit cannot hold (see {@link #kitLimits}).
     */
    public static Contents decode(ByteBuffer bytes, String source) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long size = b.remaining();
        if (size < 8) throw err(source, "file of " + size + " bytes is too short for a safetensors header");
        long n = b.getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw err(source, "header length " + Long.toUnsignedString(n) + " is outside 2.." + MAX_HEADER);
        }
        if (n > size - 8) {
            throw err(source, "header length " + n + " runs past the end of the file (" + size + " bytes)");
        }
        byte[] headerBytes = new byte[(int) n];
        b.position(8);
        b.get(headerBytes);
        SafeTensorsHeader.Parsed header = SafeTensorsHeader.parse(headerBytes, source);
        long dataStart = 8 + n, dataSize = size - dataStart;
        Map<String, Entry> entries = header.entries();
        checkLayout(source, entries, dataSize);
        kitLimits(source, entries);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry en = e.getValue();
            DataType t = DTYPES.get(en.dtype());
            INDArray a = Nd4j.createUninitialized(t, en.shape().length == 0 ? new long[0] : en.shape(), 'c');
            if (en.end() == en.begin()) { // zero elements: nothing to copy (ND4J has no buffer for it)
                tensors.put(e.getKey(), a);
                continue;
            }
            ByteBuffer src = b.duplicate();
            src.position((int) (dataStart + en.begin()));
            src.limit((int) (dataStart + en.end()));
            ByteBuffer dst = a.data().asNio().duplicate();
            dst.put(src); // little-endian on disk and in memory (x86 and ARM)
            tensors.put(e.getKey(), a);
        }
        return new Contents(tensors, header.metadata(), entries);
    }

    /**
     * The reference's checks of the byte ranges, in its order: sorted by (begin, end), each must start where the
     * previous ended and hold exactly shape x dtype bytes (the element count multiplied left to right in unsigned
     * 64 bits, so [0, 2^62, 4] is 0 elements and [2^40, 2^40, 0] overflows), and the last must end at the file's
     * end. Offsets and dimensions are unsigned 64-bit, as the file states them.
     */
    private static void checkLayout(String source, Map<String, Entry> entries, long dataSize) {
        List<Map.Entry<String, Entry>> byStart = new ArrayList<>(entries.entrySet());
        // By start, then end: an empty tensor [8, 8] comes before one that starts at 8 and is not empty.
        byStart.sort((x, y) -> x.getValue().begin() != y.getValue().begin()
                ? Long.compareUnsigned(x.getValue().begin(), y.getValue().begin())
                : Long.compareUnsigned(x.getValue().end(), y.getValue().end()));
        long expect = 0;
        String last = null;
        for (Map.Entry<String, Entry> e : byStart) {
            Entry en = e.getValue();
            String where = "tensor " + Json.quote(e.getKey()) + ": ";
            if (Long.compareUnsigned(en.end(), en.begin()) < 0) {
                throw err(source, where + "data_offsets [" + Long.toUnsignedString(en.begin()) + ", "
                        + Long.toUnsignedString(en.end()) + "] are not a range");
            }
            int order = Long.compareUnsigned(en.begin(), expect);
            if (order < 0) throw err(source, where + "data_offsets overlap the previous tensor");
            if (order > 0) {
                String gap = Long.toUnsignedString(en.begin() - expect);
                throw err(source, where + "a hole of " + gap + " bytes before it");
            }
            BigInteger elements = BigInteger.ONE;
            for (long d : en.shape()) {
                elements = elements.multiply(unsigned(d));
                if (elements.bitLength() > 64) throw err(source, where + "shape " + shape(en) + " overflows");
            }
            BigInteger bits = elements.multiply(BigInteger.valueOf(SafeTensorsHeader.REFERENCE_DTYPES.get(en.dtype())));
            if (bits.bitLength() > 64) throw err(source, where + "shape " + shape(en) + " overflows");
            if (bits.testBit(0) || bits.testBit(1) || bits.testBit(2)) {
                throw err(source, where + "shape " + shape(en) + " x " + en.dtype() + " is not whole bytes");
            }
            BigInteger expected = bits.shiftRight(3), got = unsigned(en.end() - en.begin());
            if (!expected.equals(got)) {
                throw err(source, where + "shape " + shape(en) + " x " + en.dtype() + " needs " + expected
                        + " bytes, data_offsets give " + got);
            }
            expect = en.end();
            last = e.getKey();
        }
        if (Long.compareUnsigned(expect, dataSize) > 0) {
            throw err(source, "tensor " + Json.quote(last) + ": data_offsets end " + Long.toUnsignedString(expect)
                    + " is past the data (" + dataSize + " bytes)");
        }
        if (expect != dataSize) throw err(source, (dataSize - expect) + " bytes after the last tensor belong to none");
    }

    /**
     * What the format allows but this kit cannot hold, refused after the reference's own checks passed: a dtype
     * outside F64, F32, F16, BF16, I64, I32 (the reference knows 22), and a dimension of 2^63 or more (possible
     * only in a tensor with 0 elements; a Java long holds less).
     */
    private static void kitLimits(String source, Map<String, Entry> entries) {
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry en = e.getValue();
            String where = "tensor " + Json.quote(e.getKey()) + ": ";
            if (!DTYPES.containsKey(en.dtype())) {
                throw err(source, where + "dtype " + en.dtype() + " is valid safetensors, but this kit reads only "
                        + String.join(", ", KIT_DTYPES));
            }
            for (long d : en.shape()) {
                if (d < 0) {
                    throw err(source, where + "dimension " + Long.toUnsignedString(d)
                            + " is valid safetensors, but larger than this kit holds (2^63 - 1)");
                }
            }
        }
    }

    private static BigInteger unsigned(long bits) {
        return new BigInteger(Long.toUnsignedString(bits));
    }

    private static String shape(Entry en) {
        StringBuilder s = new StringBuilder("[");
        for (long d : en.shape()) s.append(s.length() == 1 ? "" : ", ").append(Long.toUnsignedString(d));
        return s.append("]").toString();
    }

    private static KitError err(String source, String message) {
        return new KitError(source + ": " + message);
    }

    /** Checks names and shapes against what a model needs; lists every problem in one line. */
    public static void expectShapes(String source, Map<String, INDArray> tensors, Map<String, long[]> expected) {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray a = tensors.get(e.getKey());
            if (a == null) throw err(source, "missing tensor " + e.getKey());
            if (!Arrays.equals(a.shape(), e.getValue())) {
                throw err(source, "tensor " + e.getKey() + " has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
    }
}
