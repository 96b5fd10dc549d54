package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerTest {
    private static final Dataset TRAIN = Blobs.make(600, 12, 4, 0.15f, 11);
    private static final Dataset TEST = Blobs.make(300, 12, 4, 0.15f, 11);

    static Stream<Arguments> setups() {
        List<Arguments> cases = new ArrayList<>();
        for (Loss loss : Loss.values()) {
            for (Optimizer opt : Optimizer.values()) {
                for (int batch : new int[] {1, 16}) {
                    cases.add(Arguments.of(loss, opt, batch));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} batch {2}")
    @MethodSource("setups")
    void defaultLearningRatesLearnASeparableProblem(Loss loss, Optimizer opt, int batch) {
        Network net = Blobs.tanhSoftmax(3, 12, 16, 4);
        Trainer trainer = new Trainer(net, Kernels.get(), TrainingOptions.defaults(loss, opt, batch));
        double before = trainer.evaluate(TEST).meanLoss();
        for (int e = 0; e < 15; e++) {
            trainer.trainEpoch(TRAIN, null);
        }
        Trainer.Evaluation after = trainer.evaluate(TEST);
        assertTrue(after.accuracy() >= 0.95, "accuracy " + after.accuracy());
        assertTrue(after.meanLoss() < before / 2, before + " -> " + after.meanLoss());
        assertEquals(0, trainer.recoveries());
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void theSameSeedGivesBitIdenticalWeights(String backend) {
        for (Optimizer opt : Optimizer.values()) {
            TrainingOptions options = TrainingOptions.defaults(Loss.SQUARED_ERROR, opt, 4).withSeed(5);
            Network a = trained(backend, 7, options);
            Network b = trained(backend, 7, options);
            Network otherShuffle = trained(backend, 7, options.withSeed(6));
            Network otherInit = trained(backend, 8, options);
            for (int l = 0; l < a.layers(); l++) {
                assertArrayEquals(a.weights(l), b.weights(l));
                assertArrayEquals(a.biases(l), b.biases(l));
            }
            assertFalse(Arrays.equals(a.weights(0), otherShuffle.weights(0)), "the shuffling seed matters");
            assertFalse(Arrays.equals(a.weights(0), otherInit.weights(0)), "the initialisation seed matters");
        }
    }

    private static Network trained(String backend, long initSeed, TrainingOptions options) {
        Network net = Blobs.tanhSoftmax(initSeed, 12, 10, 4);
        Trainer trainer = new Trainer(net, Kernels.named(backend), options);
        trainer.trainEpoch(TRAIN, null);
        trainer.trainEpoch(TRAIN, null);
        return net;
    }

    @Test
    void glorotInitialisationUsesTheTanhGain() {
        Network net = Blobs.tanhSoftmax(1, 300, 200, 10);
        float bound0 = (float) (5.0 / 3.0 * Math.sqrt(6.0 / 500));
        float[] w0 = net.weights(0);
        double max = 0;
        double sumSq = 0;
        for (float w : w0) {
            max = Math.max(max, Math.abs(w));
            sumSq += (double) w * w;
        }
        assertTrue(max <= bound0 && max > 0.99 * bound0, max + " vs " + bound0);
        double variance = sumSq / w0.length;
        assertEquals(bound0 * bound0 / 3, variance, 0.02 * variance, "uniform variance r^2/3");
        float bound1 = (float) Math.sqrt(6.0 / 210);
        for (float w : net.weights(1)) {
            assertTrue(Math.abs(w) <= bound1);
        }
        for (float b : net.biases(0)) {
            assertEquals(0f, b);
        }
    }

    @Test
    void theLossIsAveragedSoABatchOfCopiesStepsLikeOneSample() {
        float[] x = new float[12];
        TRAIN.copyFeatures(0, x, 0);
        float[] xx = new float[24];
        System.arraycopy(x, 0, xx, 0, 12);
        System.arraycopy(x, 0, xx, 12, 12);
        Dataset one = new Dataset("one", x, new int[] {TRAIN.label(0)}, 12, 4);
        Dataset two = new Dataset("two", xx, new int[] {TRAIN.label(0), TRAIN.label(0)}, 12, 4);
        Network a = Blobs.tanhSoftmax(2, 12, 6, 4);
        Network b = a.copy();
        new Trainer(a, Kernels.scalar(), TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1)
                .withLearningRate(0.5f)).trainEpoch(one, null);
        new Trainer(b, Kernels.scalar(), TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 2)
                .withLearningRate(0.5f)).trainEpoch(two, null);
        Network start = Blobs.tanhSoftmax(2, 12, 6, 4);
        assertFalse(Arrays.equals(start.weights(0), a.weights(0)), "a step was taken");
        for (int l = 0; l < a.layers(); l++) {
            float[] wa = a.weights(l);
            float[] wb = b.weights(l);
            for (int i = 0; i < wa.length; i++) {
                assertEquals(wa[i], wb[i], 1e-6f, "layer " + l + " weight " + i);
            }
        }
    }

    @Test
    void clippingBoundsTheStep() {
        Network net = Blobs.tanhSoftmax(2, 12, 6, 4);
        Network start = net.copy();
        float clip = 1e-3f;
        float lr = 0.5f;
        Dataset one = TRAIN.subset("one", new int[] {0});
        new Trainer(net, Kernels.get(), TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.SGD, 1)
                .withLearningRate(lr).withClipNorm(clip)).trainEpoch(one, null);
        double step2 = 0;
        for (int l = 0; l < net.layers(); l++) {
            step2 += distanceSquared(net.weights(l), start.weights(l)) + distanceSquared(net.biases(l), start.biases(l));
        }
        double step = Math.sqrt(step2);
        assertEquals(lr * clip, step, 1e-3 * lr * clip, "a clipped step has length lr * clip");
    }

    private static double distanceSquared(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "adam"})
    void aHugeLearningRateEndsInTheReportedErrorOrARecoveredRunNeverNaN(String optimizer) {
        Network net = Network.glorot(new int[] {12, 16, 4}, new Activation[] {Activation.RELU, Activation.SOFTMAX}, 4);
        Trainer trainer = new Trainer(net, Kernels.get(),
                TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.named(optimizer), 1).withLearningRate(1e3f));
        try {
            for (int e = 0; e < 5; e++) {
                trainer.trainEpoch(TRAIN, null);
            }
        } catch (TrainingDivergedException expected) {
            assertTrue(expected.getMessage().contains("epoch " + expected.epoch() + ", batch " + expected.batch()),
                    expected.getMessage());
        }
        assertTrue(net.isFinite(), "weights stay finite");
    }

    @Test
    void aNonFiniteLossRestoresTheLastGoodWeightsAndHalvesTheRate() {
        float[] x = TRAIN.featuresArray().clone();
        x[5 * 12 + 3] = Float.NaN;
        Dataset poisoned = new Dataset("poisoned", x, labels(TRAIN), 12, 4);
        Network net = Blobs.tanhSoftmax(2, 12, 8, 4);
        Trainer trainer = new Trainer(net, Kernels.get(),
                TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1).withLearningRate(0.1f));
        trainer.trainEpoch(poisoned, null);
        assertEquals(1, trainer.recoveries());
        assertEquals(0.05f, trainer.learningRate());
        assertTrue(net.isFinite());

        Network strict = Blobs.tanhSoftmax(2, 12, 8, 4);
        Trainer stops = new Trainer(strict, Kernels.get(),
                TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.MOMENTUM, 1).withMaxRecoveries(0).withSeed(3));
        stops.trainEpoch(TRAIN, null);
        Network checkpoint = strict.copy();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> stops.trainEpoch(poisoned, null));
        assertEquals(2, e.epoch());
        assertTrue(Double.isNaN(e.value()));
        assertTrue(e.getMessage().contains("loss = NaN"), e.getMessage());
        assertTrue(strict.isFinite());
        for (int l = 0; l < strict.layers(); l++) {
            assertArrayEquals(checkpoint.weights(l), strict.weights(l), "restored to the last checkpoint");
        }
    }

    private static int[] labels(Dataset d) {
        int[] l = new int[d.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = d.label(i);
        }
        return l;
    }

    @Test
    void aBatchGradientTooLargeForTheRateIsCaughtAndRolledBackWithOneNormForAnyThreadCount() {
        // Without clipping, a batch's update is applied row by row as its gradient is made, and the
        // norm is summed from the rows' squares afterwards: too large for the rate, it must still
        // be caught, the rows already updated restored, and the norm must not depend on the threads.
        double[] norms = new double[2];
        for (int threads = 1; threads <= 2; threads++) {
            Network net = Blobs.tanhSoftmax(2, 12, 70, 4);
            Network start = net.copy();
            Trainer trainer = new Trainer(net, Kernels.get(), TrainingOptions.defaults(Loss.CROSS_ENTROPY,
                    Optimizer.SGD, 8).withLearningRate(Float.MAX_VALUE).withMaxRecoveries(0).withThreads(threads));
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.trainEpoch(TRAIN, null));
            assertTrue(e.getMessage().contains("gradient norm"), e.getMessage());
            assertEquals(0, e.batch());
            assertTrue(e.value() > 0 && Double.isFinite(e.value()), "norm " + e.value());
            for (int l = 0; l < net.layers(); l++) {
                assertArrayEquals(start.weights(l), net.weights(l), "layer " + l + " restored");
                assertArrayEquals(start.biases(l), net.biases(l), "layer " + l + " biases restored");
            }
            norms[threads - 1] = e.value();
        }
        assertEquals(Double.doubleToLongBits(norms[0]), Double.doubleToLongBits(norms[1]), "the same norm on 1 and 2 threads");
    }

    @Test
    void aLossJumpIsAnIrregularPoint() {
        Network net = Blobs.tanhSoftmax(2, 12, 8, 4);
        Trainer trainer = new Trainer(net, Kernels.get(),
                TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.SGD, 1).withLearningRate(0.05f));
        trainer.trainEpoch(TRAIN, null);
        trainer.trainEpoch(TRAIN, null);
        assertEquals(0, trainer.recoveries());
        // The same features with the labels rotated: the trained network is now confidently wrong.
        int[] wrong = labels(TRAIN);
        for (int i = 0; i < wrong.length; i++) {
            wrong[i] = (wrong[i] + 1) % 4;
        }
        Dataset flipped = new Dataset("flipped", TRAIN.featuresArray(), wrong, 12, 4);
        try {
            trainer.trainEpoch(flipped, null);
        } catch (TrainingDivergedException e) {
            assertTrue(e.getMessage().contains("smoothed loss"), e.getMessage());
        }
        assertTrue(trainer.recoveries() >= 1, "recoveries " + trainer.recoveries());
    }

    @Test
    void dataThatDoesNotFitIsRejected() {
        Trainer trainer = new Trainer(Blobs.tanhSoftmax(1, 12, 4, 4), Kernels.get(),
                TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.trainEpoch(Blobs.make(10, 11, 4, 0.1f, 1), null));
        assertTrue(e.getMessage().contains("11 features"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(Blobs.make(10, 12, 5, 0.1f, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Trainer(
                Network.glorot(new int[] {3, 2}, new Activation[] {Activation.SIGMOID}, 1), Kernels.get(),
                TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.SGD, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1).withLearningRate(Float.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 0));
    }

    /**
     * Eight threads with their own workspaces must reproduce the single-threaded outputs. The scalar
     * backend is exact; the vector backend's exp currently rounds differently before and after JIT
     * compilation (a last-bit difference), so it is compared within 1e-6: a shared-buffer race would
     * give differences of the order of the outputs.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void inferenceIsSafeFromManyThreads(String backend) throws Exception {
        Kernels kernels = Kernels.named(backend);
        Network net = Blobs.tanhSoftmax(3, 12, 16, 4);
        Trainer trainer = new Trainer(net, kernels, TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.ADAM, 8));
        for (int e = 0; e < 3; e++) {
            trainer.trainEpoch(TRAIN, null);
        }
        float[] x = TEST.featuresArray();
        float[] expected = new float[TEST.size() * 4];
        Network.Workspace ws = net.newWorkspace(kernels);
        for (int i = 0; i < TEST.size(); i++) {
            net.predict(x, i * 12, expected, i * 4, ws);
        }
        float tolerance = backend.equals("scalar") ? 0f : 1e-6f;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                results.add(pool.submit(() -> {
                    Network.Workspace mine = net.newWorkspace(kernels);
                    float[] out = new float[TEST.size() * 4];
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < TEST.size(); i++) {
                            net.predict(x, i * 12, out, i * 4, mine);
                        }
                    }
                    return out;
                }));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected, f.get(), tolerance);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void aWarmUpStopsWhenAskedAndLeavesAConcurrentTrainingsBitsAlone(int batch) throws Exception {
        TrainingOptions options = TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, batch).withSeed(3);
        Activation[] acts = {Activation.TANH, Activation.SOFTMAX};
        assertEquals(0, Trainer.warmUp(new int[] {12, 10, 4}, acts, Kernels.get(), options, () -> true),
                "asked to stop before it starts: no epoch");
        Network alone = trained("vector", 9, options);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Long> warm = pool.submit(() -> Trainer.warmUp(new int[] {12, 10, 4}, acts, Kernels.get(), options,
                    () -> asked.incrementAndGet() > 1_000_000 || stop.get()));
            Network beside = trained("vector", 9, options);
            stop.set(true);
            long samples = warm.get();
            assertTrue(asked.get() < 1_000_000, "stopped because it was asked to, after " + asked.get() + " batches");
            assertTrue(samples >= 0 && samples % Math.max(256, 4 * batch) == 0, "whole made-up epochs: " + samples);
            for (int l = 0; l < alone.layers(); l++) {
                assertArrayEquals(alone.weights[l], beside.weights[l], "layer " + l);
                assertArrayEquals(alone.biases[l], beside.biases[l], "layer " + l);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThrows(IllegalArgumentException.class, () -> Trainer.warmUp(new int[] {12, 10, 4},
                new Activation[] {Activation.TANH, Activation.TANH}, Kernels.get(),
                TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.SGD, batch), () -> false),
                "cross-entropy needs softmax: refused before any work");
    }
}
