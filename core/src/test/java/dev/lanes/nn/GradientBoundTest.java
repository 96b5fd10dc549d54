package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bounds on a batch's gradient norm that let plain SGD take its step inside the products
 * (see {@code Trainer.batchStep}): each must be at least the norm measured from the gradients, for
 * every activation and loss, or a batch whose gradient overflows would step instead of being
 * reported. On a batch built so that Cauchy-Schwarz holds with equality, the quick bound must also
 * be the norm itself, which it is only if it uses the data set's feature bound as it should.
 */
class GradientBoundTest {
    private static final int ROWS = 24;

    @ParameterizedTest
    @EnumSource(names = {"TANH", "SIGMOID", "RELU", "IDENTITY"})
    void bothBoundsAreAtLeastTheMeasuredNorm(Activation hidden) {
        for (Loss loss : Loss.values()) {
            for (float scale : new float[] {1f, 40f}) {
                Activation[] acts = {hidden, hidden, Activation.SOFTMAX};
                Network net = Network.glorot(new int[] {37, 29, 18, 5}, acts, 3);
                Dataset data = randomData(200, 37, 5, scale, 9);
                String what = hidden + " " + loss + " features within " + scale;
                try (Crew crew = new Crew(1)) {
                    BatchBackprop bp = new BatchBackprop(net, Kernels.vector(), loss, ROWS, crew, false);
                    int[] order = Dataset.permutation(data.size(), new java.util.Random(4));
                    for (int from = 0; from + ROWS <= data.size(); from += ROWS) {
                        bp.forwardBackward(data, order, from, ROWS, false);
                        double measured = measuredNorm(bp, net);
                        double quick = bp.quickGradientNormBound();
                        double full = bp.gradientNormBound();
                        assertTrue(measured > 0, what);
                        // The gradient itself is summed in float: a little rounding either way.
                        assertTrue(quick >= measured * (1 - 1e-5), what + ": quick " + quick + " < " + measured);
                        assertTrue(full >= measured * (1 - 1e-5), what + ": full " + full + " < " + measured);
                        assertTrue(Double.isFinite(quick), what);
                    }
                }
            }
        }
    }

    /**
     * The per-sample bound against the exact norm of a rank-1 gradient, for every activation and
     * loss; on a sample whose features are all +-B it is that norm; and it gives up (infinity) where
     * the exact norm's float dot products could overflow, even if their product would not.
     */
    @ParameterizedTest
    @EnumSource(names = {"TANH", "SIGMOID", "RELU", "IDENTITY"})
    void thePerSampleBoundIsAtLeastTheExactNorm(Activation hidden) {
        for (Loss loss : Loss.values()) {
            for (float scale : new float[] {1f, 40f}) {
                Network net = Network.glorot(new int[] {37, 29, 18, 5}, new Activation[] {hidden, hidden, Activation.SOFTMAX}, 3);
                Dataset data = randomData(50, 37, 5, scale, 9);
                Backprop bp = new Backprop(net, Kernels.vector(), loss);
                for (int i = 0; i < data.size(); i++) {
                    bp.run(data.featuresArray(), i * 37, data.label(i));
                    double exact = Math.sqrt(bp.gradientNormSquared());
                    double quick = bp.quickGradientNormBound(data.featureBound());
                    String what = hidden + " " + loss + " within " + scale + ", sample " + i;
                    assertTrue(quick >= exact * (1 - 1e-5), what + ": " + quick + " < " + exact);
                    assertTrue(Double.isFinite(quick), what);
                }
            }
        }
        Dataset one = repeated(50, 3.5f);
        Network single = Network.glorot(new int[] {50, 6}, new Activation[] {Activation.SOFTMAX}, 8);
        Backprop bp = new Backprop(single, Kernels.vector(), Loss.SQUARED_ERROR);
        bp.run(one.featuresArray(), 0, one.label(0));
        assertEquals(1, bp.quickGradientNormBound(one.featureBound()) / Math.sqrt(bp.gradientNormSquared()), 1e-5);
        // |x|^2 = 50 * 3e18^2 = 4.5e38 is past the float range; the bound must not promise a finite measure.
        assertEquals(Double.POSITIVE_INFINITY, bp.quickGradientNormBound(3e18f));
    }

