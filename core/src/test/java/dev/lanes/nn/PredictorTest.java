package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PredictorTest {
    private static final float INPUT_MAX = 255f;

    @TempDir
    Path dir;

    /** Architectures whose widths hit the kernels' vector tails, every activation, several depths. */
    static Stream<Arguments> networks() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : List.of("scalar", "vector")) {
            cases.add(Arguments.of(backend, new int[] {784, 128, 10}, "tanh,softmax"));
            cases.add(Arguments.of(backend, new int[] {13, 7, 5, 3}, "relu,sigmoid,softmax"));
            cases.add(Arguments.of(backend, new int[] {33, 17, 9}, "sigmoid,identity"));
            cases.add(Arguments.of(backend, new int[] {1, 1}, "tanh"));
            cases.add(Arguments.of(backend, new int[] {64, 32, 10}, "identity,relu"));
        }
        return cases.stream();
    }

    static Network network(int[] sizes, String activations, long seed) {
        Activation[] acts = Arrays.stream(activations.split(",")).map(Activation::named).toArray(Activation[]::new);
        Network net = Network.glorot(sizes, acts, seed);
        // Non-zero biases, so that a lost bias shows.
        SplittableRandom r = new SplittableRandom(seed);
        for (int l = 0; l < net.layers(); l++) {
            for (int i = 0; i < net.biases[l].length; i++) {
                net.biases[l][i] = (float) (r.nextDouble() - 0.5);
            }
        }
        return net;
    }

    /** m rows of raw features in [0, INPUT_MAX], as pixels are. */
    static float[] rawRows(int m, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[m * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.floor(r.nextDouble() * (INPUT_MAX + 1));
        }
        return x;
    }

    /** The forward pass in double precision, written from the definitions (not lanes' code). */
    static double[] reference(Network net, float[] x, int off, double inputMax) {
        double[] a = new double[net.inputs()];
        for (int i = 0; i < a.length; i++) {
            a[i] = x[off + i] / inputMax;
        }
        for (int l = 0; l < net.layers(); l++) {
            int n = net.width(l);
            int m = net.width(l + 1);
            float[] w = net.weights(l);
            float[] b = net.biases(l);
            double[] z = new double[m];
            for (int o = 0; o < m; o++) {
                double s = b[o];
                for (int i = 0; i < n; i++) {
                    s += (double) w[o * n + i] * a[i];
                }
                z[o] = s;
            }
            a = activate(net.activation(l), z);
        }
        return a;
    }

    private static double[] activate(Activation act, double[] z) {
        double[] a = new double[z.length];
        double max = Arrays.stream(z).max().orElse(0);
        double sum = Arrays.stream(z).map(v -> Math.exp(v - max)).sum();
        for (int i = 0; i < z.length; i++) {
            a[i] = switch (act) {
                case TANH -> Math.tanh(z[i]);
                case SIGMOID -> 1 / (1 + Math.exp(-z[i]));
                case RELU -> Math.max(0, z[i]);
                case IDENTITY -> z[i];
                case SOFTMAX -> Math.exp(z[i] - max) / sum;
            };
        }
        return a;
    }

    private static void assertClose(double[] expected, float[] got, int gotOff, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-5 + 1e-5 * Math.abs(expected[i]);
            assertEquals(expected[i], got[gotOff + i], tolerance, what + " output " + i);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("networks")
    void singleRowsAndRowsMatchADoublePrecisionForwardPass(String backend, int[] sizes, String acts) {
        Network net = network(sizes, acts, 5);
        Predictor p = Predictor.of(net, INPUT_MAX, Kernels.named(backend));
        int m = 70;
        int n = net.inputs();
        int k = net.outputs();
        float[] x = rawRows(m, n, 6);
        float[] single = new float[k];
        float[] rows = new float[m * k];
        p.predictRows(m, x, 0, rows, 0);
        int[] classes = new int[m];
        p.classifyRows(m, x, 0, classes, 0);
        for (int r = 0; r < m; r++) {
            double[] expected = reference(net, x, r * n, INPUT_MAX);
            p.predict(x, r * n, single, 0);
            assertClose(expected, single, 0, "row " + r + " alone");
            assertClose(expected, rows, r * k, "row " + r + " of " + m);
            assertEquals(argmax(single), p.classify(x, r * n), "row " + r);
            assertEquals(argmax(Arrays.copyOfRange(rows, r * k, r * k + k)), classes[r], "row " + r + " of " + m);
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The scaling is the training data's, so a single row gives the bits eval sees (and the class it counts). */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void aSingleRowIsTheNetworkOnTheScaledRowBitForBit(String backend) {
        Network net = network(new int[] {784, 128, 10}, "tanh,softmax", 2);
        Kernels kernels = Kernels.named(backend);
        Predictor p = Predictor.of(net, INPUT_MAX, kernels);
        int m = 50;
        float[] raw = rawRows(m, 784, 3);
        Dataset scaled = new Dataset("raw", raw, new int[m], 784, 10).scaled(INPUT_MAX);
        Network.Workspace ws = net.newWorkspace(kernels);
        float[] expected = new float[10];
        float[] got = new float[10];
        for (int r = 0; r < m; r++) {
            net.predict(scaled.featuresArray(), r * 784, expected, 0, ws);
            p.predict(Arrays.copyOfRange(raw, r * 784, r * 784 + 784), got);
            assertArrayEquals(expected, got, "row " + r);
        }
    }

    /** A row's outputs in the row forms depend neither on how many rows come with it nor on its place. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void rowsGiveTheSameBitsInAnyBatch(String backend) {
        Network net = network(new int[] {37, 19, 11}, "tanh,softmax", 4);
        Predictor p = Predictor.of(net, INPUT_MAX, Kernels.named(backend));
        int total = 2 * Predictor.BLOCK_ROWS + 3;
        float[] x = rawRows(total, 37, 8);
        float[] all = new float[total * 11];
        p.predictRows(total, x, 0, all, 0);
        for (int m : new int[] {1, 2, 5, Predictor.BLOCK_ROWS - 1, Predictor.BLOCK_ROWS, Predictor.BLOCK_ROWS + 1}) {
            for (int from : new int[] {0, 1, total - m}) {
                float[] out = new float[m * 11 + 3];
                p.predictRows(m, x, from * 37, out, 3);
                assertArrayEquals(Arrays.copyOfRange(all, from * 11, (from + m) * 11), Arrays.copyOfRange(out, 3, out.length),
                        m + " rows from row " + from);
            }
        }
        float[][] jagged = new float[total][];
        float[][] jaggedOut = new float[total][11];
        for (int r = 0; r < total; r++) {
            jagged[r] = Arrays.copyOfRange(x, r * 37, r * 37 + 37);
        }
        p.predictRows(jagged, jaggedOut);
        int[] classes = new int[total];
        p.classifyRows(jagged, classes);
        for (int r = 0; r < total; r++) {
            assertArrayEquals(Arrays.copyOfRange(all, r * 11, r * 11 + 11), jaggedOut[r], "jagged row " + r);
            assertEquals(argmax(jaggedOut[r]), classes[r], "jagged row " + r);
        }
    }

    /**
     * Many threads share one predictor, each checking every answer against one thread's. Sharing a
     * {@link Network.Workspace} like this gave thousands of wrong answers in ten thousand.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void manyThreadsShareOnePredictor(String backend) throws Exception {
        Network net = network(new int[] {64, 48, 10}, "tanh,softmax", 9);
        Predictor p = Predictor.of(net, INPUT_MAX, Kernels.named(backend));
        int m = 200;
        float[] x = rawRows(m, 64, 10);
        float[] expectedRows = new float[m * 10];
        p.predictRows(m, x, 0, expectedRows, 0);
        float[] expectedSingle = new float[m * 10];
        for (int r = 0; r < m; r++) {
            p.predict(x, r * 64, expectedSingle, r * 10);
        }
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> wrong = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                Callable<Integer> task = () -> {
                    start.await();
                    SplittableRandom random = new SplittableRandom(seed);
                    float[] out = new float[m * 10];
                    int bad = 0;
                    for (int round = 0; round < 300; round++) {
                        int r = random.nextInt(m);
                        if (round % 3 == 0) {
                            int count = 1 + random.nextInt(m - r);
                            p.predictRows(count, x, r * 64, out, 0);
                            bad += Arrays.equals(Arrays.copyOfRange(expectedRows, r * 10, (r + count) * 10),
                                    Arrays.copyOfRange(out, 0, count * 10)) ? 0 : 1;
                        } else {
                            p.predict(x, r * 64, out, 0);
                            bad += Arrays.equals(Arrays.copyOfRange(expectedSingle, r * 10, r * 10 + 10),
                                    Arrays.copyOfRange(out, 0, 10)) ? 0 : 1;
                            bad += p.classify(x, r * 64) == argmax(Arrays.copyOfRange(out, 0, 10)) ? 0 : 1;
                        }
                    }
                    return bad;
                };
                wrong.add(pool.submit(task));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : wrong) {
                total += f.get();
            }
            assertEquals(0, total, "wrong answers from threads sharing one predictor");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void topKIsTheLargestOutputsInOrder() {
        Network net = network(new int[] {20, 16, 10}, "tanh,softmax", 11);
        Predictor p = Predictor.of(net, INPUT_MAX, Kernels.get());
        float[] x = rawRows(30, 20, 12);
        for (int r = 0; r < 30; r++) {
            float[] row = Arrays.copyOfRange(x, r * 20, r * 20 + 20);
            float[] probs = p.predict(row);
            Integer[] order = new Integer[10];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : Integer.compare(a, b));
            for (int k : new int[] {1, 3, 10}) {
                int[] classes = new int[k];
                float[] scores = new float[k];
                p.topK(row, k, classes, scores);
                for (int i = 0; i < k; i++) {
                    assertEquals(order[i], classes[i], "row " + r + " top " + k + " place " + i);
                    assertEquals(probs[order[i]], scores[i]);
                }
                p.topK(row, k, classes, null);
                assertEquals(order[0], classes[0]);
            }
            assertEquals(order[0], p.classify(row));
        }
        int[] classes = new int[3];
        Predictor.selectLargest(new float[] {1f, 3f, 3f, 2f}, 4, 3, classes, null);
        assertArrayEquals(new int[] {1, 2, 3}, classes, "equal outputs: lower index first");

        // Many outputs with many ties, against a stable sort.
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 7, 100, 1000}) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextInt(Math.max(1, n / 4));
            }
            Integer[] order = new Integer[n];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Float.compare(v[b], v[a]));
            for (int k : new int[] {1, Math.max(1, n / 3), n}) {
                int[] top = new int[k];
                float[] scores = new float[k];
                Predictor.selectLargest(v, n, k, top, scores);
                for (int i = 0; i < k; i++) {
                    assertEquals((int) order[i], top[i], "n " + n + " k " + k + " place " + i);
                    assertEquals(v[order[i]], scores[i]);
                }
            }
        }
    }

    @Test
    void thePredictorKeepsItsOwnWeights() {
        Network net = network(new int[] {5, 4, 3}, "tanh,softmax", 1);
        Predictor p = Predictor.of(net, 1f, Kernels.get());
        float[] row = {1, 2, 3, 4, 5};
        float[] before = p.predict(row);
        net.weights[0][0] += 1f;
        net.biases[1][2] -= 3f;
        assertArrayEquals(before, p.predict(row));
        assertArrayEquals(new int[] {5, 4, 3}, p.sizes());
        assertTrue(p.outputsProbabilities());
        assertTrue(!Predictor.of(network(new int[] {2, 2}, "tanh", 1), 1f, Kernels.get()).outputsProbabilities());
    }

    @Test
    void aLoadedModelAppliesItsOwnInputScaling() throws Exception {
        Network net = network(new int[] {12, 6, 4}, "tanh,softmax", 3);
        Path scaled = dir.resolve("scaled.safetensors");
        Path plain = dir.resolve("plain.safetensors");
        ModelFile.save(scaled, net, Map.of("input_max", "255"));
        ModelFile.save(plain, net, Map.of());
        Predictor p = Predictor.load(scaled, Kernels.scalar());
        assertEquals(255f, p.inputMax());
        assertEquals(1f, Predictor.load(plain, Kernels.scalar()).inputMax());
        float[] raw = rawRows(1, 12, 4);
        assertArrayEquals(Predictor.of(net, 255f, Kernels.scalar()).predict(raw), p.predict(raw));
        assertClose(reference(net, raw, 0, 255), p.predict(raw), 0, "loaded");
        float[] unscaled = Predictor.load(plain, Kernels.scalar()).predict(raw);
        assertClose(reference(net, raw, 0, 1), unscaled, 0, "no input_max");
        assertTrue(Predictor.load(scaled).toString().contains("input_max 255.0"));
    }

    @Test
    void warmUpRunsRowsForAboutItsBudget() {
        Predictor p = Predictor.of(network(new int[] {8, 4, 2}, "tanh,softmax", 1), 16f, Kernels.get());
        long start = System.nanoTime();
        long rows = p.warmUp(Duration.ofMillis(50));
        assertTrue(rows >= 2 * Predictor.BLOCK_ROWS, rows + " rows");
        assertTrue(System.nanoTime() - start >= 50_000_000L);
        assertTrue(p.warmUp(Duration.ZERO) > 0, "at least one round, even with no budget");
    }

    // ---------------------------------------------------------------- bad input

    private static final float SENTINEL = -12345f;

    private static float[] sentinels(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    private static void assertUntouched(float[] a) {
        for (int i = 0; i < a.length; i++) {
            assertEquals(SENTINEL, a[i], "out[" + i + "] was written");
        }
    }

    private static <T extends Throwable> void assertRejected(Class<T> type, String message, Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }

    @Test
    void everyBadArgumentOfOneRowIsNamedBeforeAnythingIsWritten() {
        Predictor p = Predictor.of(network(new int[] {6, 5, 4}, "tanh,softmax", 1), 16f, Kernels.get());
        float[] out = sentinels(4);
        float[] good = {1, 2, 3, 4, 5, 6};
        assertRejected(NullPointerException.class, "row", () -> p.predict(null, out));
        assertRejected(NullPointerException.class, "out", () -> p.predict(good, null));
        assertRejected(IllegalArgumentException.class, "row has 5 values, the model takes 6", () -> p.predict(new float[5], out));
        assertRejected(IllegalArgumentException.class, "row has 7 values, the model takes 6", () -> p.classify(new float[7]));
        assertRejected(IndexOutOfBoundsException.class, "out: [0, 4) is outside an array of 3", () -> p.predict(good, new float[3]));
        assertRejected(IllegalArgumentException.class, "row[2] is NaN; features must be finite",
                () -> p.predict(new float[] {1, 2, Float.NaN, 4, 5, 6}, out));
        assertRejected(IllegalArgumentException.class, "row[5] is -Infinity",
                () -> p.classify(new float[] {1, 2, 3, 4, 5, Float.NEGATIVE_INFINITY}));
        assertRejected(IndexOutOfBoundsException.class, "x: [-1, 5)", () -> p.predict(good, -1, out, 0));
        assertRejected(IndexOutOfBoundsException.class, "x: [1, 7) is outside an array of 6", () -> p.predict(good, 1, out, 0));
        assertRejected(IndexOutOfBoundsException.class, "out: [1, 5) is outside an array of 4", () -> p.predict(good, 0, out, 1));
        assertRejected(IndexOutOfBoundsException.class, "x: [3, 9)", () -> p.classify(good, 3));
        assertRejected(IllegalArgumentException.class, "k must be in [1, 4], got 0", () -> p.topK(good, 0, new int[4], out));
        assertRejected(IllegalArgumentException.class, "k must be in [1, 4], got 5", () -> p.topK(good, 5, new int[5], null));
        assertRejected(IndexOutOfBoundsException.class, "classes has 2 entries, k is 3", () -> p.topK(good, 3, new int[2], out));
        assertRejected(IndexOutOfBoundsException.class, "scores has 2 entries, k is 3", () -> p.topK(good, 3, new int[3], new float[2]));
        assertRejected(NullPointerException.class, "classes", () -> p.topK(good, 1, null, out));
        int[] classes = {-7, -7};
        assertRejected(IllegalArgumentException.class, "row[0] is NaN",
                () -> p.topK(new float[] {Float.NaN, 2, 3, 4, 5, 6}, 2, classes, out));
        assertArrayEquals(new int[] {-7, -7}, classes);
        assertUntouched(out);
        // Huge but finite features are valid: the check's dot product overflows, the scan finds nothing.
        p.predict(new float[] {3e38f, -3e38f, 1, 2, 3, 4}, out);
    }

    @Test
    void everyBadArgumentOfManyRowsIsNamedBeforeAnyRowIsWritten() {
        Predictor p = Predictor.of(network(new int[] {3, 5, 2}, "tanh,softmax", 1), 16f, Kernels.get());
        float[][] rows = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        float[][] out = {sentinels(2), sentinels(2), sentinels(2)};
        assertRejected(NullPointerException.class, "rows", () -> p.predictRows(null, out));
        assertRejected(NullPointerException.class, "out", () -> p.predictRows(rows, null));
        assertRejected(NullPointerException.class, "rows[1]", () -> p.predictRows(new float[][] {{1, 2, 3}, null}, out));
        assertRejected(IllegalArgumentException.class, "rows[2] has 2 values, the model takes 3",
                () -> p.predictRows(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8}}, out));
        assertRejected(IllegalArgumentException.class, "rows[2][1] is NaN",
                () -> p.predictRows(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, Float.NaN, 9}}, out));
        assertRejected(IndexOutOfBoundsException.class, "out has 2 rows, rows has 3", () -> p.predictRows(rows, new float[2][2]));
        assertRejected(NullPointerException.class, "out[1]", () -> p.predictRows(rows, new float[][] {sentinels(2), null, sentinels(2)}));
        assertRejected(IndexOutOfBoundsException.class, "out[2] has 1 entries, the model has 2 outputs",
                () -> p.predictRows(rows, new float[][] {out[0], out[1], new float[1]}));
        assertRejected(IndexOutOfBoundsException.class, "classes has 2 entries, rows has 3", () -> p.classifyRows(rows, new int[2]));
        assertRejected(NullPointerException.class, "classes", () -> p.classifyRows(rows, null));
        for (float[] o : out) {
            assertUntouched(o);
        }

        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, Float.POSITIVE_INFINITY};
        float[] flat = sentinels(6);
        assertRejected(IllegalArgumentException.class, "rows[2][2] is Infinity", () -> p.predictRows(3, x, 0, flat, 0));
        assertRejected(IllegalArgumentException.class, "m must be >= 0, got -1", () -> p.predictRows(-1, x, 0, flat, 0));
        assertRejected(IndexOutOfBoundsException.class, "x: [3, 12) is outside an array of 9", () -> p.predictRows(3, x, 3, flat, 0));
        assertRejected(IndexOutOfBoundsException.class, "out: [3, 7) is outside an array of 6", () -> p.predictRows(2, x, 0, flat, 3));
        assertRejected(NullPointerException.class, "x", () -> p.predictRows(1, null, 0, flat, 0));
        int[] classes = {-7, -7, -7};
        assertRejected(IndexOutOfBoundsException.class, "classes: [1, 4) is outside an array of 3",
                () -> p.classifyRows(3, x, 0, classes, 1));
        assertRejected(IllegalArgumentException.class, "rows[2][2] is Infinity", () -> p.classifyRows(3, x, 0, classes, 0));
        assertArrayEquals(new int[] {-7, -7, -7}, classes);
        assertUntouched(flat);
        p.predictRows(0, new float[0], 0, new float[0], 0);
        p.classifyRows(new float[0][], new int[0]);
    }

    @Test
    void badModelsAndScalesAreRefused() {
        Network net = network(new int[] {3, 2}, "tanh", 1);
        for (float bad : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertRejected(IllegalArgumentException.class, "inputMax must be positive and finite, got " + bad,
                    () -> Predictor.of(net, bad, Kernels.get()));
        }
        assertRejected(NullPointerException.class, "network", () -> Predictor.of((Network) null, 1f, Kernels.get()));
        assertRejected(NullPointerException.class, "kernels", () -> Predictor.of(net, 1f, null));
        Network broken = net.copy();
        broken.weights[0][1] = Float.NaN;
        assertRejected(IllegalArgumentException.class, "NaN or infinite", () -> Predictor.of(broken, 1f, Kernels.get()));
    }
}
