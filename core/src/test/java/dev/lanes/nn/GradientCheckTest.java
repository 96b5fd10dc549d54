package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class GradientCheckTest {
    private static final int[] WIDTHS = {7, 6, 5, 4, 3};

    static Stream<Arguments> networks() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : new String[] {"scalar", "vector"}) {
            for (int layers = 1; layers <= 4; layers++) {
                for (Activation hidden : new Activation[] {Activation.TANH, Activation.SIGMOID, Activation.RELU,
                        Activation.IDENTITY}) {
                    cases.add(Arguments.of(backend, layers, hidden, Activation.SOFTMAX, Loss.SQUARED_ERROR));
                    cases.add(Arguments.of(backend, layers, hidden, Activation.SOFTMAX, Loss.CROSS_ENTROPY));
                    cases.add(Arguments.of(backend, layers, hidden, hidden, Loss.SQUARED_ERROR));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} layers, {2} then {3}, {4}")
    @MethodSource("networks")
    void analyticGradientsMatchCentralDifferences(String backend, int layers, Activation hidden, Activation output,
                                                  Loss loss) {
        int[] sizes = Arrays.copyOfRange(WIDTHS, WIDTHS.length - layers - 1, WIDTHS.length);
        Activation[] acts = new Activation[layers];
        Arrays.fill(acts, hidden);
        acts[layers - 1] = output;
        Network net = Network.glorot(sizes, acts, 42 + layers);
        randomiseBiases(net, new Random(7));
        int samples = 3;
        Random random = new Random(layers * 31L + hidden.ordinal());
        float[] x = new float[samples * sizes[0]];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = random.nextInt(net.outputs());
        }
        List<GradientCheck.TensorError> errors =
                GradientCheck.check(net, Kernels.named(backend), loss, x, labels, 1000, 1);
        assertEquals(2 * layers, errors.size());
        for (GradientCheck.TensorError e : errors) {
            assertEquals(e.size(), e.checked(), "small tensors are checked in full");
            assertTrue(e.maxRelativeError() <= 1e-3, e.toString());
        }
    }

    /** Non-zero biases, so that a bias gradient error cannot hide behind zero-centred units. */
    private static void randomiseBiases(Network net, Random random) {
        for (float[] b : net.biases) {
            for (int i = 0; i < b.length; i++) {
                b[i] = 0.2f * (random.nextFloat() * 2 - 1);
            }
        }
    }

    @Test
    void largeTensorsAreSampled() {
        Network net = Network.glorot(new int[] {300, 40, 10},
                new Activation[] {Activation.TANH, Activation.SOFTMAX}, 3);
        float[] x = new float[2 * 300];
        Random random = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        List<GradientCheck.TensorError> errors =
                GradientCheck.check(net, Kernels.get(), Loss.SQUARED_ERROR, x, new int[] {3, 8}, 50, 9);
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"),
                errors.stream().map(GradientCheck.TensorError::tensor).toList());
        assertEquals(50, errors.get(0).checked());
        assertEquals(12000, errors.get(0).size());
        assertEquals(40, errors.get(1).checked());
        for (GradientCheck.TensorError e : errors) {
            assertTrue(e.maxRelativeError() <= 1e-3, e.toString());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        Network net = Network.glorot(new int[] {4, 3}, new Activation[] {Activation.SOFTMAX}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(net, Kernels.scalar(), Loss.SQUARED_ERROR, new float[7], new int[] {0, 1},
                        10, 1));
        assertTrue(e.getMessage().contains("x has 7 floats"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> GradientCheck.check(net, Kernels.scalar(), Loss.SQUARED_ERROR, new float[4], new int[] {3},
                        10, 1));
        Network tanhOut = Network.glorot(new int[] {4, 3}, new Activation[] {Activation.TANH}, 1);
        assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(tanhOut, Kernels.scalar(), Loss.CROSS_ENTROPY, new float[4], new int[] {0},
                        10, 1));
    }
}
