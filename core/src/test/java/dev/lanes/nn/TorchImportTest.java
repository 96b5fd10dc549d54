package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.CorruptFileException;
import dev.lanes.kernels.Kernels;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files laid out as {@code safetensors.torch.save_file(nn.Sequential(...).state_dict())} writes them,
 * built here byte by byte (no PyTorch, and not through lanes' writer, which only writes F32).
 */
class TorchImportTest {
    private static final List<Activation> TANH_TANH_SOFTMAX = List.of(Activation.TANH, Activation.TANH, Activation.SOFTMAX);

    @TempDir
    Path dir;

    /** A safetensors file as a list of tensors in a given dtype, encoded from values that dtype holds exactly. */
    static final class TorchFile {
        private final List<String> entries = new ArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        TorchFile add(String name, String dtype, int[] shape, float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * (dtype.equals("F32") ? 4 : dtype.equals("F64") ? 8 : 2))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                switch (dtype) {
                    case "F32" -> b.putFloat(v);
                    case "F64" -> b.putDouble(v);
                    case "BF16" -> b.putShort(bfloat16(v));
                    default -> b.putShort(half(v));
                }
            }
            int begin = data.size();
            data.writeBytes(b.array());
            entries.add("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + Arrays.toString(shape).replace(" ", "")
                    + ",\"data_offsets\":[" + begin + "," + data.size() + "]}");
            return this;
        }

        Path write(Path file) throws Exception {
            // PyTorch's writer puts {"format":"pt"} in the metadata; lanes' keys are absent.
            List<String> all = new ArrayList<>(List.of("\"__metadata__\":{\"format\":\"pt\"}"));
            all.addAll(entries);
            byte[] header = ("{" + String.join(",", all) + "}").getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(header.length).put(header).put(data.toByteArray());
            return Files.write(file, out.array());
        }

        /** The half with exactly this value (normal or zero; the test's values are multiples of 2^-7 below 2). */
        static short half(float v) {
            int bits = Float.floatToIntBits(v);
            if ((bits & 0x7fffffff) == 0) {
                return (short) (bits >>> 16);
            }
            int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
            assertTrue(exponent > 0 && exponent < 31 && (bits & 0x1fff) == 0, v + " is not a normal half");
            return (short) (((bits >>> 16) & 0x8000) | (exponent << 10) | ((bits >>> 13) & 0x3ff));
        }

        static short bfloat16(float v) {
            int bits = Float.floatToIntBits(v);
            assertEquals(0, bits & 0xffff, v + " is not a bfloat16");
            return (short) (bits >>> 16);
        }
    }

    /** Values that F32, F16 and BF16 all hold exactly: multiples of 1/128 in (-1, 1). */
    static float[] values(int n, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextInt(255) - 127) / 128f;
        }
        return v;
    }

    /** A 20-16-12-5 Sequential(Linear, Tanh, Linear, Tanh, Linear, Softmax): keys 0, 2 and 4. */
    private static TorchFile sequential(String dtype, String prefix, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] sizes = {20, 16, 12, 5};
        TorchFile f = new TorchFile();
        for (int l = 0; l < 3; l++) {
            f.add(prefix + 2 * l + ".weight", dtype, new int[] {sizes[l + 1], sizes[l]}, values(sizes[l + 1] * sizes[l], r));
            f.add(prefix + 2 * l + ".bias", dtype, new int[] {sizes[l + 1]}, values(sizes[l + 1], r));
        }
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void aSequentialPredictsAsADoublePrecisionForwardPassOfItsWeights(String dtype) throws Exception {
        Path file = sequential(dtype, "", 3).write(dir.resolve("model.safetensors"));
        TorchImport.Imported imported = TorchImport.read(file, TANH_TANH_SOFTMAX);
        Network net = imported.network();
        assertArrayEquals(new int[] {20, 16, 12, 5}, net.sizes());
        assertEquals(Set.of(dtype), imported.dtypes());
        // The weights are the file's values, exactly, in PyTorch's [out, in] layout.
        SplittableRandom r = new SplittableRandom(3);
        assertArrayEquals(values(16 * 20, r), net.weights(0));
        assertArrayEquals(values(16, r), net.biases(0));

        float[] x = PredictorTest.rawRows(40, 20, 5);
        for (String backend : List.of("scalar", "vector")) {
            Predictor p = Predictor.of(net, 255f, Kernels.named(backend));
            float[] rows = new float[40 * 5];
            p.predictRows(40, x, 0, rows, 0);
            for (int i = 0; i < 40; i++) {
                double[] expected = PredictorTest.reference(net, x, i * 20, 255);
                float[] single = new float[5];
                p.predict(x, i * 20, single, 0);
                for (int j = 0; j < 5; j++) {
                    assertEquals(expected[j], single[j], 1e-5, backend + " row " + i + " output " + j);
                    assertEquals(expected[j], rows[i * 5 + j], 1e-5, backend + " row " + i + " of 40, output " + j);
                }
            }
        }
    }

    @Test
    void aPrefixAndLayersWithoutAnActivationBetweenThemRead() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        Path file = new TorchFile()
                .add("net.0.weight", "F32", new int[] {4, 3}, values(12, r))
                .add("net.0.bias", "F32", new int[] {4}, values(4, r))
                .add("net.1.weight", "F16", new int[] {2, 4}, values(8, r))
                .add("net.1.bias", "BF16", new int[] {2}, values(2, r))
                .write(dir.resolve("prefixed.safetensors"));
        TorchImport.Imported imported = TorchImport.read(file, List.of(Activation.IDENTITY, Activation.SIGMOID));
        assertArrayEquals(new int[] {3, 4, 2}, imported.network().sizes());
        assertEquals(Set.of("BF16", "F16", "F32"), imported.dtypes());
    }

    private String refused(TorchFile f, List<Activation> acts) throws Exception {
        Path file = f.write(dir.resolve("bad.safetensors"));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> TorchImport.read(file, acts));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String expected, String message) {
        assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
    }

    @Test
    void everyInconsistentFileNamesTheTensor() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        float[] w43 = values(12, r);
        float[] b4 = values(4, r);
        float[] w24 = values(8, r);
        float[] b2 = values(2, r);
        List<Activation> two = List.of(Activation.TANH, Activation.SOFTMAX);

        assertContains("tensor 2.bias is missing (2.weight is there; Linear layers without a bias are not supported)",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {4}, b4)
                        .add("2.weight", "F32", new int[] {2, 4}, w24), two));
        assertContains("tensor 0.weight is missing (0.bias is there)",
                refused(new TorchFile().add("0.bias", "F32", new int[] {4}, b4), List.of(Activation.TANH)));
        assertContains("gap in the numbering between tensors 0.weight and 4.weight: modules 1 to 3 hold no parameters",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {4}, b4)
                        .add("4.weight", "F32", new int[] {2, 4}, w24).add("4.bias", "F32", new int[] {2}, b2), two));
        assertContains("between tensors 0.weight and 3.weight: modules 1 to 2 hold no parameters, where one activation",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {4}, b4)
                        .add("3.weight", "F32", new int[] {2, 4}, w24).add("3.bias", "F32", new int[] {2}, b2), two));
        assertContains("tensor 2.weight: the numbering starts at 2, not 0",
                refused(new TorchFile().add("2.weight", "F32", new int[] {2, 4}, w24).add("2.bias", "F32", new int[] {2}, b2),
                        List.of(Activation.SOFTMAX)));
        assertContains("tensor 2.weight has shape [2, 3]: its 3 inputs do not match the 4 outputs of 0.weight",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {4}, b4)
                        .add("2.weight", "F32", new int[] {2, 3}, Arrays.copyOf(w24, 6)).add("2.bias", "F32", new int[] {2}, b2), two));
        assertContains("tensor 0.bias has shape [3], expected [4] for the 4 outputs of 0.weight",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {3}, Arrays.copyOf(b4, 3)),
                        List.of(Activation.TANH)));
        assertContains("tensor 0.weight has shape [12], expected [out, in]",
                refused(new TorchFile().add("0.weight", "F32", new int[] {12}, w43).add("0.bias", "F32", new int[] {4}, b4),
                        List.of(Activation.TANH)));
        assertContains("tensor \"0.weight\" has dtype F64; supported are F32, F16 and BF16",
                refused(new TorchFile().add("0.weight", "F64", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {4}, b4),
                        List.of(Activation.TANH)));
        assertContains("tensor 1.running_mean is not the weight or bias of a Linear layer",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, w43).add("0.bias", "F32", new int[] {4}, b4)
                        .add("1.running_mean", "F32", new int[] {4}, b4), List.of(Activation.TANH)));
        assertContains("tensor body.0.bias does not share the prefix 'head.' of head.0.weight",
                refused(new TorchFile().add("head.0.weight", "F32", new int[] {4, 3}, w43).add("body.0.bias", "F32", new int[] {4}, b4),
                        List.of(Activation.TANH)));
        float[] withNan = w43.clone();
        withNan[7] = Float.NaN;
        assertContains("tensor 0.weight[7] is NaN",
                refused(new TorchFile().add("0.weight", "F32", new int[] {4, 3}, withNan).add("0.bias", "F32", new int[] {4}, b4),
                        List.of(Activation.TANH)));
        assertContains("holds no tensors", refused(new TorchFile(), List.of(Activation.TANH)));
    }

    /**
     * A lanes model's tensors (layers.0.weight, layers.1.weight, ...) would read as a Sequential; imported,
     * it would lose its input_max and score unscaled inputs. It is refused, saying it needs no import.
     */
    @Test
    void aLanesModelIsRefusedAsAlreadyOne() throws Exception {
        Network net = Network.glorot(new int[] {4, 3, 2}, new Activation[] {Activation.TANH, Activation.SOFTMAX}, 1);
        Path file = dir.resolve("lanes.safetensors");
        ModelFile.save(file, net, java.util.Map.of(ModelFile.INPUT_MAX, "16.0"));
        CorruptFileException e = assertThrows(CorruptFileException.class,
                () -> TorchImport.read(file, List.of(Activation.TANH, Activation.SOFTMAX)));
        assertContains("is already a lanes model (__metadata__ format 'lanes-mlp'); eval, predict and serve take it",
                e.getMessage());
    }

    @Test
    void activationsMustFitTheLayers() throws Exception {
        Path file = sequential("F32", "", 1).write(dir.resolve("m.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchImport.read(file, List.of(Activation.TANH, Activation.SOFTMAX)));
        assertContains("3 Linear layers (0 to 4) but 2 activations given", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TorchImport.read(file, List.of(Activation.SOFTMAX, Activation.TANH, Activation.TANH)));
        assertContains("softmax is only supported on the output layer", e.getMessage());
    }
}
