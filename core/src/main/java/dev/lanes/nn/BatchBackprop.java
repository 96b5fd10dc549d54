package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;

/**
 * Backpropagation of a whole mini-batch with matrix-matrix products, buffers sized once for the
 * largest batch: the batch form of each {@link Dense} layer's passes. The batch's samples are the
 * rows of every buffer: with X the {@code b x in} inputs, a layer computes {@code Z = X W^T + 1 b^T}
 * (one gemm, NT) and {@code A = A(Z)} row by row; the backward pass sends the error back with {@code
 * G = Delta W} (gemm, NN) and takes the weight gradient summed over the batch as {@code Delta^T X}
 * (gemm, TN) and the bias gradient as the column sums of Delta; for plain SGD, {@link #descend} adds the
 * step into W inside that product instead. Mathematically the same sums as running {@link Backprop} on each sample and adding
 * up the gradients; the products associate their terms differently, so the results agree up to float
 * rounding.
 *
 * <h2>Threads</h2>
 * A step runs on a {@link Crew} in phases. {@link #forwardBackward} first cuts the first layer's
 * outputs into ranges of rows of W: each thread multiplies the whole batch by its rows only, so it
 * reads only the rows that it updated itself in the previous step, still in its core's cache, instead
 * of every thread reading all of the largest matrix. Then it cuts the batch into ranges of samples:
 * each thread runs its samples through the rest of the forward pass and sends their errors back
 * through every layer.
 * {@link #gradients} then cuts each layer's outputs into ranges of rows of W: each thread sums its
 * rows' gradients over the whole batch, and can update those rows of the parameters at once (the
 * caller's {@link RowUpdate}), while they are still in its cache. Every sample's values and every
 * gradient entry are computed by the same operations in the same order whatever range they fall in
 * (the kernels compute each output element of a product independently of the block it is in, and
 * elementwise work is done row by row), so the weights are bit-identical for any thread count.
 *
 * <h2>The first layer turned</h2>
 * Where the caller takes every step inside the products ({@link #descend}) on one thread, the first
 * layer's forward product and weight gradient can run on a copy of its weights turned to {@code in x
 * out}: the vector backend's gemm then reads both operands of each product where they lie, while
 * from W it must turn the batch around for the forward product and copy it for the gradient. In one
 * JVM on a Zen 5 core, a 784-128 layer's two products at batch 32 took about a fifth less time (see
 * {@code VectorGemm}). The sums are the same, so are the bits. While the copy is ahead of W_1, W_1
 * is stale: the caller calls {@link #flush} before anything else reads the weights and {@link
 * #weightsChanged} after anything else writes them; this class brings the copy and W_1 together
 * before its own steps that need W_1. On more threads the copy would not pay: they cut a layer by
 * its outputs, which are the copy's columns, and two threads writing halves of the same rows fight
 * over the cache line between them.
 */
final class BatchBackprop {
    /** Updates rows {@code [from, to)} of layer {@code layer}'s weights and the same bias entries. */
    interface RowUpdate {
        void apply(int layer, int from, int to);
    }

    private final Network net;
    private final Kernels k;
    private final Loss loss;
    private final Crew crew;
    /** The gathered input rows, capacity x width(0). */
    private final float[] input;
    private final float[][] z;
    private final float[][] a;
    /** dL/dA per layer (scratch for the chain rule). */
    private final float[][] g;
    /** dL/dZ per layer. */
    private final float[][] delta;
    private final float[] targets;
    private final int[] labels;
    /** Each sample's loss, summed in sample order whatever thread computed it. */
    private final double[] rowLoss;

