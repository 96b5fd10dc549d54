package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class NetworkTest {
    /** A 2-3-2 network worked by hand: z = W x + b, rows of W contiguous. */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void theForwardPassIsADenseLayerPerRow(Activation hidden) {
        if (hidden == Activation.SOFTMAX) {
            return;
        }
        float[][] w = {{0.5f, -1f, 0.25f, 2f, -0.5f, 0f}, {1f, 0f, -1f, 0.5f, 0.5f, 0.5f}};
        float[][] b = {{0.1f, -0.2f, 0.3f}, {0f, 1f}};
        Network net = Network.of(new int[] {2, 3, 2}, new Activation[] {hidden, Activation.IDENTITY}, w, b);
        float[] x = {0.7f, -0.4f};
        double[] h = new double[3];
        for (int i = 0; i < 3; i++) {
            double z = w[0][i * 2] * 0.7 + w[0][i * 2 + 1] * -0.4 + b[0][i];
            h[i] = switch (hidden) {
                case TANH -> Math.tanh(z);
                case SIGMOID -> 1 / (1 + Math.exp(-z));
                case RELU -> Math.max(0, z);
                default -> z;
            };
        }
        float[] out = new float[4];
        net.predict(new float[] {9f, 0.7f, -0.4f}, 1, out, 2, net.newWorkspace(Kernels.get()));
        for (int i = 0; i < 2; i++) {
            double expected = w[1][i * 3] * h[0] + w[1][i * 3 + 1] * h[1] + w[1][i * 3 + 2] * h[2] + b[1][i];
            assertEquals(expected, out[2 + i], 1e-5, hidden + " output " + i);
        }
        assertEquals(out[2] >= out[3] ? 0 : 1, net.classify(x, 0, net.newWorkspace(Kernels.scalar())));
    }

    @Test
    void badArchitecturesAndArgumentsAreNamed() {
        Activation[] two = {Activation.TANH, Activation.SOFTMAX};
        assertMessage("activations", () -> Network.glorot(new int[] {3, 2}, two, 1));
        assertMessage("sizes[1]", () -> Network.glorot(new int[] {3, 0, 2}, two, 1));
        assertMessage("only supported on the output layer",
                () -> Network.glorot(new int[] {3, 2, 2}, new Activation[] {Activation.SOFTMAX, Activation.TANH}, 1));
        assertMessage("weights[0] has 5 values",
                () -> Network.of(new int[] {3, 2}, new Activation[] {Activation.TANH}, new float[][] {new float[5]},
                        new float[][] {new float[2]}));
        assertMessage("biases[0][1] is NaN",
                () -> Network.of(new int[] {3, 2}, new Activation[] {Activation.TANH}, new float[][] {new float[6]},
                        new float[][] {{0f, Float.NaN}}));
        Network net = Network.glorot(new int[] {3, 2}, new Activation[] {Activation.TANH}, 1);
        Network other = Network.glorot(new int[] {3, 4}, new Activation[] {Activation.TANH}, 1);
        assertMessage("workspace is for layers [3, 4]",
                () -> net.classify(new float[3], 0, other.newWorkspace(Kernels.get())));
        Network.Workspace ws = net.newWorkspace(Kernels.get());
        assertThrows(IndexOutOfBoundsException.class, () -> net.classify(new float[3], 1, ws));
        assertThrows(IndexOutOfBoundsException.class, () -> net.predict(new float[3], 0, new float[2], 1, ws));
        assertThrows(NullPointerException.class, () -> net.predict(null, 0, new float[2], 0, ws));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        Exception e = assertThrows(RuntimeException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void namesParse() {
        assertEquals(Activation.RELU, Activation.named("ReLU"));
        assertEquals(Loss.CROSS_ENTROPY, Loss.named("xent"));
        assertEquals(Optimizer.ADAM, Optimizer.named("adam"));
        assertMessage("expected tanh", () -> Activation.named("swish"));
        assertMessage("expected mse or xent", () -> Loss.named("hinge"));
        assertMessage("expected sgd", () -> Optimizer.named("lbfgs"));
    }
}
