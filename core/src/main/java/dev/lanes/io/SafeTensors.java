package dev.lanes.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length {@code N}, {@code N}
 * bytes of UTF-8 JSON that give each tensor's dtype, shape and data_offsets (plus an optional
 * {@code __metadata__} object of string values), then the raw little-endian tensor data. Offsets
 * are relative to the start of the data, which follows the header directly.
 *
 * <p>Tensors are written as F32. Reading accepts F32, F16 (IEEE half precision) and BF16 (bfloat16,
 * the upper half of an F32), the dtypes PyTorch saves small models in, and widens each value to
 * float exactly (every F16 and BF16 value, NaN payloads included, has an F32 with the same value);
 * {@link Contents#dtypes()} says what each tensor was stored as. Reading checks the whole header
 * against the file's real size before it allocates anything for tensor data, and throws {@link
 * CorruptFileException} naming the file and the first problem; it never returns part of a file.
 */
public final class SafeTensors {
    /** Largest header accepted when reading; real headers are a few kilobytes. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** Most elements one tensor may have: its floats must fit one Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> TENSOR_KEYS = Set.of("dtype", "shape", "data_offsets");
    /** The dtypes {@link #read} accepts, with their bytes per element. */
    private static final Map<String, Integer> DTYPE_BYTES = Map.of("F32", 4, "F16", 2, "BF16", 2);
    private static final int CHUNK_BYTES = 1 << 16;

    private SafeTensors() {
    }

