package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer's fast paths against the plain per-sample loop of the derivation ({@code reference}):
 * per-sample descent with W_1's update fused into the next forward product must give bit-identical
 * weights; mini-batches through gemm must agree up to float rounding.
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
            Network start = fused.copy();
            Trainer fast = new Trainer(fused, Kernels.named(backend), options);
            Trainer reference = new Trainer(plain, Kernels.named(backend), options, true);
            for (int e = 0; e < 2; e++) {
                fast.trainEpoch(TRAIN, null);
                reference.trainEpoch(TRAIN, null);
                // Evaluation reads the weights: it must see the same ones on both paths.
                assertEquals(reference.evaluate(TRAIN), fast.evaluate(TRAIN), loss + " epoch " + e);
            }
            assertSameParameters(plain, fused, backend + " " + loss);
            assertFalse(Arrays.equals(plain.weights(0), start.weights(0)), "training moved the weights");
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

    /**
     * Batches of 7 (the epoch ends with a short batch of 2) through the batched products, against the
     * sum of per-sample gradients, for every loss, optimizer and hidden activation. 60 steps keep
     * rounding differences from growing: they stay near 1e-6 while a step moves weights by about 1e-2.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void batchedProductsAgreeWithThePerSampleLoop(String backend) {
        Dataset data = TRAIN.subset("420", java.util.stream.IntStream.range(0, 7 * 59 + 2).toArray());
        for (Activation hidden : new Activation[] {Activation.TANH, Activation.RELU, Activation.SIGMOID}) {
            for (Loss loss : Loss.values()) {
                for (Optimizer opt : Optimizer.values()) {
                    TrainingOptions options = TrainingOptions.defaults(loss, opt, 7).withSeed(3);
                    Network batched = Network.glorot(new int[] {12, 20, 9, 4},
                            new Activation[] {hidden, Activation.IDENTITY, Activation.SOFTMAX}, 8);
                    Network plain = batched.copy();
                    Network start = batched.copy();
                    Trainer fast = new Trainer(batched, Kernels.named(backend), options);
                    Trainer reference = new Trainer(plain, Kernels.named(backend), options, true);
                    double fastLoss = fast.trainEpoch(data, null).meanLoss();
                    double referenceLoss = reference.trainEpoch(data, null).meanLoss();
                    String what = backend + " " + hidden + " " + loss + " " + opt;
                    assertEquals(referenceLoss, fastLoss, 1e-5 * referenceLoss, what + " mean loss");
                    double moved = 0;
                    for (int l = 0; l < plain.layers(); l++) {
                        moved = Math.max(moved, maxDifference(start.weights(l), plain.weights(l)));
                        assertEquals(0, maxDifference(plain.weights(l), batched.weights(l)), 2e-5,
                                what + " layer " + l + " weights");
                        assertEquals(0, maxDifference(plain.biases(l), batched.biases(l)), 2e-5,
                                what + " layer " + l + " biases");
                    }
                    assertTrue(moved > 1e-3, what + ": the weights moved by " + moved);
                }
            }
        }
    }

    /**
     * Plain SGD on mini-batches of the vector backend adds the step inside the weight-gradient
     * products: the weights must be those of storing the gradient and adding it after, bit for bit,
     * for every loss, on one and two threads, with a short last batch, and through a NaN sample's
     * recovery. The scalar backend and the other optimizers never take that path.
     */
    @org.junit.jupiter.api.Test
    void descentInTheProductIsBitIdenticalToGradientThenUpdate() {
        float[] x = TRAIN.featuresArray().clone();
        x[4500 * 12 + 3] = Float.NaN;
        Dataset poisoned = new Dataset("poisoned", x, labels(TRAIN), 12, 4);
        for (Dataset data : new Dataset[] {TRAIN, poisoned}) {
            for (Loss loss : Loss.values()) {
                for (int threads = 1; threads <= 2; threads++) {
                    TrainingOptions options = TrainingOptions.defaults(loss, Optimizer.SGD, 32).withSeed(6)
                            .withThreads(threads);
                    Network inProduct = Blobs.tanhSoftmax(7, 12, 40, 9, 4);
                    Network stored = inProduct.copy();
                    Network start = inProduct.copy();
                    String what = data.name() + " " + loss + " on " + threads + " threads";
                    try (Trainer fast = new Trainer(inProduct, Kernels.vector(), options);
                         Trainer plain = new Trainer(stored, Kernels.vector(), options)) {
                        assertTrue(fast.descentInProduct, what);
                        plain.descentInProduct = false;
                        for (int e = 0; e < 2; e++) {
                            fast.trainEpoch(data, null);
                            plain.trainEpoch(data, null);
                        }
                        // 5000 samples in batches of 32: 157 an epoch, the last of 8, and the NaN's batch dropped.
                        assertTrue(fast.descentsInProduct >= 2 * 156, what + ": " + fast.descentsInProduct);
                        assertEquals(0, plain.descentsInProduct, what);
                        assertEquals(data == poisoned, plain.recoveries() > 0, what + ": " + plain.recoveries());
                        assertEquals(plain.recoveries(), fast.recoveries(), what);
                    }
                    assertSameParameters(stored, inProduct, what);
                    assertFalse(Arrays.equals(start.weights(0), inProduct.weights(0)), what + ": the weights moved");
                }
            }
        }
        for (Optimizer opt : Optimizer.values()) {
            for (String backend : new String[] {"scalar", "vector"}) {
                Trainer t = new Trainer(Blobs.tanhSoftmax(1, 12, 8, 4), Kernels.named(backend),
                        TrainingOptions.defaults(Loss.SQUARED_ERROR, opt, 32));
                assertEquals(opt == Optimizer.SGD && backend.equals("vector"), t.descentInProduct, opt + " " + backend);
            }
        }
        Trainer perSample = new Trainer(Blobs.tanhSoftmax(1, 12, 8, 4), Kernels.vector(),
                TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1));
        assertFalse(perSample.descentInProduct, "batch 1");
    }

    /**
     * Momentum and Adam on mini-batches, and plain SGD on single samples, skip measuring the gradient's
     * norm where the quick bound shows it would pass:
     * the weights must be those of the measured steps, bit for bit, on both backends, one and two
     * threads, and through the recovery from a NaN weight, with the same batches irregular.
     */
    @org.junit.jupiter.api.Test
    void skippingTheMeasuredNormGivesTheSameBitsAndIrregularPoints() {
        for (Optimizer opt : new Optimizer[] {Optimizer.MOMENTUM, Optimizer.ADAM, Optimizer.SGD}) {
            for (String backend : new String[] {"scalar", "vector"}) {
                for (int threads = 1; threads <= 2; threads++) {
                    // Plain SGD measures its norm on single samples (on mini-batches it steps in the product).
                    int batch = opt == Optimizer.SGD ? 1 : 32;
                    TrainingOptions options = TrainingOptions.defaults(Loss.CROSS_ENTROPY, opt, batch).withSeed(8)
                            .withThreads(threads);
                    Network skipping = Blobs.tanhSoftmax(3, 12, 40, 9, 4);
                    Network measuring = skipping.copy();
                    String what = opt + " " + backend + " on " + threads + " threads";
                    try (Trainer quick = new Trainer(skipping, Kernels.named(backend), options);
                         Trainer measured = new Trainer(measuring, Kernels.named(backend), options)) {
                        measured.boundSkipsMeasuring = false;
                        for (int e = 0; e < 3; e++) {
                            if (e == 1) {
                                // An irregular point: the epoch's first batch meets a NaN weight and rolls back.
                                skipping.weights[1][5] = Float.NaN;
                                measuring.weights[1][5] = Float.NaN;
                            }
                            quick.trainEpoch(TRAIN, null);
                            measured.trainEpoch(TRAIN, null);
                        }
                        assertTrue(quick.unmeasuredSteps >= 3 * (TRAIN.size() / batch - 10), what + ": " + quick.unmeasuredSteps);
                        assertEquals(0, measured.unmeasuredSteps, what);
                        assertTrue(measured.recoveries() > 0, what);
                        assertEquals(measured.recoveries(), quick.recoveries(), what);
                    }
                    assertSameParameters(measuring, skipping, what);
                }
            }
        }
    }

    /**
     * The first layer on its turned copy at sizes where the vector gemm runs its register tiles (100
     * inputs, 90 outputs: two whole panels of the copy and a narrower one; batch 32) rather than its
     * scalar loops: the same evaluations after every
     * epoch (which must see the copy's steps) and the same parameters as steps taken on W. Two
     * threads keep W as it is (see the Trainer's constructor) and must give the same bits too.
     */
    @org.junit.jupiter.api.Test
    void turnedFirstLayerGivesTheBitsOfStepsOnTheWeights() {
        Dataset data = Blobs.make(1500, 100, 4, 0.3f, 22);
        for (int threads = 1; threads <= 2; threads++) {
            TrainingOptions options = TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 32).withSeed(3)
                    .withThreads(threads);
            Network turned = Blobs.tanhSoftmax(5, 100, 90, 4);
            Network plainNet = turned.copy();
            try (Trainer fast = new Trainer(turned, Kernels.vector(), options);
                 Trainer plain = new Trainer(plainNet, Kernels.vector(), options)) {
                plain.descentInProduct = false;
                for (int e = 0; e < 3; e++) {
                    fast.trainEpoch(data, null);
                    plain.trainEpoch(data, null);
                    assertEquals(plain.evaluate(data), fast.evaluate(data), threads + " threads, epoch " + e);
                    // The trainers' evaluation runs the first layer from the turned copy on one thread.
                    assertEquals(new Evaluator(turned, Kernels.vector(), Loss.SQUARED_ERROR, 32).evaluate(data),
                            fast.evaluate(data), threads + " threads, epoch " + e + ", from W");
                }
                assertTrue(fast.descentsInProduct > 0, "steps in the product: " + fast.descentsInProduct);
            }
            assertSameParameters(plainNet, turned, threads + " threads");
        }
    }

    private static double maxDifference(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /**
     * Per-sample descent: two threads split the large products (1024 x 512 per sample) and must give
     * the weights of one thread, bit for bit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void twoThreadsGiveTheWeightsOfOnePerSample(String backend) {
        Dataset data = Blobs.make(16, 1024, 4, 0.3f, 9);
        for (Loss loss : Loss.values()) {
            TrainingOptions options = TrainingOptions.defaults(loss, Optimizer.SGD, 1);
            Network start = Blobs.tanhSoftmax(3, 1024, 512, 4);
            assertSameParameters(train(backend, data, start.copy(), options, 1),
                    train(backend, data, start.copy(), options, 2), backend + " " + options);
        }
    }

    /**
     * Mini-batches: any thread count gives the weights of one thread, bit for bit, with every optimizer,
     * with and without clipping, on widths and batch sizes that do not divide evenly (a last batch of 4,
     * layers of 37, 29, 13 and 5, fewer output rows than some thread counts would like).
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void batchesGiveTheSameWeightsOnAnyThreadCount(String backend) {
        Dataset data = Blobs.make(95, 37, 5, 0.3f, 4);
        for (Loss loss : Loss.values()) {
            for (Optimizer opt : Optimizer.values()) {
                for (float clip : new float[] {0f, 0.05f}) {
                    TrainingOptions options = TrainingOptions.defaults(loss, opt, 7).withClipNorm(clip);
                    Network start = Blobs.tanhSoftmax(5, 37, 29, 13, 5);
                    Network single = train(backend, data, start.copy(), options, 1);
                    for (int threads : new int[] {2, 3, 6}) {
                        assertSameParameters(single, train(backend, data, start.copy(), options, threads),
                                backend + " " + options + " on " + threads + " threads");
                    }
                }
            }
        }
    }

    /** Trains {@code net} for two epochs on {@code threads} threads; returns it. */
    private static Network train(String backend, Dataset data, Network net, TrainingOptions options, int threads) {
        try (Trainer t = new Trainer(net, Kernels.named(backend), options.withThreads(threads))) {
            t.trainEpoch(data, null);
            t.trainEpoch(data, null);
        }
        return net;
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
