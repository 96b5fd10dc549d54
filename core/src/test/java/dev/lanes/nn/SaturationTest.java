package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SaturationTest {
    private static final Dataset DATA = Blobs.make(200, 12, 4, 0.2f, 3);

    /** The same network with every weight multiplied by {@code factor}. */
    private static Network scaled(Network net, float factor, float bias) {
        float[][] w = new float[net.layers()][];
        float[][] b = new float[net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            w[l] = net.weights(l);
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] *= factor;
            }
            b[l] = net.biases(l);
            java.util.Arrays.fill(b[l], bias);
        }
        return Network.of(net.sizes(), net.activations(), w, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void anInitialNetworkIsNotSaturatedAndHugeWeightsSaturateIt(String backend) {
        Kernels k = Kernels.named(backend);
        for (Activation hidden : new Activation[] {Activation.TANH, Activation.SIGMOID}) {
            Network net = Network.glorot(new int[] {12, 16, 8, 4},
                    new Activation[] {hidden, hidden, Activation.SOFTMAX}, 5);
            assertTrue(Saturation.hiddenUnitShare(net, k, DATA) < 0.1, hidden + " at its initial weights");
            assertEquals(1.0, Saturation.hiddenUnitShare(scaled(net, 1e4f, 0f), k, DATA), hidden + " at huge weights");
        }
        Network relu = Network.glorot(new int[] {12, 16, 4}, new Activation[] {Activation.RELU, Activation.SOFTMAX}, 5);
        assertTrue(Saturation.hiddenUnitShare(relu, k, DATA) < 0.5);
        assertEquals(1.0, Saturation.hiddenUnitShare(scaled(relu, 1f, -100f), k, DATA), "ReLUs that are 0 everywhere");
        Network identity = Network.glorot(new int[] {12, 16, 4},
                new Activation[] {Activation.IDENTITY, Activation.SOFTMAX}, 5);
        assertEquals(0.0, Saturation.hiddenUnitShare(scaled(identity, 1e4f, 0f), k, DATA), "identity never saturates");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void countsUnitsNotSamples(String backend) {
        Network net = Network.glorot(new int[] {12, 10, 4}, new Activation[] {Activation.TANH, Activation.SOFTMAX}, 5);
        float[][] w = {net.weights(0), net.weights(1)};
        float[][] b = {net.biases(0), net.biases(1)};
        // Units 0..3 pinned at tanh(50) = 1 by their biases, with no weights; the others as they were.
        for (int u = 0; u < 4; u++) {
            java.util.Arrays.fill(w[0], u * 12, u * 12 + 12, 0f);
            b[0][u] = 50f;
        }
        Network pinned = Network.of(net.sizes(), net.activations(), w, b);
        assertEquals(0.4, Saturation.hiddenUnitShare(pinned, Kernels.named(backend), DATA), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar"})
    void noHiddenLayersOrNoDataIsZeroAndMisfittingDataIsAnError(String backend) {
        Kernels k = Kernels.named(backend);
        Network single = Network.glorot(new int[] {12, 4}, new Activation[] {Activation.SOFTMAX}, 1);
        assertEquals(0.0, Saturation.hiddenUnitShare(single, k, DATA));
        Network net = Blobs.tanhSoftmax(1, 12, 6, 4);
        assertEquals(0.0, Saturation.hiddenUnitShare(net, k, DATA.subset("none", new int[0])));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Saturation.hiddenUnitShare(Blobs.tanhSoftmax(1, 5, 6, 4), k, DATA));
        assertTrue(e.getMessage().contains("12 features, the network takes 5"), e.getMessage());
    }
}