    /**
     * A float32 tensor: its shape and its data in row-major order. The arrays are held, not copied.
     *
     * @throws IllegalArgumentException if a dimension is negative or the shape's product is not
     *     {@code data.length}
     */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            checkTensor("tensor", shape, data);
        }
    }

    /**
     * What a file holds: tensors in header order, the metadata, and each tensor's dtype as stored
     * ({@code F32}, {@code F16} or {@code BF16}; the data is float either way); the maps are
     * unmodifiable.
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> dtypes) {
        /** Contents whose tensors are all F32. */
        public Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
            this(tensors, metadata, allF32(tensors));
        }

        private static Map<String, String> allF32(Map<String, Tensor> tensors) {
            Map<String, String> d = new LinkedHashMap<>();
            tensors.keySet().forEach(name -> d.put(name, "F32"));
            return Collections.unmodifiableMap(d);
        }
    }

    /**
     * Writes {@code tensors} in map order, contiguously, as F32, with the metadata; the header is
     * padded with spaces so that the data starts at a multiple of 8 bytes. The write is atomic: a
     * temporary file in the same directory is written and flushed to disk, then renamed over
     * {@code file}; on any failure the temporary file is deleted and {@code file} is left as it was.
     *
     * @throws IllegalArgumentException for an empty or reserved tensor name, a shape that does not
     *     match its data, or a name or metadata text that cannot be encoded; checked before anything
     *     is written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        // One pass over each map, so a map that changes underneath cannot make header and data disagree.
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(tensors.entrySet());
        List<Map.Entry<String, String>> meta = new ArrayList<>(metadata.entrySet());
        byte[] header = header(entries, meta);

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeTo(ch, header, entries);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** The bytes {@link #write} would put in a file, for checks that need no file system. */
    static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(tensors.entrySet());
        byte[] header = header(entries, new ArrayList<>(metadata.entrySet()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTo(Channels.newChannel(out), header, entries);
        return out.toByteArray();
    }

    private static void writeTo(WritableByteChannel ch, byte[] header, List<Map.Entry<String, Tensor>> entries)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        buf.flip();
        writeFully(ch, buf);
        writeFully(ch, ByteBuffer.wrap(header));
        for (Map.Entry<String, Tensor> e : entries) {
            writeFloats(ch, e.getValue().data(), buf);
        }
    }

    /** Reads and validates a whole file; see the class comment for what is checked. */
    public static Contents read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(file, ch.size(), (pos, dst) -> {
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, pos);
                    if (n < 0) {
                        throw new CorruptFileException(file, "file shrank while being read (at byte " + pos + ")");
                    }
                    pos += n;
                }
            }).read();
        }
    }

    /** Reads bytes already in memory; {@code name} is what messages call them. */
    static Contents read(Path name, byte[] content) throws IOException {
        return new Reader(name, content.length, (pos, dst) -> dst.put(content, (int) pos, dst.remaining())).read();
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> entries, List<Map.Entry<String, String>> meta) {
        StringBuilder json = new StringBuilder("{");
        if (!meta.isEmpty()) {
            json.append(Json.quote(METADATA_KEY)).append(":{");
            for (int k = 0; k < meta.size(); k++) {
                String key = meta.get(k).getKey();
                String value = meta.get(k).getValue();
                checkText("metadata key", key);
                checkText("metadata value of \"" + key + "\"", value);
                json.append(k == 0 ? "" : ",").append(Json.quote(key)).append(':').append(Json.quote(value));
            }
            json.append("},");
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : entries) {
            String name = e.getKey();
            checkText("tensor name", name);
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name \"" + name + "\" is empty or reserved");
            }
            Tensor t = e.getValue();
            if (t == null) {
                throw new NullPointerException("tensor \"" + name + "\" is null");
            }
            // Re-checked: the arrays of a Tensor can change after it was built.
            checkTensor("tensor \"" + name + "\"", t.shape(), t.data());
            long end = offset + 4L * t.data().length;
            json.append(Json.quote(name)).append(":{\"dtype\":\"F32\",\"shape\":")
                    .append(Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]},");
            offset = end;
        }
        if (json.length() > 1) {
            json.setLength(json.length() - 1);
        }
        json.append('}');
        byte[] utf8 = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (utf8.length + 7) & ~7;
        byte[] header = Arrays.copyOf(utf8, padded);
        Arrays.fill(header, utf8.length, padded, (byte) ' ');
        return header;
    }

    private static void checkText(String what, String text) {
        if (text == null) {
            throw new NullPointerException(what + " is null");
        }
        if (!Json.isWellFormed(text)) {
            throw new IllegalArgumentException(what + " \"" + text + "\" holds an unpaired surrogate (not encodable as UTF-8)");
        }
    }

    private static long checkTensor(String what, int[] shape, float[] data) {
        Objects.requireNonNull(shape, () -> what + " shape");
        Objects.requireNonNull(data, () -> what + " data");
        long count = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException(what + " shape[" + d + "] = " + shape[d] + " is negative");
            }
            count *= shape[d];
            if (count > MAX_ELEMENTS) {
                throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape) + " has too many elements");
            }
        }
        if (count != data.length) {
            throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape) + " has " + count
                    + " elements but data has " + data.length);
        }
        return count;
    }

    private static void writeFloats(WritableByteChannel ch, float[] data, ByteBuffer buf) throws IOException {
        int perChunk = buf.capacity() / Float.BYTES;
        for (int i = 0; i < data.length; i += perChunk) {
            int n = Math.min(perChunk, data.length - i);
            buf.clear();
            buf.asFloatBuffer().put(data, i, n);
            buf.limit(n * Float.BYTES);
            writeFully(ch, buf);
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Makes the rename durable. Some platforms cannot open a directory; there the rename stands as is. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            System.getLogger(SafeTensors.class.getName()).log(System.Logger.Level.DEBUG,
                    "could not flush directory " + dir + " after rename", e);
        }
    }

    /**
     * The IEEE 754 binary16 value with these bits, as a float (exact: every half is a float). NaN keeps
     * its payload in the upper mantissa bits. (Float.float16ToFloat exists only from Java 20.)
     */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact in float (at most 10 significant bits).
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The bfloat16 value with these bits, as a float: the float whose upper 16 bits they are. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Positional reads of the whole of a source. */
    private interface Source {
        void readFully(long position, ByteBuffer dst) throws IOException;
    }

    /** One tensor's entry in the header. */
    private record Entry(String name, String dtype, int[] shape, long begin, long end) {
    }

    /** Reads one file: all validation first, then the data. */
    private static final class Reader {
        private final Path file;
        private final long size;
        private final Source source;
        private long dataStart;

        Reader(Path file, long size, Source source) {
            this.file = file;
            this.size = size;
            this.source = source;
        }

        Contents read() throws IOException {
            if (size < 8) {
                throw corrupt("is " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            source.readFully(0, len);
            long n = len.getLong(0);
            long limit = Math.min(size - 8, MAX_HEADER_BYTES);
            if (n < 2 || n > limit) {
                throw corrupt("header length " + Long.toUnsignedString(n) + " (bytes 0-7) is outside [2, " + limit
                        + "] for a " + size + "-byte file");
            }
            byte[] headerBytes = new byte[(int) n];
            source.readFully(8, ByteBuffer.wrap(headerBytes));
            dataStart = 8 + n;

            Object root;
            try {
                root = Json.parse(decodeUtf8(headerBytes));
            } catch (Json.SyntaxException e) {
                throw corrupt("header (from byte 8) is not valid JSON: " + e.getMessage());
            }
            if (!(root instanceof Map<?, ?> top)) {
                throw corrupt("header is not a JSON object");
            }
            Map<String, String> metadata = Map.of();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : top.entrySet()) {
                String key = (String) e.getKey();
                if (key.equals(METADATA_KEY)) {
                    metadata = metadata(e.getValue());
                } else {
                    entries.add(entry(key, e.getValue()));
                }
            }
            checkCoverage(entries);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            for (Entry e : entries) {
                tensors.put(e.name(), new Tensor(e.shape(), floats(e)));
                dtypes.put(e.name(), e.dtype());
            }
            return new Contents(Collections.unmodifiableMap(tensors), metadata, Collections.unmodifiableMap(dtypes));
        }

        private String decodeUtf8(byte[] bytes) throws CorruptFileException {
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CharBuffer out = CharBuffer.allocate(bytes.length);
            CoderResult r = decoder.decode(in, out, true);
            if (!r.isError()) {
                r = decoder.flush(out);
            }
            if (r.isError()) {
                throw corrupt("header is not valid UTF-8 at byte " + (8 + in.position()));
            }
            return out.flip().toString();
        }

        private Map<String, String> metadata(Object value) throws CorruptFileException {
            if (!(value instanceof Map<?, ?> map)) {
                throw corrupt(METADATA_KEY + " is not a JSON object");
            }
            Map<String, String> result = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getValue() instanceof String s)) {
                    throw corrupt(METADATA_KEY + " value of \"" + e.getKey() + "\" is " + e.getValue() + ", not a string");
                }
                result.put((String) e.getKey(), s);
            }
            return Collections.unmodifiableMap(result);
        }

        private Entry entry(String name, Object value) throws CorruptFileException {
            if (name.isEmpty()) {
                throw corrupt("a tensor has an empty name");
            }
            String what = "tensor \"" + name + "\"";
            if (!(value instanceof Map<?, ?> map)) {
                throw corrupt(what + " is not a JSON object");
            }
            for (String key : TENSOR_KEYS) {
                if (!map.containsKey(key)) {
                    throw corrupt(what + " has no \"" + key + "\"");
                }
            }
            for (Object key : map.keySet()) {
                if (!TENSOR_KEYS.contains(key)) {
                    throw corrupt(what + " has an unknown field \"" + key + "\"");
                }
            }
            Object dtype = map.get("dtype");
            if (!(dtype instanceof String)) {
                throw corrupt(what + " dtype is " + dtype + ", not a string");
            }
            Integer elementBytes = DTYPE_BYTES.get(dtype);
            if (elementBytes == null) {
                throw corrupt(what + " has dtype " + dtype + "; supported are F32, F16 and BF16");
            }
            if (!(map.get("shape") instanceof List<?> shapeList)) {
                throw corrupt(what + " shape is not a JSON array");
            }
            int[] shape = new int[shapeList.size()];
            boolean empty = false;
            for (int d = 0; d < shape.length; d++) {
                long dim = nonNegative(what + " shape[" + d + "]", shapeList.get(d));
                if (dim > MAX_ELEMENTS) {
                    throw corrupt(what + " shape[" + d + "] = " + dim + " is too large");
                }
                shape[d] = (int) dim;
                empty |= dim == 0;
            }
            long count = 1;
            for (int d = 0; d < shape.length && !empty; d++) {
                count *= shape[d];
                if (count > MAX_ELEMENTS) {
                    throw corrupt(what + " shape " + Arrays.toString(shape) + " has more than " + MAX_ELEMENTS + " elements");
                }
            }
            if (empty) {
                count = 0;
            }
            if (!(map.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2) {
                throw corrupt(what + " data_offsets is not an array of two numbers");
            }
            long begin = nonNegative(what + " data_offsets[0]", offsets.get(0));
            long end = nonNegative(what + " data_offsets[1]", offsets.get(1));
            long buffer = size - dataStart;
            if (begin > end || end > buffer) {
                throw corrupt(what + " data_offsets [" + begin + ", " + end + "] are not within the " + buffer
                        + "-byte data buffer");
            }
            if (end - begin != count * elementBytes) {
                throw corrupt(what + " data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                        + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + count * elementBytes);
            }
            return new Entry(name, (String) dtype, shape, begin, end);
        }

        private long nonNegative(String what, Object value) throws CorruptFileException {
            if (!(value instanceof Json.Number num) || !num.isInteger() || num.text().startsWith("-")) {
                throw corrupt(what + " is " + value + ", not a non-negative integer");
            }
            if (num.text().length() > 18) {
                throw corrupt(what + " = " + num.text() + " is too large");
            }
            return Long.parseLong(num.text());
        }

        /** The tensors must tile the data buffer exactly: no overlaps, no holes, nothing after. */
        private void checkCoverage(List<Entry> entries) throws CorruptFileException {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long at = 0;
            String previous = null;
            for (Entry e : sorted) {
                if (e.begin() < at) {
                    throw corrupt("tensor \"" + e.name() + "\" data_offsets [" + e.begin() + ", " + e.end()
                            + "] overlap tensor \"" + previous + "\", which ends at " + at);
                }
                if (e.begin() > at) {
                    throw corrupt("data bytes [" + at + ", " + e.begin() + ") belong to no tensor");
                }
                at = e.end();
                previous = e.name();
            }
            long buffer = size - dataStart;
            if (at != buffer) {
                throw corrupt("data bytes [" + at + ", " + buffer + ") at the end of the file belong to no tensor");
            }
        }

        private float[] floats(Entry e) throws IOException {
            int elementBytes = DTYPE_BYTES.get(e.dtype());
            float[] data = new float[(int) ((e.end() - e.begin()) / elementBytes)];
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, e.end() - e.begin()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = buf.capacity() / elementBytes;
            for (int i = 0; i < data.length; i += perChunk) {
                int n = Math.min(perChunk, data.length - i);
                buf.clear().limit(n * elementBytes);
                source.readFully(dataStart + e.begin() + (long) i * elementBytes, buf);
                buf.flip();
                switch (e.dtype()) {
                    case "F32" -> buf.asFloatBuffer().get(data, i, n);
                    case "F16" -> {
                        for (int j = 0; j < n; j++) {
                            data[i + j] = halfToFloat(buf.getShort());
                        }
                    }
                    default -> {
                        for (int j = 0; j < n; j++) {
                            data[i + j] = bfloat16ToFloat(buf.getShort());
                        }
                    }
                }
            }
            return data;
        }

        private CorruptFileException corrupt(String problem) {
            return new CorruptFileException(file, problem);
        }
    }
}