    // The current step, read by the phase tasks (published to the crew by its volatile hand-off).
    private Dataset data;
    /** The current data set's {@link Dataset#featureBound}, for {@link #quickGradientNormBound}. */
    private float featureBound;
    private int[] order;
    private int from;
    private int rows;
    private float[][] gradW;
    private float[][] gradB;
    private RowUpdate update;
    private final Crew.Task gatherTask = this::gatherPart;
    private final Crew.Task firstProductTask = this::firstProductPart;
    private final Crew.Task forwardBackwardTask = this::forwardBackwardPart;
    private final Crew.Task gradientTask = (part, parts) -> rowsPart(part, parts, true);
    private final Crew.Task updateTask = (part, parts) -> rowsPart(part, parts, false);
    /** {@link #descend}'s factor. */
    private float alpha;
    private final RowUpdate descendUpdate = this::descendRows;
    /** The first layer's weights turned ({@code in x out}), or null if never used. */
    private final float[] turned;
    /** {@link #turned} holds W_1's values (it may be newer still, see {@link #turnedAhead}). */
    private boolean turnedCurrent;
    /** {@link #turned} has steps that W_1 has not: W_1 is stale. */
    private boolean turnedAhead;
    /** The current step runs the first layer on {@link #turned}. */
    private boolean onTurned;

    /** With {@code turnFirstLayer}, steps may run the first layer on a turned copy of its weights (see the class comment). */
    BatchBackprop(Network net, Kernels k, Loss loss, int capacity, Crew crew, boolean turnFirstLayer) {
        loss.requireCompatible(net.activation(net.layers() - 1));
        this.net = net;
        this.k = k;
        this.loss = loss;
        this.crew = crew;
        int layers = net.layers();
        input = new float[capacity * net.inputs()];
        z = new float[layers][];
        a = new float[layers][];
        g = new float[layers][];
        delta = new float[layers][];
        for (int l = 0; l < layers; l++) {
            int size = capacity * net.width(l + 1);
            z[l] = new float[size];
            a[l] = new float[size];
            g[l] = new float[size];
            delta[l] = new float[size];
        }
        targets = new float[capacity * net.outputs()];
        labels = new int[capacity];
        rowLoss = new double[capacity];
        turned = turnFirstLayer ? new float[Dense.turnedSize(net.width(0), net.width(1))] : null;
    }

