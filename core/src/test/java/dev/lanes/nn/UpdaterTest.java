package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each optimizer's rule with its own state, on a network of one 2 x 2 layer. */
class UpdaterTest {
    private static Network zeros() {
        return Network.of(new int[] {2, 2}, new Activation[] {Activation.IDENTITY}, new float[][] {new float[4]},
                new float[][] {new float[2]});
    }

    private static float[][] grad(float... values) {
        return new float[][] {values};
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void eachRuleTakesItsStepAndForgetsItsStateOnReset(String backend) {
        Kernels k = Kernels.named(backend);
        float[][] gw = grad(2f, -4f, 0f, 1f);
        float[][] gb = grad(1f, -1f);

        Network sgd = zeros();
        Updater u = Optimizer.SGD.newUpdater(sgd, k, gw, gb);
        u.begin(0.1f, 0.5f);
        u.updateRows(0, 0, 2);
        assertArrayEquals(new float[] {-0.1f, 0.2f, 0f, -0.05f}, sgd.weights(0));
        assertArrayEquals(new float[] {-0.05f, 0.05f}, sgd.biases(0));

        // Momentum: v = g, then v = 0.9 g + g = 1.9 g; the weights move by k v each step.
        Network momentum = zeros();
        u = Optimizer.MOMENTUM.newUpdater(momentum, k, gw, gb);
        for (int step = 0; step < 2; step++) {
            u.begin(0.1f, 1f);
            u.updateRows(0, 0, 2);
        }
        assertEquals(-0.1f * 2f - 0.1f * (0.9f * 2f + 2f), momentum.weights(0)[0], 1e-6f);
        u.reset();
        Network afterReset = momentum.copy();
        u.begin(0.1f, 1f);
        u.updateRows(0, 0, 2);
        assertEquals(afterReset.weights(0)[0] - 0.1f * 2f, momentum.weights(0)[0], 1e-6f, "velocity forgotten");

        // Adam's first step moves each parameter by about k sign(g), whatever |g|, and so does the first after a reset.
        Network adam = zeros();
        u = Optimizer.ADAM.newUpdater(adam, k, gw, gb);
        for (int round = 0; round < 2; round++) {
            Network before = adam.copy();
            u.begin(0.01f, 1f);
            u.updateRows(0, 0, 2);
            float[] w = adam.weights(0);
            float[] w0 = before.weights(0);
            assertEquals(-0.01f, w[0] - w0[0], 1e-6f);
            assertEquals(0.01f, w[1] - w0[1], 1e-6f);
            assertEquals(0f, w[2] - w0[2], 1e-6f);
            assertEquals(-0.01f, w[3] - w0[3], 1e-6f);
            u.begin(0.01f, 1f);
            u.updateRows(0, 0, 2);
            u.reset();
        }
    }

    /** Every parameter's step depends on its own values only: any cut into row ranges gives the same bits. */
    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void anyCutIntoRowsGivesTheSameBits(Optimizer optimizer) {
        Kernels k = Kernels.named("vector");
        Network whole = Blobs.tanhSoftmax(3, 40, 37, 5);
        Network cut = whole.copy();
        float[][] gw = {whole.weights(0), whole.weights(1)};
        float[][] gb = {whole.biases(0), whole.biases(1)};
        for (float[] g : gb) {
            java.util.Arrays.fill(g, 0.25f);
        }
        Updater a = optimizer.newUpdater(whole, k, gw, gb);
        Updater b = optimizer.newUpdater(cut, k, gw, gb);
        for (int step = 0; step < 3; step++) {
            a.begin(0.01f, 0.3f);
            b.begin(0.01f, 0.3f);
            for (int l = 0; l < 2; l++) {
                int rows = whole.width(l + 1);
                a.updateRows(l, 0, rows);
                b.updateRows(l, 0, rows / 3);
                b.updateRows(l, rows / 3, rows - 1);
                b.updateRows(l, rows - 1, rows);
            }
        }
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(whole.weights(l), cut.weights(l));
            assertArrayEquals(whole.biases(l), cut.biases(l));
        }
    }
}
