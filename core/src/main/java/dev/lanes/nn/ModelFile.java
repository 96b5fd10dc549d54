package dev.lanes.nn;

import dev.lanes.io.CorruptFileException;
import dev.lanes.io.SafeTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Saves and loads networks as safetensors files that Python's {@code safetensors} or numpy can open.
 *
 * <p>Layer n's parameters are the F32 tensors {@code layers.n.weight} (shape {@code [out, in]},
 * row-major, PyTorch's {@code Linear} layout) and {@code layers.n.bias} (shape {@code [out]}). The
 * header's {@code __metadata__} holds {@code format = lanes-mlp}, {@code format_version = 1}, {@code
 * layers} (the widths, input first, comma-separated), {@code activations} (one name per layer) and
 * {@code content_sha256}, plus the caller's information. Saving is atomic (see {@link SafeTensors#write}).
 *
 * <h2>Keys with a meaning</h2>
 * Among the caller's information, {@value #INPUT_MAX} is the number the training features were
 * divided by (a {@link Predictor} divides raw features by it), and the keys of {@link TrainingData}
 * say which data the model was trained and held out on. {@link #load} checks them.
 *
 * <h2>Checksum</h2>
 * {@code content_sha256} is the SHA-256, in lowercase hex, of this byte sequence (integers little-endian):
 * <ol>
 *   <li>for every other {@code __metadata__} entry, in the order of the keys' UTF-8 bytes (unsigned):
 *       the key's UTF-8 length (4 bytes) and bytes, the value's UTF-8 length (4 bytes) and bytes;</li>
 *   <li>for every tensor, in the order of the names' UTF-8 bytes: the name's UTF-8 length (4 bytes)
 *       and bytes, the dtype's length and bytes ({@code F32}), the rank (4 bytes), each dimension
 *       (8 bytes), then each value as a 4-byte float.</li>
 * </ol>
 * It covers what the file means, not how its JSON is spaced, so any edit of a value (a flipped bit in a
 * weight, {@code input_max} 255 turned into 655, a changed architecture) is found on load, while a
 * file re-saved by another safetensors writer with the same content still verifies. In Python:
 * <pre>{@code
 * def field(b): return struct.pack("<I", len(b)) + b
 * h = hashlib.sha256()
 * for k in sorted(meta, key=str.encode):
 *     if k != "content_sha256":
 *         h.update(field(k.encode()) + field(meta[k].encode()))
 * for name in sorted(tensors, key=str.encode):
 *     t = tensors[name]
 *     h.update(field(name.encode()) + field(b"F32") + struct.pack("<I", t.ndim))
 *     h.update(struct.pack(f"<{t.ndim}q", *t.shape) + t.astype("<f4").tobytes())
 * }</pre>
 * }</pre>
 * A file without the key (saved by an older lanes, or converted from PyTorch by hand) loads as
 * {@linkplain Model#verified() unverified}; one whose checksum does not match is refused. To accept an
 * edited file on purpose, delete its {@code content_sha256} or save it again.
 */
public final class ModelFile {
    public static final String FORMAT = "lanes-mlp";
    public static final String FORMAT_VERSION = "1";
    /** The {@code __metadata__} key of the checksum. */
    public static final String CHECKSUM = "content_sha256";
    /** The {@code __metadata__} key of the divisor of the raw features. */
    public static final String INPUT_MAX = "input_max";
    private static final Set<String> RESERVED = Set.of("format", "format_version", "layers", "activations", CHECKSUM);
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    private ModelFile() {
    }

    /**
     * The data a model was trained on, enough to load the same held-out samples again: the embedded
     * digits or a CSV file split by a seed, or an IDX directory whose {@code t10k} files are held out.
     *
     * @param source      {@code digits}, {@code csv} or {@code idx}
     * @param path        the CSV file or IDX directory, absolute; null for digits
     * @param labelColumn the CSV label column as given to the reader (negative counts from the end); 0 otherwise
     * @param heldOut     the fraction held out of digits or CSV data; 0 for IDX
     * @param splitSeed   the seed of that split; 0 for IDX
     */
    public record TrainingData(String source, String path, int labelColumn, double heldOut, long splitSeed) {
        public static final String DIGITS = "digits";
        public static final String CSV = "csv";
        public static final String IDX = "idx";
        static final String SOURCE_KEY = "data_source";
        static final String PATH_KEY = "data_path";
        static final String LABEL_KEY = "data_label_column";
        static final String HELD_OUT_KEY = "held_out";
        static final String SEED_KEY = "split_seed";

        public TrainingData {
            Objects.requireNonNull(source, "source");
            if (!source.equals(DIGITS) && !source.equals(CSV) && !source.equals(IDX)) {
                throw new IllegalArgumentException("source must be digits, csv or idx, got '" + source + "'");
            }
            if (source.equals(DIGITS) != (path == null)) {
                throw new IllegalArgumentException(source.equals(DIGITS) ? "digits have no path" : source + " needs a path");
            }
            if (!source.equals(IDX) && !(heldOut > 0 && heldOut < 1)) {
                throw new IllegalArgumentException("heldOut must be in (0, 1), got " + heldOut);
            }
        }

        /** The embedded digits set, {@code heldOut} of it held out by {@code splitSeed}. */
        public static TrainingData digits(double heldOut, long splitSeed) {
            return new TrainingData(DIGITS, null, 0, heldOut, splitSeed);
        }

        /** A CSV file with its label column, {@code heldOut} of it held out by {@code splitSeed}. */
        public static TrainingData csv(Path file, int labelColumn, double heldOut, long splitSeed) {
            return new TrainingData(CSV, file.toAbsolutePath().normalize().toString(), labelColumn, heldOut, splitSeed);
        }

        /** An IDX directory: trained on its {@code train-*} files, its {@code t10k-*} files held out. */
        public static TrainingData idx(Path dir) {
            return new TrainingData(IDX, dir.toAbsolutePath().normalize().toString(), 0, 0, 0);
        }

        /** The metadata entries that record this. */
        public Map<String, String> toInfo() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(SOURCE_KEY, source);
            if (path != null) {
                m.put(PATH_KEY, path);
            }
            if (source.equals(CSV)) {
                m.put(LABEL_KEY, Integer.toString(labelColumn));
            }
            if (!source.equals(IDX)) {
                m.put(HELD_OUT_KEY, Double.toString(heldOut));
                m.put(SEED_KEY, Long.toString(splitSeed));
            }
            return m;
        }

        /** For messages: {@code embedded digits (20% held out, split seed 1)}, {@code IDX directory /d (t10k held out)}. */
        public String describe() {
            String split = Math.round(100 * heldOut) + "% held out, split seed " + splitSeed;
            return switch (source) {
                case DIGITS -> "embedded digits (" + split + ")";
                case CSV -> "CSV file " + path + " (label column " + labelColumn + ", " + split + ")";
                default -> "IDX directory " + path + " (t10k held out)";
            };
        }

        /** The training data the metadata records, or null if it records none (older files: see below). */
        static TrainingData fromInfo(Path file, Map<String, String> meta) throws CorruptFileException {
            String source = meta.get(SOURCE_KEY);
            if (source == null) {
                return null;
            }
            try {
                return switch (source) {
                    case DIGITS -> digits(parseHeldOut(meta), parseLong(meta, SEED_KEY));
                    case CSV -> new TrainingData(CSV, required(file, meta, PATH_KEY),
                            (int) parseLong(meta, LABEL_KEY), parseHeldOut(meta), parseLong(meta, SEED_KEY));
                    case IDX -> new TrainingData(IDX, required(file, meta, PATH_KEY), 0, 0, 0);
                    default -> throw new IllegalArgumentException(SOURCE_KEY + " '" + source
                            + "' is not digits, csv or idx");
                };
            } catch (IllegalArgumentException e) {
                throw new CorruptFileException(file, "__metadata__: " + e.getMessage());
            }
        }

        private static double parseHeldOut(Map<String, String> meta) {
            String v = meta.getOrDefault(HELD_OUT_KEY, "0.2");
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(HELD_OUT_KEY + " '" + v + "' is not a number");
            }
        }

        private static long parseLong(Map<String, String> meta, String key) {
            String v = meta.get(key);
            if (v == null) {
                throw new IllegalArgumentException("no '" + key + "'");
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " '" + v + "' is not an integer");
            }
        }
    }

    /** A loaded network, the caller information saved with it, and what the file says about itself. */
    public static final class Model {
        private final Network network;
        private final Map<String, String> info;
        private final Float inputMax;
        private final TrainingData trainingData;
        private final String checksum;

        Model(Network network, Map<String, String> info, Float inputMax, TrainingData trainingData, String checksum) {
            this.network = network;
            this.info = info;
            this.inputMax = inputMax;
            this.trainingData = trainingData;
            this.checksum = checksum;
        }

        /** The network (the caller's to use or train). */
        public Network network() {
            return network;
        }

        /** Every {@code __metadata__} entry except format, format_version, layers, activations and the checksum. */
        public Map<String, String> info() {
            return info;
        }

        /** The number the training features were divided by, if the file records one (positive and finite). */
        public Optional<Float> inputMax() {
            return Optional.ofNullable(inputMax);
        }

        /** The data the model was trained on, if the file records it (files of lanes 0.1 do not). */
        public Optional<TrainingData> trainingData() {
            return Optional.ofNullable(trainingData);
        }

        /** True if the file carried a checksum and it matched (otherwise it had none: see the class comment). */
        public boolean verified() {
            return checksum != null;
        }

        /** The verified checksum, lowercase hex, if the file had one. */
        public Optional<String> checksum() {
            return Optional.ofNullable(checksum);
        }
    }

    /**
     * Writes the network and {@code info} (string pairs the caller wants back, such as {@value #INPUT_MAX}
     * and {@link TrainingData#toInfo()}; keys must not be format, format_version, layers, activations
     * or content_sha256), with the checksum of the whole content.
     *
     * @return the checksum written, lowercase hex
     * @throws IllegalArgumentException if some parameter is NaN or infinite (never saved), a key is
     *     reserved, or {@value #INPUT_MAX} is not a positive number; nothing is written then
     */
    public static String save(Path file, Network network, Map<String, String> info) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(info, "info");
        if (!network.isFinite()) {
            throw new IllegalArgumentException("refusing to save " + file + ": the network has non-finite weights");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", FORMAT_VERSION);
        metadata.put("layers", join(network.sizes()));
        StringBuilder acts = new StringBuilder();
        for (int l = 0; l < network.layers(); l++) {
            acts.append(l == 0 ? "" : ",").append(network.activation(l).id());
        }
        metadata.put("activations", acts.toString());
        for (Map.Entry<String, String> e : info.entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException("info key '" + e.getKey() + "' is reserved");
            }
            metadata.put(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey()));
        }
        if (metadata.containsKey(INPUT_MAX)) {
            String problem = inputMaxProblem(metadata.get(INPUT_MAX));
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < network.layers(); l++) {
            int in = network.width(l);
            int out = network.width(l + 1);
            tensors.put(weightName(l), new SafeTensors.Tensor(new int[] {out, in}, network.weights[l]));
            tensors.put(biasName(l), new SafeTensors.Tensor(new int[] {out}, network.biases[l]));
        }
        Map<String, String> dtypes = new LinkedHashMap<>();
        tensors.keySet().forEach(name -> dtypes.put(name, "F32"));
        String checksum = checksum(metadata, tensors, dtypes);
        metadata.put(CHECKSUM, checksum);
        SafeTensors.write(file, tensors, metadata);
        return checksum;
    }

    /**
     * Reads a network saved by {@link #save}, checking its checksum first if it has one.
     *
     * @throws CorruptFileException naming the file and the problem, if the file is not a valid
     *     safetensors file, its checksum does not match, its tensors do not match the architecture in
     *     its metadata, or a key with a meaning holds a bad value
     */
    public static Model load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> meta = contents.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new CorruptFileException(file, "not a lanes model: __metadata__ format is "
                    + (meta.containsKey("format") ? "'" + meta.get("format") + "'" : "missing")
                    + ", expected '" + FORMAT + "'" + (contents.tensors().containsKey("0.weight")
                    ? "; it looks like a PyTorch state dict: convert it with TorchImport (./lanes import)" : ""));
        }
        if (!FORMAT_VERSION.equals(meta.get("format_version"))) {
            throw new CorruptFileException(file, "unsupported format_version " + meta.get("format_version"));
        }
        String checksum = verify(file, contents);
        int[] sizes = parseSizes(file, meta.get("layers"));
        String[] actNames = required(file, meta, "activations").split(",", -1);
        if (actNames.length != sizes.length - 1) {
            throw new CorruptFileException(file, "metadata has " + (sizes.length - 1) + " layers but "
                    + actNames.length + " activations");
        }
        Activation[] acts = new Activation[actNames.length];
        for (int l = 0; l < acts.length; l++) {
            try {
                acts[l] = Activation.named(actNames[l]);
            } catch (IllegalArgumentException e) {
                throw new CorruptFileException(file, "activation of layer " + l + ": " + e.getMessage());
            }
        }
        Map<String, SafeTensors.Tensor> tensors = contents.tensors();
        if (tensors.size() != 2 * acts.length) {
            throw new CorruptFileException(file, "expected " + 2 * acts.length + " tensors for " + acts.length
                    + " layers, found " + tensors.size() + " " + tensors.keySet());
        }
        float[][] w = new float[acts.length][];
        float[][] b = new float[acts.length][];
        for (int l = 0; l < acts.length; l++) {
            w[l] = tensor(file, tensors, weightName(l), new int[] {sizes[l + 1], sizes[l]});
            b[l] = tensor(file, tensors, biasName(l), new int[] {sizes[l + 1]});
        }
        Network network;
        try {
            network = Network.of(sizes, acts, w, b);
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException(file, e.getMessage());
        }
        Float inputMax = null;
        if (meta.containsKey(INPUT_MAX)) {
            String problem = inputMaxProblem(meta.get(INPUT_MAX));
            if (problem != null) {
                throw new CorruptFileException(file, "__metadata__ " + problem);
            }
            inputMax = Float.parseFloat(meta.get(INPUT_MAX));
        }
        TrainingData data = TrainingData.fromInfo(file, meta);
        Map<String, String> info = new LinkedHashMap<>(meta);
        info.keySet().removeAll(RESERVED);
        return new Model(network, Collections.unmodifiableMap(info), inputMax, data, checksum);
    }

    /** Why {@code value} is not a usable input_max, or null if it is one. */
    private static String inputMaxProblem(String value) {
        try {
            float max = Float.parseFloat(value);
            if (max > 0 && Float.isFinite(max)) {
                return null;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        return INPUT_MAX + " '" + value + "' is not a positive number";
    }

    /** The file's checksum if it has one and it matches; null if it has none. */
    private static String verify(Path file, SafeTensors.Contents contents) throws CorruptFileException {
        String stored = contents.metadata().get(CHECKSUM);
        if (stored == null) {
            return null;
        }
        if (!HEX_SHA256.matcher(stored).matches()) {
            throw new CorruptFileException(file, "__metadata__ " + CHECKSUM + " '" + stored
                    + "' is not 64 lowercase hex digits");
        }
        String actual = checksum(contents.metadata(), contents.tensors(), contents.dtypes());
        if (!actual.equals(stored)) {
            throw new CorruptFileException(file, "checksum mismatch: the header or the tensors changed after the "
                    + "model was saved (__metadata__ " + CHECKSUM + " is " + stored + ", the content gives " + actual
                    + "); restore the file, or delete " + CHECKSUM + " to load it unverified");
        }
        return stored;
    }

    /** The checksum of the class comment over {@code metadata} (its checksum entry left out) and {@code tensors}. */
    static String checksum(Map<String, String> metadata, Map<String, SafeTensors.Tensor> tensors,
                           Map<String, String> dtypes) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (String key : byUtf8(metadata.keySet())) {
            if (!key.equals(CHECKSUM)) {
                putString(sha, buf, key);
                putString(sha, buf, metadata.get(key));
            }
        }
        for (String name : byUtf8(tensors.keySet())) {
            SafeTensors.Tensor t = tensors.get(name);
            putString(sha, buf, name);
            putString(sha, buf, dtypes.get(name));
            buf.clear();
            buf.putInt(t.shape().length);
            for (int d : t.shape()) {
                buf.putLong(d);
            }
            sha.update(buf.flip());
            float[] data = t.data();
            int perChunk = buf.capacity() / Float.BYTES;
            for (int i = 0; i < data.length; i += perChunk) {
                int n = Math.min(perChunk, data.length - i);
                buf.clear();
                buf.asFloatBuffer().put(data, i, n);
                buf.limit(n * Float.BYTES);
                sha.update(buf);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static List<String> byUtf8(Set<String> keys) {
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return sorted;
    }

    private static void putString(MessageDigest sha, ByteBuffer buf, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        buf.clear();
        buf.putInt(utf8.length);
        sha.update(buf.flip());
        sha.update(utf8);
    }

    static String weightName(int layer) {
        return "layers." + layer + ".weight";
    }

    static String biasName(int layer) {
        return "layers." + layer + ".bias";
    }

    private static float[] tensor(Path file, Map<String, SafeTensors.Tensor> tensors, String name, int[] shape)
            throws CorruptFileException {
        SafeTensors.Tensor t = tensors.get(name);
        if (t == null) {
            throw new CorruptFileException(file, "tensor " + name + " is missing");
        }
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new CorruptFileException(file, "tensor " + name + " has shape " + java.util.Arrays.toString(t.shape())
                    + ", the architecture needs " + java.util.Arrays.toString(shape));
        }
        if (t.data().length != (shape.length == 2 ? shape[0] * shape[1] : shape[0])) {
            throw new CorruptFileException(file, "tensor " + name + " has " + t.data().length + " values for shape "
                    + java.util.Arrays.toString(shape));
        }
        return t.data();
    }

    private static String required(Path file, Map<String, String> meta, String key) throws CorruptFileException {
        String v = meta.get(key);
        if (v == null) {
            throw new CorruptFileException(file, "__metadata__ has no '" + key + "'");
        }
        return v;
    }

    private static int[] parseSizes(Path file, String layers) throws CorruptFileException {
        if (layers == null) {
            throw new CorruptFileException(file, "__metadata__ has no 'layers'");
        }
        String[] parts = layers.split(",", -1);
        if (parts.length < 2) {
            throw new CorruptFileException(file, "__metadata__ layers '" + layers + "' needs at least two widths");
        }
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                sizes[i] = -1;
            }
            if (sizes[i] < 1) {
                throw new CorruptFileException(file, "__metadata__ layers '" + layers + "': width " + i
                        + " is not a positive integer");
            }
        }
        return sizes;
    }

    private static String join(int[] sizes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            s.append(i == 0 ? "" : ",").append(sizes[i]);
        }
        return s.toString();
    }
}