    /**
     * One layer, a batch of one sample repeated, every feature +-B: then {@code |Delta^T X| = |Delta|
     * |X|} and {@code |X|^2 = rows in B^2}, so the quick bound is the measured norm up to rounding. A
     * bound that took B instead of B^2, missed the bias term or a row, would be off by far more.
     */
    @org.junit.jupiter.api.Test
    void quickBoundIsTightWhereCauchySchwarzIs() {
        int in = 50;
        float bound = 3.5f;
        Dataset data = repeated(in, bound);
        assertEquals(bound, data.featureBound());
        Network net = Network.glorot(new int[] {in, 6}, new Activation[] {Activation.SOFTMAX}, 8);
        try (Crew crew = new Crew(1)) {
            BatchBackprop bp = new BatchBackprop(net, Kernels.vector(), Loss.SQUARED_ERROR, ROWS, crew, false);
            bp.forwardBackward(data, identity(ROWS), 0, ROWS, false);
            double measured = measuredNorm(bp, net);
            double quick = bp.quickGradientNormBound();
            assertEquals(1, quick / measured, 1e-5, "quick " + quick + ", measured " + measured);
        }
    }

    /**
     * The same repeated batch, with features large enough to saturate a tanh layer in front: its
     * outputs are then +-1 to within rounding, the layer behind it holds nearly all of the gradient,
     * and the quick bound, which takes each output as 2 at most, is twice the norm.
     */
    @org.junit.jupiter.api.Test
    void aSaturatedTanhLayerIsBoundedByTwiceItsOutputs() {
        int in = 50;
        Dataset data = repeated(in, 60f);
        Network net = Blobs.tanhSoftmax(8, in, 30, 6);
        try (Crew crew = new Crew(1)) {
            BatchBackprop bp = new BatchBackprop(net, Kernels.vector(), Loss.SQUARED_ERROR, ROWS, crew, false);
            bp.forwardBackward(data, identity(ROWS), 0, ROWS, false);
            double measured = measuredNorm(bp, net);
            double quick = bp.quickGradientNormBound();
            assertTrue(quick >= measured * (1 - 1e-5) && quick <= 2.001 * measured,
                    "quick " + quick + ", measured " + measured);
        }
    }

    /** A NaN feature anywhere leaves the quick bound nothing to go on; the full one still reads the batch. */
    @org.junit.jupiter.api.Test
    void aNanFeatureElsewhereLeavesOnlyTheFullBound() {
        Dataset clean = randomData(100, 12, 4, 1f, 5);
        float[] x = clean.featuresArray().clone();
        x[99 * 12 + 7] = Float.NaN;
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            labels[i] = clean.label(i);
        }
        Dataset poisoned = new Dataset("poisoned", x, labels, 12, 4);
        assertTrue(Float.isNaN(poisoned.featureBound()));
        Network net = Blobs.tanhSoftmax(1, 12, 9, 4);
        try (Crew crew = new Crew(1)) {
            BatchBackprop bp = new BatchBackprop(net, Kernels.vector(), Loss.SQUARED_ERROR, ROWS, crew, false);
            bp.forwardBackward(poisoned, identity(ROWS), 0, ROWS, false);
            assertFalse(Double.isFinite(bp.quickGradientNormBound()));
            double full = bp.gradientNormBound();
            assertTrue(Double.isFinite(full) && full >= measuredNorm(bp, net) * (1 - 1e-5), "full " + full);
        }
    }

    /** ROWS copies of one sample of 6 classes whose features are each +-bound. */
    private static Dataset repeated(int in, float bound) {
        float[] x = new float[ROWS * in];
        SplittableRandom random = new SplittableRandom(2);
        for (int j = 0; j < in; j++) {
            x[j] = random.nextBoolean() ? bound : -bound;
        }
        for (int r = 1; r < ROWS; r++) {
            System.arraycopy(x, 0, x, r * in, in);
        }
        int[] labels = new int[ROWS];
        Arrays.fill(labels, 2);
        return new Dataset("repeated", x, labels, in, 6);
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Features uniform in [-scale, scale]. */
    private static Dataset randomData(int samples, int features, int classes, float scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[samples * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (scale * (2 * random.nextDouble() - 1));
        }
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = random.nextInt(classes);
        }
        return new Dataset("uniform", x, labels, features, classes);
    }

    /** The batch's summed gradient's norm, from the gradients themselves, in double. */
    private static double measuredNorm(BatchBackprop bp, Network net) {
        float[][] gradW = new float[net.layers()][];
        float[][] gradB = new float[net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            gradW[l] = new float[net.width(l) * net.width(l + 1)];
            gradB[l] = new float[net.width(l + 1)];
        }
        bp.gradients(gradW, gradB, null);
        double sum = 0;
        for (float[][] arrays : new float[][][] {gradW, gradB}) {
            for (float[] a : arrays) {
                for (float v : a) {
                    sum += (double) v * v;
                }
            }
        }
        return Math.sqrt(sum);
    }
}
