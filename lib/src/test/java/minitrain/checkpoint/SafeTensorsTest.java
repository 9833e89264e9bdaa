package minitrain.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.KitError;
import minitrain.autograd.Nd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SafeTensorsTest {

    static Map<String, INDArray> sample() {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("b.weight", Nd.array(new double[] {1.5, -2.25, Math.PI, Double.MIN_VALUE, -0.0, 1e300}, 2, 3));
        t.put("a.bias", Nd.array(new double[] {7}, 1));
        t.put("c.f32", Nd.array(new double[] {0.1, 0.2}, 2).castTo(DataType.FLOAT));
        return t;
    }

    @Test
    void roundTripKeepsEveryBitAndTheMetadata(@TempDir Path tmp) {
        Path f = tmp.resolve("x.safetensors");
        SafeTensors.write(f, sample(), Map.of("step", "12", "note", "ñ → é"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("step", "12", "note", "ñ → é"), c.metadata());
        for (Map.Entry<String, INDArray> e : sample().entrySet()) {
            INDArray got = c.tensors().get(e.getKey());
            assertEquals(e.getValue().dataType(), got.dataType());
            assertArrayEquals(e.getValue().shape(), got.shape());
            assertEquals(e.getValue(), got);
        }
        double[] back = Nd.values(c.tensors().get("b.weight"));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back[4]));
    }

    @Test
    void emptyTensorsRoundTripInEitherHeaderOrder(@TempDir Path tmp) {
        Map<String, INDArray> t = new LinkedHashMap<>(sample());
        t.put("empty", org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, 0));
        Path f = tmp.resolve("e.safetensors");
        SafeTensors.write(f, t, Map.of());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new long[] {0}, c.tensors().get("empty").shape());
        // An empty tensor at [0, 0] listed after one at [0, 8], as Python's writer may lay them out.
        byte[] bytes = file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}", 8);
        assertEquals(2, SafeTensors.decode(ByteBuffer.wrap(bytes), "x").tensors().size());
    }

    @Test
    void sameContentSameBytes() {
        byte[] once = SafeTensors.encode(sample(), Map.of("k", "v"));
        byte[] again = SafeTensors.encode(sample(), Map.of("k", "v"));
        assertArrayEquals(once, again);
        byte[] bytes = SafeTensors.encode(sample(), Map.of());
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
    }

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    static String error(byte[] bytes) {
        KitError e = assertThrows(KitError.class, () -> SafeTensors.decode(ByteBuffer.wrap(bytes), "bad.safetensors"));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith("bad.safetensors: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void malformedFilesAreRefusedWithOneLine() {
        assertTrue(error(new byte[5]).contains("too short"));
        byte[] huge = new byte[16];
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60);
        assertTrue(error(huge).contains("outside"), "a 2^60 header is refused before any allocation");
        byte[] past = new byte[16];
        ByteBuffer.wrap(past).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        assertTrue(error(past).contains("runs past the end"));
        assertTrue(error(file("[1, 2]", 0)).contains("not a JSON object"));
        assertTrue(error(file("{\"a\": ", 0)).contains("not valid JSON"));
        byte[] notUtf8 = file("{\"a\":1}", 0);
        notUtf8[9] = (byte) 0xFF;
        assertTrue(error(notUtf8).contains("not valid UTF-8"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16))
                .contains("unknown dtype"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .contains("needs 16 bytes"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 4))
                .contains("past the data"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", 16))
                .contains("hole"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"u\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]}}", 12)).contains("overlap"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 12))
                .contains("belong to none"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8))
                .contains("bad dimension"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8)).contains("overflows"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1]}}", 8))
                .contains("needs dtype, shape and data_offsets"));
        assertTrue(error(file("{\"__metadata__\":{\"k\":3}}", 0)).contains("not a string"));
        assertTrue(error(file("{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"t\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("needs 16 bytes"),
                "a repeated name keeps the last entry (the reference reads a map), and that one is checked");
    }

    @Test
    void missingOrMisshapenTensorsForAModel() {
        Map<String, INDArray> t = sample();
        KitError e = assertThrows(KitError.class,
                () -> SafeTensors.expectShapes("m.safetensors", t, Map.of("b.weight", new long[] {3, 2})));
        assertEquals("m.safetensors: tensor b.weight has shape [2, 3], expected [3, 2]", e.getMessage());
        e = assertThrows(KitError.class,
                () -> SafeTensors.expectShapes("m.safetensors", t, Map.of("zzz", new long[] {1})));
        assertEquals("m.safetensors: missing tensor zzz", e.getMessage());
    }

    @Test
    void atomicWriteLeavesNoTemporaryFile(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("a.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        SafeTensors.write(f, sample(), Map.of("second", "yes"));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
        assertEquals("yes", SafeTensors.read(f).metadata().get("second"));
    }
}
