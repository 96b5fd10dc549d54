package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer's fast paths against the plain per-sample loop of the derivation ({@code reference}):
 * per-sample descent with W_1's update fused into the next forward product must give bit-identical
 * weights.
 */
class FastPathTest {
    /** More than one checkpoint interval (4,096 samples) per epoch, so mid-epoch checkpoints flush too. */
    private static final Dataset TRAIN = Blobs.make(5000, 12, 4, 0.2f, 21);

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void fusedPerSampleDescentIsBitIdenticalToTheUnfusedOrder(String backend) {
        for (Loss loss : Loss.values()) {
            TrainingOptions options = TrainingOptions.defaults(loss, Optimizer.SGD, 1).withSeed(4);
            Network fused = Blobs.tanhSoftmax(5, 12, 20, 9, 4);
            Network plain = fused.copy();
            Trainer fast = new Trainer(fused, Kernels.named(backend), options);
            Trainer reference = new Trainer(plain, Kernels.named(backend), options, true);
            for (int e = 0; e < 2; e++) {
                fast.trainEpoch(TRAIN, null);
                reference.trainEpoch(TRAIN, null);
                // Evaluation reads the weights: it must see the same ones on both paths.
                assertEquals(reference.evaluate(TRAIN), fast.evaluate(TRAIN), loss + " epoch " + e);
            }
            assertSameParameters(plain, fused, backend + " " + loss);
            assertFalse(Arrays.equals(plain.weights(0), Blobs.tanhSoftmax(5, 12, 20, 9, 4).weights(0)),
                    "training moved the weights");
        }
    }

    /** A NaN sample mid-epoch: the recovery restores the checkpoint on both paths alike. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void fusedRecoveryFromAnIrregularPointIsBitIdentical(String backend) {
        float[] x = TRAIN.featuresArray().clone();
        x[4500 * 12 + 3] = Float.NaN;
        Dataset poisoned = new Dataset("poisoned", x, labels(TRAIN), 12, 4);
        TrainingOptions options = TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1).withSeed(2);
        Network fused = Blobs.tanhSoftmax(6, 12, 16, 4);
        Network plain = fused.copy();
        Trainer fast = new Trainer(fused, Kernels.named(backend), options);
        Trainer reference = new Trainer(plain, Kernels.named(backend), options, true);
        fast.trainEpoch(poisoned, null);
        reference.trainEpoch(poisoned, null);
        assertEquals(1, reference.recoveries());
        assertEquals(reference.recoveries(), fast.recoveries());
        assertSameParameters(plain, fused, backend);
    }

    static void assertSameParameters(Network expected, Network actual, String what) {
        for (int l = 0; l < expected.layers(); l++) {
            assertArrayEquals(expected.weights(l), actual.weights(l), what + ": layer " + l + " weights");
            assertArrayEquals(expected.biases(l), actual.biases(l), what + ": layer " + l + " biases");
        }
    }

    static int[] labels(Dataset d) {
        int[] l = new int[d.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = d.label(i);
        }
        return l;
    }
}
