package dev.lanes.nn;

import dev.lanes.io.CorruptFileException;
import dev.lanes.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PyTorch {@code nn.Sequential} of {@code Linear} layers from a safetensors file, as
 * {@code safetensors.torch.save_file(model.state_dict(), path)} writes it, into a {@link Network}.
 *
 * <p>The file holds {@code 0.weight} (shape {@code [out, in]}) and {@code 0.bias} ({@code [out]}) for
 * the first Linear layer, then the same for each later one, numbered by its place in the Sequential:
 * {@code 2.weight} after one activation module, {@code 1.weight} directly after. A common prefix
 * ({@code net.0.weight}, from a module that holds the Sequential as {@code net}) is accepted. The file
 * carries no activations (they have no parameters), so the caller names them, one per Linear layer.
 * Tensors may be F32, F16 or BF16; values are widened to float exactly.
 *
 * <p>Anything else is refused with a {@link CorruptFileException} naming the tensor: a tensor that is
 * not a Linear layer's weight or bias (a batch norm's {@code running_mean}, say), a weight without its
 * bias or the reverse, numbering that does not start at 0 or skips more than one module (a missing
 * layer; a parameter-free module such as Dropout also shifts the numbering: leave it out of the model
 * that is saved), shapes that do not chain, a NaN or infinite value, an unsupported dtype; and a
 * lanes model file, which needs no import.
 */
public final class TorchImport {
    private static final Pattern NAME = Pattern.compile("(.*?)(\\d+)\\.(weight|bias)");

    private TorchImport() {
    }

    /** The network read, and the dtypes its tensors were stored in (for messages). */
    public record Imported(Network network, Set<String> dtypes) {
    }

    /**
     * Reads the file with the given activations, one per Linear layer in order.
     *
     * @throws CorruptFileException naming the file and the tensor, if the file is not such a model
     * @throws IllegalArgumentException if the number of activations is not the number of layers, or
     *     softmax is given for a layer other than the last
     */
    public static Imported read(Path file, List<Activation> activations) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(activations, "activations");
        SafeTensors.Contents contents = SafeTensors.read(file);
        if (ModelFile.FORMAT.equals(contents.metadata().get("format"))) {
            // Its layers.0.weight, layers.1.weight, ... would read as a Sequential, and the import would
            // drop the file's input_max and training record: the model would then score unscaled inputs.
            throw new CorruptFileException(file, "is already a lanes model (__metadata__ format '" + ModelFile.FORMAT
                    + "'); eval, predict and serve take it as it is");
        }
        Map<String, SafeTensors.Tensor> tensors = contents.tensors();
        if (tensors.isEmpty()) {
            throw new CorruptFileException(file, "holds no tensors; expected 0.weight, 0.bias, ... of an nn.Sequential");
        }
        String prefix = null;
        String prefixSource = null;
        TreeMap<Integer, String[]> layers = new TreeMap<>();
        for (String name : tensors.keySet()) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new CorruptFileException(file, "tensor " + name + " is not the weight or bias of a Linear layer "
                        + "in an nn.Sequential (expected names such as 0.weight, 0.bias, 2.weight)");
            }
            if (prefix == null) {
                prefix = m.group(1);
                prefixSource = name;
            } else if (!prefix.equals(m.group(1))) {
                throw new CorruptFileException(file, "tensor " + name + " does not share the prefix '" + prefix + "' of "
                        + prefixSource + "; one nn.Sequential is expected");
            }
            int index;
            try {
                index = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                throw new CorruptFileException(file, "tensor " + name + " has a layer number too large");
            }
            layers.computeIfAbsent(index, i -> new String[2])[m.group(3).equals("weight") ? 0 : 1] = name;
        }

        List<Integer> indices = new ArrayList<>(layers.keySet());
        for (int i : indices) {
            String[] wb = layers.get(i);
            if (wb[0] == null) {
                throw new CorruptFileException(file, "tensor " + prefix + i + ".weight is missing (" + wb[1] + " is there)");
            }
            if (wb[1] == null) {
                throw new CorruptFileException(file, "tensor " + prefix + i + ".bias is missing (" + wb[0]
                        + " is there; Linear layers without a bias are not supported)");
            }
        }
        if (indices.get(0) != 0) {
            throw new CorruptFileException(file, "tensor " + layers.get(indices.get(0))[0] + ": the numbering starts at "
                    + indices.get(0) + ", not 0; is the first Linear layer missing?");
        }
        for (int l = 1; l < indices.size(); l++) {
            int step = indices.get(l) - indices.get(l - 1);
            if (step > 2) {
                int from = indices.get(l - 1) + 1;
                int to = indices.get(l) - 1;
                throw new CorruptFileException(file, "gap in the numbering between tensors " + layers.get(indices.get(l - 1))[0]
                        + " and " + layers.get(indices.get(l))[0] + ": modules " + from + " to " + to + " hold no "
                        + "parameters, where one activation between Linear layers takes one number; is a Linear layer "
                        + "missing? A Dropout or another module without parameters also takes a number: save the model "
                        + "without it, e.g. nn.Sequential(*[m for m in model if not isinstance(m, nn.Dropout)])");
            }
        }

        int count = indices.size();
        if (activations.size() != count) {
            throw new IllegalArgumentException(count + " Linear layer" + (count == 1 ? "" : "s") + " (" + prefix
                    + indices.get(0) + (count > 1 ? " to " + prefix + indices.get(count - 1) : "") + ") but "
                    + activations.size() + " activation" + (activations.size() == 1 ? "" : "s") + " given");
        }
        int[] sizes = new int[count + 1];
        float[][] w = new float[count][];
        float[][] b = new float[count][];
        for (int l = 0; l < count; l++) {
            String[] wb = layers.get(indices.get(l));
            SafeTensors.Tensor weight = tensors.get(wb[0]);
            SafeTensors.Tensor bias = tensors.get(wb[1]);
            int[] ws = weight.shape();
            if (ws.length != 2 || ws[0] < 1 || ws[1] < 1) {
                throw new CorruptFileException(file, "tensor " + wb[0] + " has shape " + Arrays.toString(ws)
                        + ", expected [out, in] with both at least 1");
            }
            if (l == 0) {
                sizes[0] = ws[1];
            } else if (ws[1] != sizes[l]) {
                throw new CorruptFileException(file, "tensor " + wb[0] + " has shape " + Arrays.toString(ws) + ": its "
                        + ws[1] + " inputs do not match the " + sizes[l] + " outputs of "
                        + layers.get(indices.get(l - 1))[0]);
            }
            sizes[l + 1] = ws[0];
            if (bias.shape().length != 1 || bias.shape()[0] != ws[0]) {
                throw new CorruptFileException(file, "tensor " + wb[1] + " has shape " + Arrays.toString(bias.shape())
                        + ", expected [" + ws[0] + "] for the " + ws[0] + " outputs of " + wb[0]);
            }
            w[l] = finite(file, wb[0], weight.data());
            b[l] = finite(file, wb[1], bias.data());
        }
        Network net = Network.of(sizes, activations.toArray(new Activation[0]), w, b);
        return new Imported(net, new TreeSet<>(contents.dtypes().values()));
    }

    private static float[] finite(Path file, String name, float[] data) throws CorruptFileException {
        int bad = Network.firstNonFinite(data);
        if (bad >= 0) {
            throw new CorruptFileException(file, "tensor " + name + "[" + bad + "] is " + data[bad]);
        }
        return data;
    }
}
