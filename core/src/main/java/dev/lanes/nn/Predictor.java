package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Scores rows of raw features with a trained network, from any number of threads at once: the
 * object a service builds once at startup and shares.
 *
 * <pre>{@code
 * // Once, at startup: the file's checksum is verified and its input scaling is read.
 * Predictor predictor = Predictor.load(Path.of("fashion.safetensors"));
 * predictor.warmUp(Duration.ofSeconds(2));          // compile the kernels before traffic comes
 *
 * // Per request, on any thread; callers pass raw features (pixels 0..255, as in the training data).
 * float[] probabilities = new float[predictor.outputs()];
 * predictor.predict(pixels, probabilities);          // allocates nothing
 * int best = predictor.classify(pixels);
 * int[] classes = new int[rows.length];
 * predictor.classifyRows(rows, classes);             // many rows: one matrix product per layer
 * }</pre>
 *
 * <h2>What it computes</h2>
 * Each row is first divided by the model's {@code input_max} (multiplied by {@code 1 / input_max},
 * exactly as {@link dev.lanes.data.Dataset#scaled} scaled the training data), then run through the
 * network. {@link #predict} gives the output layer's activations: class probabilities when it is
 * softmax ({@link #outputsProbabilities()}), raw outputs otherwise. {@link #classify} gives the index
 * of the largest output (the lowest index among equals), {@link #topK} the k largest in order.
 *
 * <p>A single row runs through {@link Kernels#gemv} and gives the same bits as {@link Network#predict}
 * on the scaled row (so the same class as {@code eval} counts). The row forms ({@link #predictRows},
 * {@link #classifyRows}) run blocks of up to {@value #BLOCK_ROWS} rows through {@link Kernels#gemm},
 * several times faster per row; their sums associate differently from gemv's, so a row's outputs
 * can differ from the single-row ones in the last bits (within the kernels' documented bounds), but
 * they never depend on how many rows come together or where a row is among them.
 *
 * <h2>Threads and memory</h2>
 * A predictor is immutable: it holds its own copy of the weights, so training the network it was
 * built from later changes nothing here. Every call borrows its scratch buffers from a small pool
 * inside the predictor and returns them (a pool rather than a {@code ThreadLocal}, so that a service
 * on virtual threads does not allocate buffers for every request). Once every pooled buffer has been
 * used, calls that are given their output arrays allocate nothing; only more simultaneous callers
 * than pool slots (two per processor) allocate, and those buffers are dropped afterwards.
 *
 * <h2>Bad input</h2>
 * Every argument is checked before anything is written: a null array throws {@link
 * NullPointerException}, a row of the wrong width, a NaN or infinite feature, or a {@code k} out of
 * range {@link IllegalArgumentException}, an output array too short or an offset outside its array
 * {@link IndexOutOfBoundsException}; each message names the argument, and the row and column where
 * there are several. In the row forms, no output is written unless every row is valid.
 *
 * <h2>Speed</h2>
 * The kernels run at full speed only once the JIT has compiled them (the vector backend is up to a
 * thousand times slower before); {@link #warmUp} does that before the first request.
 */
public final class Predictor {
    /** Rows per matrix product in the row forms; bounds each pooled buffer to BLOCK_ROWS rows of every layer. */
    public static final int BLOCK_ROWS = 64;
    private static final System.Logger LOG = System.getLogger("dev.lanes.nn");

    private final Network net;
    private final Kernels kernels;
    private final float inputMax;
    private final float inputScale;
    private final Pool pool;

    private Predictor(Network net, float inputMax, Kernels kernels) {
        this.net = net;
        this.kernels = kernels;
        this.inputMax = inputMax;
        this.inputScale = 1f / inputMax;
        this.pool = new Pool(2 * Runtime.getRuntime().availableProcessors());
    }

    /** The model in {@code file} ({@link ModelFile#load}: checksum verified if it has one) on {@link Kernels#get()}. */
    public static Predictor load(Path file) throws IOException {
        return of(ModelFile.load(file), Kernels.get());
    }

    /** The model in {@code file} on the given backend. */
    public static Predictor load(Path file, Kernels kernels) throws IOException {
        Objects.requireNonNull(kernels, "kernels");
        return of(ModelFile.load(file), kernels);
    }

    /** A loaded model, with its recorded input_max (1, no scaling, if it has none). */
    public static Predictor of(ModelFile.Model model, Kernels kernels) {
        Objects.requireNonNull(model, "model");
        return of(model.network(), model.inputMax().orElse(1f), kernels);
    }

    /**
     * A predictor for a copy of {@code network}'s current weights.
     *
     * @param inputMax what raw features are divided by (1 for none), as in training
     * @throws IllegalArgumentException if inputMax is not positive and finite, or the network has a
     *     NaN or infinite parameter
     */
    public static Predictor of(Network network, float inputMax, Kernels kernels) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(kernels, "kernels");
        if (!(inputMax > 0) || Float.isInfinite(inputMax)) {
            throw new IllegalArgumentException("inputMax must be positive and finite, got " + inputMax);
        }
        if (!network.isFinite()) {
            throw new IllegalArgumentException("network has NaN or infinite parameters");
        }
        return new Predictor(network.copy(), inputMax, kernels);
    }

    /** Features per row. */
    public int inputs() {
        return net.inputs();
    }

    /** Outputs per row (classes, for a classifier). */
    public int outputs() {
        return net.outputs();
    }

    /** True if the output layer is softmax, so {@link #predict} gives probabilities. */
    public boolean outputsProbabilities() {
        return net.activation(net.layers() - 1) == Activation.SOFTMAX;
    }

    /** What raw features are divided by (1 if the model records no scaling). */
    public float inputMax() {
        return inputMax;
    }

    /** The layer widths, input first (a copy). */
    public int[] sizes() {
        return net.sizes();
    }

    /** The activations, one per layer (a copy). */
    public Activation[] activations() {
        return net.activations();
    }

    /** The backend the predictions run on. */
    public Kernels kernels() {
        return kernels;
    }

    // ---------------------------------------------------------------- one row

    /**
     * The outputs for one row of raw features: probabilities for a softmax model.
     *
     * @param row   exactly {@link #inputs()} raw features
     * @param out   receives {@link #outputs()} values at index 0
     */
    public void predict(float[] row, float[] out) {
        checkRow("row", row);
        predict(row, 0, out, 0);
    }

    /** {@link #predict(float[], float[])} for the row at {@code x[xOff ..]}, into {@code out[outOff ..]}. */
    public void predict(float[] x, int xOff, float[] out, int outOff) {
        checkRange("x", x, xOff, inputs());
        checkRange("out", out, outOff, outputs());
        checkFinite(x, xOff, -1);
        Scratch s = pool.take();
        try {
            System.arraycopy(forwardOne(s, x, xOff), 0, out, outOff, outputs());
        } finally {
            pool.give(s);
        }
    }

    /** {@link #predict(float[], float[])} into a new array. */
    public float[] predict(float[] row) {
        float[] out = new float[outputs()];
        predict(row, out);
        return out;
    }

    /** The predicted class of one row of raw features: the index of the largest output. */
    public int classify(float[] row) {
        checkRow("row", row);
        return classify(row, 0);
    }

    /** {@link #classify(float[])} for the row at {@code x[xOff ..]}. */
    public int classify(float[] x, int xOff) {
        checkRange("x", x, xOff, inputs());
        checkFinite(x, xOff, -1);
        Scratch s = pool.take();
        try {
            return argmax(forwardOne(s, x, xOff), 0, outputs());
        } finally {
            pool.give(s);
        }
    }

    /**
     * The {@code k} largest outputs of one row, largest first (equal outputs: lower index first):
     * {@code classes[i]} is the class, {@code scores[i]} its output (a probability for a softmax model).
     *
     * @param scores may be null if only the classes are wanted
     * @throws IllegalArgumentException if k is not in {@code [1, outputs()]}
     */
    public void topK(float[] row, int k, int[] classes, float[] scores) {
        checkRow("row", row);
        topK(row, 0, k, classes, scores);
    }

    /** {@link #topK(float[], int, int[], float[])} for the row at {@code x[xOff ..]}. */
    public void topK(float[] x, int xOff, int k, int[] classes, float[] scores) {
        checkRange("x", x, xOff, inputs());
        if (k < 1 || k > outputs()) {
            throw new IllegalArgumentException("k must be in [1, " + outputs() + "], got " + k);
        }
        Objects.requireNonNull(classes, "classes");
        if (classes.length < k) {
            throw new IndexOutOfBoundsException("classes has " + classes.length + " entries, k is " + k);
        }
        if (scores != null && scores.length < k) {
            throw new IndexOutOfBoundsException("scores has " + scores.length + " entries, k is " + k);
        }
        checkFinite(x, xOff, -1);
        Scratch s = pool.take();
        try {
            selectLargest(forwardOne(s, x, xOff), outputs(), k, classes, scores);
        } finally {
            pool.give(s);
        }
    }

    /**
     * The k largest of v[0..n), largest first, lower index first among equals: each output is
     * inserted into the sorted list held in {@code classes} (n times k steps at most, no allocation).
     */
    static void selectLargest(float[] v, int n, int k, int[] classes, float[] scores) {
        int count = 0;
        for (int j = 0; j < n; j++) {
            float x = v[j];
            if (count == k && !(x > v[classes[k - 1]])) {
                continue;
            }
            int i = count < k ? count++ : k - 1;
            while (i > 0 && x > v[classes[i - 1]]) {
                classes[i] = classes[i - 1];
                i--;
            }
            classes[i] = j;
        }
        if (scores != null) {
            for (int i = 0; i < k; i++) {
                scores[i] = v[classes[i]];
            }
        }
    }

    /** Scales the row into the scratch and runs the network; returns the scratch's output array. */
    private float[] forwardOne(Scratch s, float[] x, int xOff) {
        int n = inputs();
        System.arraycopy(x, xOff, s.row, 0, n);
        if (inputScale != 1f) {
            kernels.scale(n, inputScale, s.row, 0);
        }
        return net.forward(s.row, 0, s.ws);
    }

    // ---------------------------------------------------------------- many rows

    /**
     * The outputs of every row, as {@link #predict(float[], float[])} gives them one at a time (up to
     * float rounding, see the class comment).
     *
     * @param rows rows of exactly {@link #inputs()} raw features
     * @param out  {@code out[i]} receives row i's {@link #outputs()} values; at least as many as rows
     */
    public void predictRows(float[][] rows, float[][] out) {
        checkRows(rows);
        Objects.requireNonNull(out, "out");
        if (out.length < rows.length) {
            throw new IndexOutOfBoundsException("out has " + out.length + " rows, rows has " + rows.length);
        }
        for (int i = 0; i < rows.length; i++) {
            if (out[i] == null) {
                throw new NullPointerException("out[" + i + "]");
            }
            if (out[i].length < outputs()) {
                throw new IndexOutOfBoundsException("out[" + i + "] has " + out[i].length + " entries, the model has "
                        + outputs() + " outputs");
            }
        }
        runRows(rows.length, rows, null, 0, out, null, 0, null);
    }

    /**
     * The outputs of {@code m} rows stored one after another at {@code x[xOff ..]} (row-major, {@code
     * m * inputs()} values), into {@code out[outOff ..]} ({@code m * outputs()} values, row-major).
     * {@code out} must not overlap the rows of {@code x} (blocks of rows are written as they are done).
     */
    public void predictRows(int m, float[] x, int xOff, float[] out, int outOff) {
        checkRowCount(m);
        checkRange("x", x, xOff, (long) m * inputs());
        checkRange("out", out, outOff, (long) m * outputs());
        for (int r = 0; r < m; r++) {
            checkFinite(x, xOff + r * inputs(), r);
        }
        runRows(m, null, x, xOff, null, out, outOff, null);
    }

    /** The predicted class of every row; {@code classes[i]} for {@code rows[i]}. */
    public void classifyRows(float[][] rows, int[] classes) {
        checkRows(rows);
        Objects.requireNonNull(classes, "classes");
        if (classes.length < rows.length) {
            throw new IndexOutOfBoundsException("classes has " + classes.length + " entries, rows has " + rows.length);
        }
        runRows(rows.length, rows, null, 0, null, null, 0, classes);
    }

    /** The predicted class of {@code m} rows stored one after another at {@code x[xOff ..]}, into {@code classes[classesOff ..]}. */
    public void classifyRows(int m, float[] x, int xOff, int[] classes, int classesOff) {
        checkRowCount(m);
        checkRange("x", x, xOff, (long) m * inputs());
        Objects.requireNonNull(classes, "classes");
        if (classesOff < 0 || (long) classesOff + m > classes.length) {
            throw new IndexOutOfBoundsException("classes: [" + classesOff + ", " + ((long) classesOff + m)
                    + ") is outside an array of " + classes.length);
        }
        for (int r = 0; r < m; r++) {
            checkFinite(x, xOff + r * inputs(), r);
        }
        runRows(m, null, x, xOff, null, null, classesOff, classes);
    }

    /**
     * The row forms' one loop, once their arguments are checked: blocks of rows from {@code rows} (if
     * not null) or else from {@code x}, gathered and scaled, run forward, and written to {@code
     * outRows}, {@code out} or {@code classes} (the one that is not null; {@code outOff} is the offset
     * in {@code out} or {@code classes}). One method with nullable arguments rather than callbacks,
     * because a capturing lambda would be an allocation per call.
     */
    private void runRows(int m, float[][] rows, float[] x, int xOff, float[][] outRows, float[] out, int outOff,
                         int[] classes) {
        if (m == 0) {
            return;
        }
        int n = inputs();
        int k = outputs();
        Scratch s = pool.take();
        try {
            s.ensureBlock(net);
            for (int r0 = 0; r0 < m; r0 += BLOCK_ROWS) {
                int b = Math.min(BLOCK_ROWS, m - r0);
                if (rows != null) {
                    for (int r = 0; r < b; r++) {
                        System.arraycopy(rows[r0 + r], 0, s.block, r * n, n);
                    }
                } else {
                    System.arraycopy(x, xOff + r0 * n, s.block, 0, b * n);
                }
                if (inputScale != 1f) {
                    kernels.scale(b * n, inputScale, s.block, 0);
                }
                float[] y = forwardBlock(s, b);
                for (int r = 0; r < b; r++) {
                    if (outRows != null) {
                        System.arraycopy(y, r * k, outRows[r0 + r], 0, k);
                    } else if (out != null) {
                        System.arraycopy(y, r * k, out, outOff + (r0 + r) * k, k);
                    } else {
                        classes[outOff + r0 + r] = argmax(y, r * k, k);
                    }
                }
            }
        } finally {
            pool.give(s);
        }
    }

    /**
     * The index of the largest of {@code v[off .. off + n)}, relative to off, the lowest among equals:
     * the class that {@link #classify} gives for outputs {@link #predict} wrote.
     */
    public static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * The forward pass of b rows in {@code s.block}: per layer Z = X W^T (one gemm), then bias and
     * activation row by row, in place. Returns the output rows.
     */
    private float[] forwardBlock(Scratch s, int b) {
        float[] in = s.block;
        for (int l = 0; l < net.layers(); l++) {
            int n = net.width(l);
            int m = net.width(l + 1);
            float[] z = s.layer[l];
            kernels.gemm(false, true, b, m, n, 1f, in, 0, n, net.weights[l], 0, n, 0f, z, 0, m);
            Activation act = net.activation(l);
            for (int r = 0; r < b; r++) {
                kernels.add(m, z, r * m, net.biases[l], 0, z, r * m);
                act.forward(kernels, m, z, z, r * m);
            }
            in = z;
        }
        return in;
    }

    // ---------------------------------------------------------------- warm-up

    /**
     * Runs single rows and blocks of rows of made-up features (uniform in [0, input_max]) for about
     * {@code budget}, so that the JIT compiles the kernels before real requests come. Safe to call
     * while other threads predict. Two seconds suit a busy two-core machine.
     *
     * @return the number of rows run
     */
    public long warmUp(Duration budget) {
        Objects.requireNonNull(budget, "budget");
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[BLOCK_ROWS * inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble() * inputMax;
        }
        float[] out = new float[BLOCK_ROWS * outputs()];
        long rows = 0;
        do {
            for (int r = 0; r < BLOCK_ROWS; r++) {
                predict(x, r * inputs(), out, r * outputs());
            }
            predictRows(BLOCK_ROWS, x, 0, out, 0);
            rows += 2 * BLOCK_ROWS;
        } while (System.nanoTime() - start < budget.toNanos());
        LOG.log(System.Logger.Level.DEBUG, () -> "predictor warmed up: " + (System.nanoTime() - start) / 1_000_000
                + " ms on " + kernels.describe());
        return rows;
    }

    // ---------------------------------------------------------------- argument checks

    private void checkRow(String name, float[] row) {
        Objects.requireNonNull(row, name);
        if (row.length != inputs()) {
            throw new IllegalArgumentException(name + " has " + row.length + " values, the model takes " + inputs());
        }
    }

    private void checkRows(float[][] rows) {
        Objects.requireNonNull(rows, "rows");
        for (int r = 0; r < rows.length; r++) {
            float[] row = rows[r];
            if (row == null) {
                throw new NullPointerException("rows[" + r + "]");
            }
            if (row.length != inputs()) {
                throw new IllegalArgumentException("rows[" + r + "] has " + row.length + " values, the model takes "
                        + inputs());
            }
            checkFinite(row, 0, r);
        }
    }

    private static void checkRowCount(int m) {
        if (m < 0) {
            throw new IllegalArgumentException("m must be >= 0, got " + m);
        }
    }

    private static void checkRange(String name, float[] a, int off, long count) {
        Objects.requireNonNull(a, name);
        if (off < 0 || off + count > a.length) {
            throw new IndexOutOfBoundsException(name + ": [" + off + ", " + (off + count) + ") is outside an array of "
                    + a.length);
        }
    }

    /**
     * Throws naming the first NaN or infinite feature of the row at {@code x[off ..]} (row index
     * {@code row}, or -1 for a single row). The dot product of the row with itself is finite exactly
     * when every feature is, unless the squares overflow; only then is the row scanned.
     */
    private void checkFinite(float[] x, int off, int row) {
        int n = inputs();
        if (Float.isFinite(kernels.dot(n, x, off, x, off))) {
            return;
        }
        for (int j = 0; j < n; j++) {
            if (!Float.isFinite(x[off + j])) {
                throw new IllegalArgumentException((row < 0 ? "row[" + j + "]" : "rows[" + row + "][" + j + "]")
                        + " is " + x[off + j] + "; features must be finite");
            }
        }
    }

    // ---------------------------------------------------------------- scratch

    /** One caller's buffers: a scaled row and its workspace, and (once needed) a block of rows per layer. */
    private static final class Scratch {
        final float[] row;
        final Network.Workspace ws;
        float[] block;
        float[][] layer;

        Scratch(Network net, Kernels kernels) {
            row = new float[net.inputs()];
            ws = net.newWorkspace(kernels);
        }

        void ensureBlock(Network net) {
            if (block == null) {
                block = new float[BLOCK_ROWS * net.inputs()];
                layer = new float[net.layers()][];
                for (int l = 0; l < net.layers(); l++) {
                    layer[l] = new float[BLOCK_ROWS * net.width(l + 1)];
                }
            }
        }
    }

    /**
     * Scratch buffers lent to one call at a time. A caller starts looking at a slot picked by its
     * thread's identity hash, so a thread tends to get the same (cache-warm) buffers back; slots are
     * a cache line apart so that callers on different cores do not contend for one line.
     */
    private final class Pool {
        private static final int SPREAD = 16;
        private final AtomicReferenceArray<Scratch> slots;
        private final int count;

        Pool(int count) {
            this.count = count;
            this.slots = new AtomicReferenceArray<>(count * SPREAD);
        }

        Scratch take() {
            int start = Math.floorMod(Thread.currentThread().hashCode(), count);
            for (int i = 0; i < count; i++) {
                int at = ((start + i) % count) * SPREAD;
                Scratch s = slots.get(at);
                if (s != null && slots.compareAndSet(at, s, null)) {
                    return s;
                }
            }
            return new Scratch(net, kernels);
        }

        void give(Scratch s) {
            int start = Math.floorMod(Thread.currentThread().hashCode(), count);
            for (int i = 0; i < count; i++) {
                int at = ((start + i) % count) * SPREAD;
                if (slots.get(at) == null && slots.compareAndSet(at, null, s)) {
                    return;
                }
            }
            // Every slot is full: more callers than slots ran at once; this one's buffers are dropped.
        }
    }

    @Override
    public String toString() {
        return "Predictor[" + Arrays.toString(net.sizes()) + ", input_max " + inputMax + ", " + kernels.describe() + "]";
    }
}