    /**
     * Runs the samples {@code order[from .. from + rows)} of {@code data} forward and sends their errors
     * back through every layer; returns the summed loss. At most {@code capacity} rows. With {@code
     * turnedFirst}, the first layer runs on its turned weights if this object keeps them: then the
     * step must end in {@link #descend} or in the caller's own update after {@link #gradients} or
     * {@link #apply}, which first bring W_1 up to date.
     */
    double forwardBackward(Dataset data, int[] order, int from, int rows, boolean turnedFirst) {
        onTurned = turned != null && turnedFirst;
        if (onTurned) {
            bringTurnedUpToDate();
        } else {
            flush();
        }
        this.data = data;
        featureBound = data.featureBound();
        this.order = order;
        this.from = from;
        this.rows = rows;
        crew.run(gatherTask);
        crew.run(firstProductTask);
        crew.run(forwardBackwardTask);
        this.data = null;
        this.order = null;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += rowLoss[r];
        }
        return sum;
    }

    /** Samples r0..r1 of the batch into the input rows and their targets. */
    private void gatherPart(int part, int parts) {
        int features = net.inputs();
        int classes = net.outputs();
        float[] x = data.featuresArray();
        for (int r = Crew.boundary(rows, part, parts); r < Crew.boundary(rows, part + 1, parts); r++) {
            int i = order[from + r];
            System.arraycopy(x, i * features, input, r * features, features);
            Loss.setTarget(targets, labels, r, classes, data.label(i));
        }
    }

    /** Columns o0..o1 of the first layer's pre-activations for the whole batch. */
    private void firstProductPart(int part, int parts) {
        int m = net.width(1);
        int o0 = Crew.boundary(m, part, parts);
        int o1 = Crew.boundary(m, part + 1, parts);
        if (o0 < o1) {
            net.layer(0).forwardOutputs(k, rows, input, onTurned ? turned : null, z[0], o0, o1);
        }
    }

    private void forwardBackwardPart(int part, int parts) {
        int r0 = Crew.boundary(rows, part, parts);
        int r1 = Crew.boundary(rows, part + 1, parts);
        if (r0 < r1) {
            forwardBackwardRows(r0, r1);
        }
    }

    /** Samples r0..r1 of the batch: forward from the first layer's pre-activations, loss, and the error of every layer. */
    private void forwardBackwardRows(int r0, int r1) {
        int classes = net.outputs();
        int top = net.layers() - 1;
        net.layer(0).activateRows(k, r0, r1, z[0], a[0]);
        for (int l = 1; l <= top; l++) {
            net.layer(l).forwardRows(k, r0, r1, a[l - 1], z[l], a[l]);
        }
        for (int r = r0; r < r1; r++) {
            rowLoss[r] = loss.rowLoss(k, classes, a[top], z[top], targets, labels, r);
            loss.outputDelta(k, net.activation(top), classes, a[top], targets, labels, g[top], delta[top], r);
        }
        for (int l = top; l > 0; l--) {
            net.layer(l).sendBackRows(k, r0, r1, delta[l], g[l - 1]);
            net.layer(l - 1).backwardRows(k, r0, r1, a[l - 1], g[l - 1], delta[l - 1]);
        }
    }

    /**
     * After {@link #forwardBackward}: writes the batch's summed weight and bias gradients into
     * {@code gradW} and {@code gradB} (overwriting them) and, if {@code update} is not null, applies it
     * to each range of rows as soon as their gradients are done. The weights the errors were sent
     * back through are not read again, so updating them here is safe.
     */
    void gradients(float[][] gradW, float[][] gradB, RowUpdate update) {
        if (update != null) {
            beforeWeightsWritten();
        }
        this.gradW = gradW;
        this.gradB = gradB;
        this.update = update;
        crew.run(gradientTask);
        this.update = null;
    }

    /**
     * After {@link #forwardBackward}, plain gradient descent in the weight-gradient products: {@code W
     * += alpha Delta^T X} and {@code b += alpha} times the column sums of Delta for every layer (see
     * {@link Dense#descendRows}), the rows cut between the threads as in {@link #gradients}. The
     * gradient is never stored: {@code gradB} is scratch for the bias gradient. There is no norm to
     * check afterwards, so the caller first checks {@link #quickGradientNormBound} or {@link
     * #gradientNormBound}.
     */
    void descend(float alpha, float[][] gradB) {
        this.gradB = gradB;
        this.alpha = alpha;
        if (!onTurned) {
            beforeWeightsWritten();
        }
        runUpdate(descendUpdate);
        turnedAhead |= onTurned;
    }

    /** Brings W_1 up to date with its turned copy, if that is ahead: afterwards the network's weights are current. */
    void flush() {
        if (turnedAhead) {
            net.layer(0).turn(turned, false);
            turnedAhead = false;
        }
    }

    /**
     * The first layer's weights turned, current with W_1 (after a {@link #flush}, turned anew if
     * stale), for an evaluation to run the same product as the training; null if this object keeps
     * no such copy.
     */
    float[] currentTurnedFirstLayer() {
        if (turned == null) {
            return null;
        }
        flush();
        bringTurnedUpToDate();
        return turned;
    }

    /** Turns W_1 into the copy again if the copy is stale. */
    private void bringTurnedUpToDate() {
        if (!turnedCurrent) {
            net.layer(0).turn(turned, true);
            turnedCurrent = true;
        }
    }

    /** Tells this object that the network's weights were written by someone else: the turned copy is stale. */
    void weightsChanged() {
        turnedCurrent = false;
    }

    private void beforeWeightsWritten() {
        flush();
        turnedCurrent = false;
    }

    /**
     * After {@link #forwardBackward}: an upper bound on the norm of the batch's summed gradient, all
     * weights and biases together (the norm that {@link #gradients} lets the caller measure), or
     * infinity or NaN where none is found. Layer by layer, {@code |Delta^T X| <= |Delta| |X|}
     * (Cauchy-Schwarz, Frobenius norms) and the bias gradient's norm is at most {@code sqrt(rows)
     * |Delta|}; each squared norm is a dot product, enlarged by its rounding bound. A few dot products
     * over the batch's buffers, against one over every weight gradient.
     */
    double gradientNormBound() {
        double sum = 0;
        for (int l = 0; l < net.layers(); l++) {
            double d = dotNormBound(rows * net.width(l + 1), delta[l]);
            double x = dotNormBound(rows * net.width(l), input(l));
            sum += d * x + rows * d;
        }
        return Math.sqrt(sum);
    }

    /**
     * After {@link #forwardBackward}: the bound of {@link #gradientNormBound} without reading the
     * layers' inputs where something else bounds them ({@link NormBounds#quick}): only the errors
     * Delta are read, one by one in double, 4,416 floats a batch for a 784-128-10 network at batch
     * 32 against 33,600 with the inputs. It needs no vector kernel: the vector dot products of the
     * other bound were the last kernel that the first epoch still ran uncompiled for a few hundred
     * batches, one vector operation at a time through the Vector API's Java code, about a quarter of
     * that epoch. Infinite or NaN where no bound is found, such as for a NaN feature anywhere in the
     * data set; the caller then asks {@link #gradientNormBound}.
     */
    double quickGradientNormBound() {
        return NormBounds.quick(net, rows, featureBound, delta, a, Double.POSITIVE_INFINITY);
    }

    /**
     * {@code v[0 .. n)}'s squared norm by the kernels' dot product, divided by {@code 1 - n 2^-23} to cover the dot product's
     * rounding (at most {@code n 2^-23} of the sum, see {@link Kernels}); infinite where that is not
     * below 1/2.
     */
    private double dotNormBound(int n, float[] v) {
        double rounding = n * 0x1p-23;
        if (!(rounding < 0.5)) {
            return Double.POSITIVE_INFINITY;
        }
        return k.dot(n, v, 0, v, 0) / (1 - rounding);
    }

    /** Applies {@code update} to every row of every layer, the rows cut between the threads as in {@link #gradients}. */
    void apply(RowUpdate update) {
        beforeWeightsWritten();
        runUpdate(update);
    }

    private void runUpdate(RowUpdate update) {
        this.update = update;
        crew.run(updateTask);
        this.update = null;
    }

    /**
     * This thread's share of every layer's rows: their gradients (if {@code gradients}), then the
     * update if there is one.
     */
    private void rowsPart(int part, int parts, boolean gradients) {
        for (int l = 0; l < net.layers(); l++) {
            int m = net.width(l + 1);
            int o0 = Crew.boundary(m, part, parts);
            int o1 = Crew.boundary(m, part + 1, parts);
            if (o0 == o1) {
                continue;
            }
            if (gradients) {
                gradientRows(l, o0, o1);
            }
            if (update != null) {
                update.apply(l, o0, o1);
            }
        }
    }

    /** {@link #descend} on rows o0..o1 of layer l, run through {@link #apply}'s cut between the threads. */
    private void descendRows(int l, int o0, int o1) {
        net.layer(l).descendRows(k, rows, delta[l], input(l), l == 0 && onTurned ? turned : null, o0, o1, alpha,
                gradB[l]);
    }

    /** Rows o0..o1 of layer l's weight gradient, summed over the batch, with their bias entries. */
    private void gradientRows(int l, int o0, int o1) {
        net.layer(l).gradientRows(k, rows, delta[l], input(l), o0, o1, gradW[l], gradB[l]);
    }

    /** The input rows of layer {@code l}: the gathered samples for l = 0, else the previous activations. */
    private float[] input(int l) {
        return l == 0 ? input : a[l - 1];
    }
}
