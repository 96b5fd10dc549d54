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
