package dev.lanes.nn;

import dev.lanes.io.CorruptFileException;
import dev.lanes.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Saves and loads networks as safetensors files that Python's {@code safetensors} or numpy can open.
 *
 * <p>Layer n's parameters are the F32 tensors {@code layers.n.weight} (shape {@code [out, in]},
 * row-major, PyTorch's {@code Linear} layout) and {@code layers.n.bias} (shape {@code [out]}). The
 * header's {@code __metadata__} holds {@code format = lanes-mlp}, {@code format_version = 1}, {@code
 * layers} (the widths, input first, comma-separated) and {@code activations} (one name per layer),
 * plus any caller information. Saving is atomic (see {@link SafeTensors#write}).
 */
public final class ModelFile {
    public static final String FORMAT = "lanes-mlp";
    public static final String FORMAT_VERSION = "1";
    private static final Set<String> RESERVED = Set.of("format", "format_version", "layers", "activations");

    private ModelFile() {
    }

    /** A loaded network and the caller information saved with it. */
    public record Model(Network network, Map<String, String> info) {
    }

    /**
     * Writes the network and {@code info} (string pairs the caller wants back, such as how inputs were
     * scaled; keys must not be format, format_version, layers or activations).
     *
     * @throws IllegalArgumentException if some parameter is NaN or infinite (never saved), or a key is reserved
     */
    public static void save(Path file, Network network, Map<String, String> info) throws IOException {
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
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < network.layers(); l++) {
            int in = network.width(l);
            int out = network.width(l + 1);
            tensors.put(weightName(l), new SafeTensors.Tensor(new int[] {out, in}, network.weights[l]));
            tensors.put(biasName(l), new SafeTensors.Tensor(new int[] {out}, network.biases[l]));
        }
        SafeTensors.write(file, tensors, metadata);
    }

    /**
     * Reads a network saved by {@link #save}.
     *
     * @throws CorruptFileException naming the file and the problem, if the file is not a valid
     *     safetensors file or its tensors do not match the architecture in its metadata
     */
    public static Model load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> meta = contents.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new CorruptFileException(file, "not a lanes model: __metadata__ format is "
                    + (meta.containsKey("format") ? "'" + meta.get("format") + "'" : "missing")
                    + ", expected '" + FORMAT + "'");
        }
        if (!FORMAT_VERSION.equals(meta.get("format_version"))) {
            throw new CorruptFileException(file, "unsupported format_version " + meta.get("format_version"));
        }
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
        Map<String, String> info = new LinkedHashMap<>(meta);
        info.keySet().removeAll(RESERVED);
        return new Model(network, Map.copyOf(info));
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
