package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.SafeTensors.Contents;
import dev.lanes.io.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("layer1.weight", new Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f}));
        t.put("layer1.bias", new Tensor(new int[] {3}, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1e-30f}));
        t.put("scalar", new Tensor(new int[] {}, new float[] {42}));
        t.put("empty", new Tensor(new int[] {0, 5}, new float[0]));
        t.put("caf\u00e9 \"q\"\n", new Tensor(new int[] {1}, new float[] {7}));
        return t;
    }

    @Test
    void roundTripKeepsOrderShapesBitsAndMetadata() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> tensors = sample();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "\u00fcber \\ \"quoted\" \t\u2603");
        SafeTensors.write(f, tensors, meta);
        Contents c = SafeTensors.read(f);
        assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(c.tensors().keySet()));
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            float[] want = e.getValue().data();
            assertEquals(want.length, got.data().length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got.data()[i]), e.getKey() + "[" + i + "]");
            }
        }
        assertEquals(meta, c.metadata());
        assertEquals(List.copyOf(meta.keySet()), List.copyOf(c.metadata().keySet()));
    }

    /** Checks the bytes against the format itself rather than against this reader. */
    @Test
    void layoutFollowsTheSpec() throws IOException {
        Path f = dir.resolve("l.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("b", new Tensor(new int[] {2}, new float[] {1f, -2f}));
        t.put("a", new Tensor(new int[] {1, 1}, new float[] {0.5f}));
        SafeTensors.write(f, t, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 12, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        assertEquals(1f, b.getFloat(8 + (int) n));
        assertEquals(-2f, b.getFloat(8 + (int) n + 4));
        assertEquals(0.5f, b.getFloat(8 + (int) n + 8));
    }

    @Test
    void readsAnEmptyFileOfNoTensors() throws IOException {
        Contents c = SafeTensors.read(raw(2, "{}", 0));
        assertTrue(c.tensors().isEmpty() && c.metadata().isEmpty());
    }

    /** A file with the given header length field, header text (UTF-8) and zero data bytes. */
    private Path raw(long headerLength, String json, int dataBytes) throws IOException {
        return raw(headerLength, json.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private Path raw(long headerLength, byte[] json, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(json);
        return Files.write(dir.resolve("bad.safetensors"), b.array());
    }

    private Path withHeader(String json, int dataBytes) throws IOException {
        return raw(json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static String corrupt(Path f) {
        String m = assertThrows(CorruptFileException.class, () -> SafeTensors.read(f)).getMessage();
        assertTrue(m.startsWith(f.toString()), "names the file: " + m);
        return m;
    }

    @Test
    void rejectsHeaderLengthsOutOfBounds() throws IOException {
        Path tiny = Files.write(dir.resolve("tiny"), new byte[5]);
        assertTrue(corrupt(tiny).contains("is 5 bytes, too short"));
        assertTrue(corrupt(raw(0, "{}", 0)).contains("header length 0 (bytes 0-7) is outside [2, 2]"));
        assertTrue(corrupt(raw(1, "{}", 0)).contains("header length 1"));
        assertTrue(corrupt(raw(3, "{}", 0)).contains("header length 3 (bytes 0-7) is outside [2, 2] for a 10-byte file"));
        assertTrue(corrupt(raw(-1, "{}", 0)).contains("header length 18446744073709551615"));
        assertTrue(corrupt(raw(1L << 40, "{}", 4)).contains("header length 1099511627776"));
    }

    static Stream<Arguments> badHeaders() {
        String w = tensor("w", "F32", "[2]", 0, 8);
        return Stream.of(
                Arguments.of("{" + w + ",}", 8, "not valid JSON: expected a string key"),
                Arguments.of("{" + w, 8, "not valid JSON"),
                Arguments.of("{'w':1}", 0, "not valid JSON"),
                Arguments.of("{" + w + "} x", 8, "not valid JSON: unexpected 'x' after the JSON value at character"),
                Arguments.of("{" + w + "," + w + "}", 8, "duplicate key \"w\""),
                Arguments.of("[" + "[".repeat(100) + "]".repeat(100) + "]", 0, "nested deeper than 64"),
                Arguments.of("[]", 0, "header is not a JSON object"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4, "not valid JSON"),
                Arguments.of("{\"s\":\"\\ud800\"}", 0, "unpaired surrogate"),
                Arguments.of("{" + tensor("w", "F64", "[1]", 0, 8) + "}", 8, "tensor \"w\" has dtype F64; supported are F32, F16 and BF16"),
                Arguments.of("{" + tensor("big", "I64", "[1]", 0, 8) + "}", 8, "tensor \"big\" has dtype I64"),
                Arguments.of("{" + tensor("h", "F16", "[3]", 0, 8) + "}", 8, "span 8 bytes but shape [3] of F16 needs 6"),
                Arguments.of("{" + tensor("h", "BF16", "[2]", 0, 8) + "}", 8, "span 8 bytes but shape [2] of BF16 needs 4"),
                Arguments.of("{\"w\":{\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype is 3, not a string"),
                Arguments.of("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor \"w\" has no \"dtype\""),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4, "unknown field \"x\""),
                Arguments.of("{\"w\":[1]}", 0, "tensor \"w\" is not a JSON object"),
                Arguments.of("{" + tensor("", "F32", "[0]", 0, 0) + "}", 0, "a tensor has an empty name"),
                Arguments.of("{" + tensor("w", "F32", "[-1]", 0, 4) + "}", 4, "shape[0] is -1, not a non-negative integer"),
                Arguments.of("{" + tensor("w", "F32", "[1.0]", 0, 4) + "}", 4, "shape[0] is 1.0, not a non-negative integer"),
                Arguments.of("{" + tensor("w", "F32", "[3000000000]", 0, 4) + "}", 4, "shape[0] = 3000000000 is too large"),
                Arguments.of("{" + tensor("w", "F32", "[65536,65536]", 0, 4) + "}", 4, "more than"),
                Arguments.of("{" + tensor("w", "F32", "[99999999999999999999]", 0, 4) + "}", 4, "is too large"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "shape is not a JSON array"),
                Arguments.of("{" + tensor("w", "F32", "[3]", 0, 8) + "}", 8, "span 8 bytes but shape [3] of F32 needs 12"),
                Arguments.of("{" + tensor("w", "F32", "[2]", 0, 8) + "}", 4, "[0, 8] are not within the 4-byte data buffer"),
                Arguments.of("{" + tensor("w", "F32", "[0]", 4, 0) + "}", 4, "[4, 0] are not within"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, "not an array of two numbers"),
                Arguments.of("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}", 12,
                        "tensor \"b\" data_offsets [4, 12] overlap tensor \"a\", which ends at 8"),
                Arguments.of("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12) + "}", 12,
                        "data bytes [4, 8) belong to no tensor"),
                Arguments.of("{" + tensor("a", "F32", "[1]", 0, 4) + "}", 8, "data bytes [4, 8) at the end of the file belong to no tensor"),
                Arguments.of("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value of \"k\" is 1, not a string"),
                Arguments.of("{\"__metadata__\":[]}", 0, "__metadata__ is not a JSON object"));
    }

    @ParameterizedTest
    @MethodSource("badHeaders")
    void rejectsBadHeaders(String json, int dataBytes, String expected) throws IOException {
        String m = corrupt(withHeader(json, dataBytes));
        assertTrue(m.contains(expected), m);
    }

    @Test
    void rejectsInvalidUtf8NamingTheByte() throws IOException {
        byte[] json = "{\"a\u00ffb\":1}".getBytes(StandardCharsets.ISO_8859_1);
        String m = corrupt(raw(json.length, json, 0));
        assertTrue(m.contains("not valid UTF-8 at byte 11"), m);
    }

    @Test
    void writeChecksTensorsBeforeCreatingAnything() {
        Path f = dir.resolve("never.safetensors");
        Tensor ok = new Tensor(new int[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("__metadata__", ok), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("", ok), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("x\ud800", ok), Map.of()));
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("n", null);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> SafeTensors.write(f, withNull, Map.of()));
        assertTrue(npe.getMessage().contains("\"n\""), npe.getMessage());
        // Shapes are arrays the caller still holds: a change after construction is caught at write time.
        Tensor mutated = new Tensor(new int[] {1}, new float[] {1});
        mutated.shape()[0] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("m", mutated), Map.of()));
        assertTrue(e.getMessage().contains("tensor \"m\""), e.getMessage());
        assertTrue(!Files.exists(f));
    }

    private List<Path> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        SafeTensors.write(f, sample(), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(f);

        // A map whose iteration fails half-way.
        Map<String, Tensor> failing = new AbstractMap<>() {
            @Override
            public Set<Map.Entry<String, Tensor>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, Tensor>> iterator() {
                        Iterator<Map.Entry<String, Tensor>> real = sample().entrySet().iterator();
                        return new Iterator<>() {
                            int served;

                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Map.Entry<String, Tensor> next() {
                                if (++served > 2) {
                                    throw new IllegalStateException("iteration failed");
                                }
                                return real.next();
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return 5;
                    }
                };
            }
        };
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(f, failing, Map.of()));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of(f), filesIn(dir));

        // A failure after the temporary file is complete: the rename target is a non-empty directory.
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("inside"));
        assertThrows(IOException.class, () -> SafeTensors.write(blocked, sample(), Map.of()));
        assertTrue(Files.isDirectory(blocked.resolve("inside")));
        assertEquals(List.of(blocked, f), filesIn(dir));

        // And a successful overwrite replaces the content.
        SafeTensors.write(f, Map.of("only", new Tensor(new int[] {1}, new float[] {3})), Map.of());
        assertEquals(Set.of("only"), SafeTensors.read(f).tensors().keySet());
    }

    /** Every half-precision bit pattern against the format's definition, worked in double. */
    @Test
    void everyHalfWidensToItsExactValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int sign = bits >>> 15;
            int exponent = (bits >>> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            float got = SafeTensors.halfToFloat((short) bits);
            String what = "half 0x" + Integer.toHexString(bits);
            if (exponent == 0x1f) {
                assertEquals(mantissa == 0, Float.isInfinite(got), what);
                assertEquals(mantissa != 0, Float.isNaN(got), what);
                if (mantissa != 0) {
                    assertEquals(mantissa, (Float.floatToRawIntBits(got) >>> 13) & 0x3ff, what + " payload");
                }
            } else {
                double magnitude = exponent == 0 ? mantissa * Math.pow(2, -24)
                        : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
                assertEquals(sign == 1 ? -magnitude : magnitude, got, 0.0, what);
            }
            assertEquals(sign == 1, (Float.floatToRawIntBits(got) >>> 31) == 1, what + " sign");
        }
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloat() {
        for (float f : new float[] {0f, -0f, 1f, -2.5f, 3.140625f, Float.MAX_VALUE, Float.MIN_NORMAL, Float.NEGATIVE_INFINITY}) {
            int upper = Float.floatToRawIntBits(f) >>> 16;
            float widened = SafeTensors.bfloat16ToFloat((short) upper);
            assertEquals(Float.floatToRawIntBits(f) & 0xffff0000, Float.floatToRawIntBits(widened), Float.toString(f));
        }
        assertEquals(1.5f, SafeTensors.bfloat16ToFloat((short) 0x3fc0));
        assertTrue(Float.isNaN(SafeTensors.bfloat16ToFloat((short) 0x7fc1)));
    }

    /** A file written byte by byte with F16 and BF16 tensors, as PyTorch's safetensors would write it. */
    @Test
    void readsHalfAndBfloat16Tensors() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"}," + tensor("h", "F16", "[2,2]", 0, 8) + ","
                + tensor("b", "BF16", "[3]", 8, 14) + "," + tensor("f", "F32", "[1]", 14, 18) + "}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 18).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        // 1, -2, 0.5, 65504 (the largest half), then bfloat16 1.5, -0, 2^-126 (the smallest normal), then an F32.
        for (int h : new int[] {0x3c00, 0xc000, 0x3800, 0x7bff, 0x3fc0, 0x8000, 0x0080}) {
            b.putShort((short) h);
        }
        b.putFloat(0.1f);
        Contents c = SafeTensors.read(Files.write(dir.resolve("half.safetensors"), b.array()));
        assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f}, c.tensors().get("h").data());
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("h").shape());
        assertArrayEquals(new float[] {1.5f, -0f, Float.MIN_NORMAL}, c.tensors().get("b").data());
        assertArrayEquals(new float[] {0.1f}, c.tensors().get("f").data());
        assertEquals(Map.of("h", "F16", "b", "BF16", "f", "F32"), c.dtypes());
    }

    @Test
    void readResultIsUnmodifiable() throws IOException {
        Path f = dir.resolve("u.safetensors");
        SafeTensors.write(f, sample(), Map.of("a", "b"));
        Contents c = SafeTensors.read(f);
        assertThrows(UnsupportedOperationException.class, () -> c.tensors().remove("scalar"));
        assertThrows(UnsupportedOperationException.class, () -> c.metadata().put("x", "y"));
    }
}
