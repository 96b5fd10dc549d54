package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.io.CorruptFileException;
import dev.lanes.io.SafeTensors;
import dev.lanes.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Depends on {@link SafeTensors} (written in parallel): these tests run once it is implemented. */
class ModelFileTest {
    @TempDir
    Path dir;

    @Test
    void aSavedNetworkLoadsWithIdenticalPredictions() throws Exception {
        Dataset data = Blobs.make(200, 9, 3, 0.2f, 4);
        Network net = Network.glorot(new int[] {9, 7, 5, 3},
                new Activation[] {Activation.TANH, Activation.RELU, Activation.SOFTMAX}, 2);
        Trainer trainer = new Trainer(net, Kernels.get(), TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.SGD, 4));
        trainer.trainEpoch(data, null);
        Path file = dir.resolve("model.safetensors");
        ModelFile.save(file, net, Map.of("input_max", "16"));
        ModelFile.Model model = ModelFile.load(file);
        Network loaded = model.network();
        assertEquals(Map.of("input_max", "16"), model.info());
        assertEquals(java.util.Optional.of(16f), model.inputMax());
        assertTrue(model.verified());
        assertArrayEquals(net.sizes(), loaded.sizes());
        assertArrayEquals(net.activations(), loaded.activations());
        Network.Workspace a = net.newWorkspace(Kernels.get());
        Network.Workspace b = loaded.newWorkspace(Kernels.get());
        float[] pa = new float[3];
        float[] pb = new float[3];
        for (int i = 0; i < data.size(); i++) {
            net.predict(data.featuresArray(), i * 9, pa, 0, a);
            loaded.predict(data.featuresArray(), i * 9, pb, 0, b);
            assertArrayEquals(pa, pb);
        }
        SafeTensors.Contents raw = SafeTensors.read(file);
        assertArrayEquals(new int[] {7, 9}, raw.tensors().get("layers.0.weight").shape());
        assertArrayEquals(net.weights(0), raw.tensors().get("layers.0.weight").data());
        assertEquals("9,7,5,3", raw.metadata().get("layers"));
        assertEquals("tanh,relu,softmax", raw.metadata().get("activations"));
    }

    @Test
    void nonFiniteWeightsAreNeverSaved() {
        Network net = Blobs.tanhSoftmax(1, 4, 3, 2);
        net.weights[1][2] = Float.NaN;
        Path file = dir.resolve("nan.safetensors");
        assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, net, Map.of()));
        assertTrue(Files.notExists(file));
    }

    @Test
    void tensorsThatContradictTheArchitectureAreRejected() throws Exception {
        Network net = Blobs.tanhSoftmax(1, 4, 3, 2);
        assertCorrupt(net, "layers", "4,5,2", "shape");
        assertCorrupt(net, "layers", "4,3", "tensors");
        assertCorrupt(net, "layers", "4,x,2", "width 1");
        assertCorrupt(net, "activations", "tanh", "activations");
        assertCorrupt(net, "activations", "tanh,swish", "swish");
        assertCorrupt(net, "activations", "softmax,softmax", "softmax");
        assertCorrupt(net, "format", "other", "not a lanes model");
        assertCorrupt(net, "format_version", "2", "format_version");

        Map<String, SafeTensors.Tensor> tensors = tensorsOf(net);
        tensors.put("layers.1.bias", new SafeTensors.Tensor(new int[] {2}, new float[] {0f, Float.POSITIVE_INFINITY}));
        Path file = dir.resolve("inf.safetensors");
        SafeTensors.write(file, tensors, metadataOf(net));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("biases[1][1]"), e.getMessage());
    }

    @Test
    void theChecksumCoversHeaderAndTensors() throws Exception {
        Network net = Blobs.tanhSoftmax(3, 6, 5, 3);
        Path file = dir.resolve("sum.safetensors");
        String sum = ModelFile.save(file, net, Map.of("input_max", "255", "loss", "xent"));
        assertEquals(64, sum.length());
        assertEquals(sum, SafeTensors.read(file).metadata().get("content_sha256"));
        ModelFile.Model m = ModelFile.load(file);
        assertTrue(m.verified());
        assertEquals(java.util.Optional.of(sum), m.checksum());
        assertEquals(Map.of("input_max", "255", "loss", "xent"), m.info(), "the checksum is not caller information");
        byte[] good = Files.readAllBytes(file);

        // One exponent bit of one weight (bit 29): the weight is scaled by 2^64 or 2^-64, still finite, so
        // nothing but the checksum can tell.
        byte[] flipped = good.clone();
        int dataStart = 8 + (int) java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        int weight = dataStart + 4 * 7 + 3;
        flipped[weight] ^= 0x20;
        assertChecksumMismatch(file, flipped);

        // The header's input_max edited in place: same length, still valid JSON, different predictions.
        String header = new String(good, 8, dataStart - 8, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"input_max\":\"255\""), header);
        byte[] edited = header.replace("\"input_max\":\"255\"", "\"input_max\":\"655\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] editedFile = good.clone();
        System.arraycopy(edited, 0, editedFile, 8, edited.length);
        assertChecksumMismatch(file, editedFile);

        // A changed activation, or a checksum that is not one.
        byte[] act = good.clone();
        byte[] relu = header.replace("tanh,softmax", "relu,softmax").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(edited.length, relu.length, "relu is as long as tanh");
        System.arraycopy(relu, 0, act, 8, relu.length);
        assertChecksumMismatch(file, act);
        byte[] notHex = good.clone();
        byte[] upper = header.replace(sum, sum.toUpperCase(java.util.Locale.ROOT)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(upper, 0, notHex, 8, upper.length);
        Files.write(file, notHex);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("not 64 lowercase hex digits"), e.getMessage());

        // Whitespace is not content: the same header spaced differently still verifies.
        byte[] respaced = ("\n" + header.replace("\"loss\":\"xent\"", "\"loss\" : \"xent\"") + "  ")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer spaced = java.nio.ByteBuffer.allocate(8 + respaced.length + good.length - dataStart)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        spaced.putLong(respaced.length).put(respaced).put(good, dataStart, good.length - dataStart);
        Files.write(file, spaced.array());
        assertTrue(ModelFile.load(file).verified());
    }

    private static void assertChecksumMismatch(Path file, byte[] content) throws Exception {
        Files.write(file, content);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().startsWith(file + ": checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("delete content_sha256 to load it unverified"), e.getMessage());
    }

    @Test
    void filesWithoutAChecksumLoadUnverified() throws Exception {
        Network net = Blobs.tanhSoftmax(1, 4, 3, 2);
        Path file = dir.resolve("old.safetensors");
        SafeTensors.write(file, tensorsOf(net), metadataOf(net));
        ModelFile.Model m = ModelFile.load(file);
        assertTrue(!m.verified());
        assertTrue(m.checksum().isEmpty() && m.inputMax().isEmpty() && m.trainingData().isEmpty());
        assertArrayEquals(net.weights(0), m.network().weights(0));
    }

    @Test
    void inputMaxAndTrainingDataAreCheckedBothWays() throws Exception {
        Network net = Blobs.tanhSoftmax(1, 4, 3, 2);
        Path file = dir.resolve("meta.safetensors");
        for (String bad : new String[] {"0", "-1", "NaN", "Infinity", "x", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelFile.save(file, net, Map.of("input_max", bad)));
            assertTrue(e.getMessage().contains("input_max '" + bad + "' is not a positive number"), e.getMessage());
            assertCorrupt(net, "input_max", bad, "input_max '" + bad + "' is not a positive number");
        }
        assertTrue(Files.notExists(file));
        assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, net, Map.of("content_sha256", "0")));

        for (ModelFile.TrainingData data : new ModelFile.TrainingData[] {
            ModelFile.TrainingData.digits(0.2, 7),
            ModelFile.TrainingData.csv(Path.of("rel", "..", "d.csv"), -1, 0.25, 3),
            ModelFile.TrainingData.idx(dir)}) {
            ModelFile.save(file, net, data.toInfo());
            assertEquals(java.util.Optional.of(data), ModelFile.load(file).trainingData());
        }
        ModelFile.TrainingData csv = ModelFile.TrainingData.csv(Path.of("d.csv"), 2, 0.2, 1);
        assertEquals(Path.of("d.csv").toAbsolutePath().toString(), csv.path());
        assertTrue(csv.describe().contains("label column 2, 20% held out, split seed 1"), csv.describe());
        assertCorrupt(net, "data_source", "s3", "data_source 's3' is not digits, csv or idx");
        Map<String, String> noPath = new LinkedHashMap<>(metadataOf(net));
        noPath.put("data_source", "idx");
        Path f = dir.resolve("nopath.safetensors");
        SafeTensors.write(f, tensorsOf(net), noPath);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().contains("'data_path'"), e.getMessage());
        Map<String, String> badSeed = new LinkedHashMap<>(metadataOf(net));
        badSeed.putAll(Map.of("data_source", "digits", "split_seed", "one"));
        SafeTensors.write(f, tensorsOf(net), badSeed);
        e = assertThrows(CorruptFileException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().contains("split_seed 'one' is not an integer"), e.getMessage());
    }

    private void assertCorrupt(Network net, String key, String value, String expected) throws Exception {
        Map<String, String> meta = metadataOf(net);
        meta.put(key, value);
        Path file = dir.resolve(key + ".safetensors");
        SafeTensors.write(file, tensorsOf(net), meta);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static Map<String, String> metadataOf(Network net) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "lanes-mlp");
        meta.put("format_version", "1");
        meta.put("layers", "4,3,2");
        meta.put("activations", "tanh,softmax");
        return meta;
    }

    private static Map<String, SafeTensors.Tensor> tensorsOf(Network net) {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        for (int l = 0; l < net.layers(); l++) {
            t.put("layers." + l + ".weight", new SafeTensors.Tensor(new int[] {net.width(l + 1), net.width(l)},
                    net.weights(l)));
            t.put("layers." + l + ".bias", new SafeTensors.Tensor(new int[] {net.width(l + 1)}, net.biases(l)));
        }
        return t;
    }
}
