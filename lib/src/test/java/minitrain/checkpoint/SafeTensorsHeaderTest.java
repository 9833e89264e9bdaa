package minitrain.checkpoint;

import static minitrain.checkpoint.SafeTensorsTest.file;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import minitrain.KitError;
import org.junit.jupiter.api.Test;

/**
 * The header's JSON rules are the reference reader's (Python's safetensors, i.e. Rust serde_json and the crate's
 * derived types). Each case here was judged by that reader too; the seed corpus and the Python interop test
 * hold the same cases as files.
 */
class SafeTensorsHeaderTest {

    /** One F32 tensor "a" of shape [2] over 8 data bytes, with {@code more} appended inside its entry. */
    static byte[] withEntryKeys(String more) {
        return file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]" + more + "}}", 8);
    }

    /** A header with one F32 tensor of the given shape and offsets, and {@code data} bytes after it. */
    static byte[] tensor(String shape, String offsets, int data) {
        return file("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", data);
    }

    /** Tensor "a" with the given dtype (as JSON) and shape, offsets [0, 8], and 8 data bytes. */
    static byte[] entry(String dtype, String shape) {
        return file("{\"a\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}", 8);
    }

    static final String A_ENTRY = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    static SafeTensors.Contents read(byte[] bytes) {
        return SafeTensors.decode(ByteBuffer.wrap(bytes), "ok.safetensors");
    }

    static String error(byte[] bytes) {
        return SafeTensorsTest.error(bytes);
    }

    static String metadataNote(String jsonString) {
        return read(file("{\"__metadata__\":{\"note\":" + jsonString + "}}", 0)).metadata().get("note");
    }

    @Test
    void stringsMustBeValidUnicodeAfterUnescaping() {
        // The case: an escaped high surrogate with no low one after it.
        String e = error(file("{\"__metadata__\":{\"note\":\"\\ud800\"}}", 0));
        assertTrue(e.contains("not valid JSON") && e.contains("\\ud800") && e.contains("byte 25"), e);
        assertTrue(error(file("{\"__metadata__\":{\"note\":\"\\udc00\"}}", 0)).contains("\\udc00"), "a lone low half");
        assertTrue(error(file("{\"__metadata__\":{\"note\":\"\\ud800\\u0041\"}}", 0)).contains("surrogate"));
        assertTrue(error(file("{\"__metadata__\":{\"note\":\"\\ud800\\n\"}}", 0)).contains("surrogate"));
        assertTrue(error(file("{\"__metadata__\":{\"note\":\"\\ude00\\ud83d\"}}", 0)).contains("surrogate"),
                "a pair in the wrong order");
        assertTrue(error(file("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .contains("surrogate"), "in a tensor name");
        assertTrue(error(withEntryKeys(",\"note\":\"\\udfff\"")).contains("surrogate"), "in a key the reader ignores");
        byte[] raw = file("{\"__metadata__\":{\"note\":\"...\"}}", 0);
        raw[8 + 25] = (byte) 0xED; // U+D800 encoded in UTF-8: not valid UTF-8
        raw[8 + 26] = (byte) 0xA0;
        raw[8 + 27] = (byte) 0x80;
        assertTrue(error(raw).contains("not valid UTF-8"));
        // A pair, in either case of hex digits, is one character.
        assertEquals("\uD83D\uDE00\uD83D\uDE00", metadataNote("\"\\ud83d\\ude00\\uD83D\\uDE00\""));
        assertEquals("/\u0000\u00e9\b\f\t\u007f", metadataNote("\"\\/\\u0000\\u00E9\\b\\f\\t\u007f\""));
        assertTrue(error(file("{\"__metadata__\":{\"note\":\"tab\there\"}}", 0)).contains("control character"));
        assertTrue(error(file("{\"__metadata__\":{\"note\":\"\\x41\"}}", 0)).contains("invalid escape"));
        // A backslash before a raw newline: the error names the byte and stays on one line.
        String newline = error(file("{\"__metadata__\":{\"note\":\"\\\n\"}}", 0));
        assertTrue(newline.contains("backslash before byte 0x0a") && !newline.contains("\n"), newline);
    }

    @Test
    void dimensionsAndOffsetsAreUnsignedIntegersWithoutFractionOrExponent() {
        for (String shape : new String[] {"[2.0]", "[2e0]", "[-0]", "[-2]", "[\"2\"]", "[18446744073709551616]"}) {
            assertTrue(error(tensor(shape, "[0,8]", 8)).contains("bad dimension"), shape);
        }
        assertTrue(error(tensor("[02]", "[0,8]", 8)).contains("leading zero"));
        assertTrue(error(tensor("[2]", "[-0,8]", 8)).contains("bad offset -0"));
        assertTrue(error(tensor("[2]", "[0,8,8]", 8)).contains("two integers"));
        // The element count is multiplied left to right in unsigned 64 bits, as the reference does.
        SafeTensors.Contents c = read(tensor("[4611686018427387904,2,0]", "[0,0]", 0));
        assertArrayEquals(new long[] {1L << 62, 2, 0}, c.entries().get("a").shape());
        assertEquals(0, c.tensors().get("a").length());
        read(tensor("[0,1099511627776,1099511627776]", "[0,0]", 0));
        assertTrue(error(tensor("[1099511627776,1099511627776,0]", "[0,0]", 0)).contains("overflows"));
    }

    @Test
    void everyNumberMustBeAFiniteDoubleAsSerdeJsonComputesIt() {
        assertTrue(error(withEntryKeys(",\"scale\":1e400")).contains("too large for a double"));
        assertTrue(error(withEntryKeys(",\"scale\":-1e400")).contains("too large for a double"));
        assertTrue(error(withEntryKeys(",\"scale\":" + "9".repeat(400))).contains("too large for a double"));
        assertTrue(error(withEntryKeys(",\"scale\":1e99999999999")).contains("too large for a double"));
        // Rounds to Double.MAX_VALUE when parsed exactly, but serde_json (17976931348623158 x 1e292) overflows.
        assertTrue(error(withEntryKeys(",\"scale\":1.7976931348623158e308")).contains("too large for a double"));
        read(withEntryKeys(",\"scale\":1.7976931348623157e308"));
        read(withEntryKeys(",\"scale\":[1e-400,-1e-99999999999,0e99999999999,-0,12345678901234567890123]"));
        read(withEntryKeys(",\"scale\":0." + "0".repeat(1500) + "1")); // longer than a JSON library's default limit
        for (String bad : new String[] {"1.", ".5", "1e", "1e+", "+1", "-", "NaN", "01", "0x10"}) {
            assertTrue(error(withEntryKeys(",\"scale\":" + bad)).contains("not valid JSON"), bad);
        }
    }

    @Test
    void repeatedKeysFollowMapsAndStructs() {
        // Tensor names and metadata keys are a map: the last one wins (each entry must still be well typed).
        SafeTensors.Contents c = read(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        assertEquals("F32", c.entries().get("a").dtype());
        assertEquals(1, c.entries().size());
        assertTrue(error(file("{\"a\":{\"dtype\":\"X\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("unknown dtype"));
        assertEquals("2", read(file("{\"__metadata__\":{\"step\":\"1\",\"step\":\"2\"}}", 0)).metadata().get("step"));
        // __metadata__ and a tensor's dtype, shape and data_offsets are struct fields: once each.
        assertTrue(error(file("{\"__metadata__\":{},\"__metadata__\":{}}", 0)).contains("__metadata__ appears twice"));
        assertTrue(error(file("{\"\\u005f_metadata__\":{},\"__metadata__\":{}}", 0)).contains("appears twice"));
        assertTrue(error(withEntryKeys(",\"dtype\":\"F32\"")).contains("dtype appears twice"));
        assertTrue(error(withEntryKeys(",\"shape\":[2]")).contains("shape appears twice"));
        read(withEntryKeys(",\"note\":1,\"note\":2")); // keys the reader ignores may repeat
    }

    @Test
    void nestingStopsAt127LevelsWithoutOverflowingTheStack() {
        // The header's object and the entry are 2 levels; 125 more make 127.
        read(withEntryKeys(",\"note\":" + "[".repeat(125) + "]".repeat(125)));
        String deeper = ",\"note\":" + "[".repeat(126) + "]".repeat(126);
        assertTrue(error(withEntryKeys(deeper)).contains("nested more than 127"));
        read(withEntryKeys(",\"note\":" + "{\"n\":".repeat(124) + "{}" + "}".repeat(124)));
        String deeperObjects = ",\"note\":" + "{\"n\":".repeat(125) + "{}" + "}".repeat(125);
        assertTrue(error(withEntryKeys(deeperObjects)).contains("nested more than 127"));
        assertTrue(error(withEntryKeys(",\"note\":" + "[".repeat(1_000_000))).contains("nested more than 127"));
    }

    @Test
    void onlyJsonWhitespaceMaySurroundTheObject() {
        read(file(" \n\t\r{\"__metadata__\":{\"k\":\"v\"}} \t\r\n", 0));
        read(file("{ \"__metadata__\" :\t{ \"k\" :\r\n\"v\" } }", 0));
        assertTrue(error(file("{}\0\0\0", 0)).contains("text after the header's object"), "NUL padding");
        assertTrue(error(file("{}\f", 0)).contains("text after"), "a form feed is not JSON whitespace");
        assertTrue(error(file("{} x", 0)).contains("text after"));
        assertTrue(error(file("{}{}", 0)).contains("text after"));
        assertTrue(error(file("\uFEFF{}", 0)).contains("byte order mark"));
        assertTrue(error(file("{\"__metadata__\":{\"k\":\"v\"},}", 0)).contains("comma"));
    }

    @Test
    void metadataAndEntriesTakeTheFormsTheReferenceAccepts() {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertEquals("v", read(file("{\"__metadata__\":{\"k\":\"v\"}," + a + "}", 8)).metadata().get("k"));
        assertTrue(read(file("{\"__metadata__\":null," + a + "}", 8)).metadata().isEmpty(), "null: no metadata");
        assertEquals("v", read(file("{\"\\u005f_metadata__\":{\"k\":\"v\"}}", 0)).metadata().get("k"));
        assertTrue(error(file("{\"__metadata__\":{\"k\":null}}", 0)).contains("not a string"));
        assertTrue(error(file("{\"__metadata__\":[]}", 0)).contains("__metadata__ is not an object"));
        read(withEntryKeys(",\"note\":{\"any\":[\"json\",1,null,true]}"));
        assertEquals(2, read(file("{\"a\":[\"F32\",[2],[0,8]]}", 8)).tensors().get("a").length(), "a list entry");
        assertTrue(error(file("{\"a\":[\"F32\",[2],[0,8],0]}", 8)).contains("3 items"));
        assertTrue(error(file("{\"a\":[\"F32\",[2]]}", 8)).contains("3 items"));
        assertEquals("F32", read(file("{\"a\":{\"dtype\":{\"F32\":null},\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .entries().get("a").dtype(), "serde's map spelling of an enum variant");
        assertTrue(error(entry("{\"F32\":{}}", "[2]")).contains("must have the value null"));
        assertTrue(error(entry("\"f32\"", "[2]")).contains("unknown dtype"));
        assertEquals(2, read(file("{\"\":" + A_ENTRY + "}", 8)).tensors().get("").length(), "an empty name");
        String longName = "n".repeat(50_001); // past a JSON library's default name limit, not the reference's
        assertTrue(read(file("{\"" + longName + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .tensors().containsKey(longName));
    }

    @Test
    void theHeaderLimitIsTheReferences100MB() {
        assertEquals(100_000_000L, SafeTensors.MAX_HEADER);
        byte[] over = new byte[16];
        ByteBuffer.wrap(over).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L);
        assertTrue(error(over).contains("outside 2..100000000"), "refused before the file's size is even looked at");
        byte[] at = new byte[16];
        ByteBuffer.wrap(at).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_000L);
        assertTrue(error(at).contains("runs past the end"));
    }

    @Test
    void whatTheFormatAllowsButTheKitCannotHoldIsOneLine() {
        String e = error(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8));
        assertTrue(e.contains("dtype U8 is valid safetensors, but this kit reads only F64, F32"), e);
        e = error(tensor("[0,18446744073709551615]", "[0,0]", 0));
        assertTrue(e.contains("18446744073709551615 is valid safetensors, but larger than this kit holds"), e);
        String ones = ",1".repeat(SafeTensorsHeader.MAX_RANK);
        assertTrue(error(tensor("[1" + ones + "]", "[0,4]", 4)).contains("more than this kit holds"));
        // But a file the reference refuses anyway says why the reference refuses it.
        assertTrue(error(entry("\"U8\"", "[9]")).contains("needs 9 bytes"));
    }

    @Test
    void hostileHeadersCostNoMemoryForWhatIsIgnored() {
        // 30 MB of values inside a key the reference ignores: checked and skipped, nothing stored, no limit hit.
        String many = "0,".repeat(5_000_000) + "0";
        read(withEntryKeys(",\"note\":[" + many + "],\"text\":\"" + "x".repeat(20_000_000) + "\""));
        byte[] bytes = withEntryKeys(",\"note\":[" + many + ",\"\\ud800\"]");
        assertTrue(error(bytes).contains("surrogate"), "and a bad value at the end of it is still found");
    }

    @Test
    void errorsNameTheFileAndStayOnOneLine() {
        KitError e = assertThrows(KitError.class, () -> SafeTensors.decode(ByteBuffer.wrap(
                file("{\"line\\nbreak\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8)),
                "x.safetensors"));
        assertTrue(e.getMessage().startsWith("x.safetensors: header byte "), e.getMessage());
        assertTrue(e.getMessage().contains("tensor \"line\\nbreak\": bad dimension -1"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
