package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;

/**
 * One dense layer of a {@link Network}, {@code a = A(z)} with {@code z = W x + b}: its forward pass,
 * its backward pass and the gradient of its parameters, for one sample and for a batch. W is {@code
 * out x in}, row-major (PyTorch's {@code Linear} layout); the arrays are the network's own.
 *
 * <p>For a batch, samples are the rows of every buffer: with X the {@code b x in} inputs, {@code Z =
 * X W^T + 1 b^T} (one gemm), the error goes back as {@code G = Delta W} and the weight gradient
 * summed over the batch is {@code Delta^T X}. Batch methods work on a range of rows (samples) or of
 * outputs (rows of W), so that threads can share a batch; each output element is computed the same
 * way whatever range it falls in, so the bits do not depend on the cut.
 *
 * <p>The backward pass is split as the chain rule is: {@link #backward} takes {@code dL/da} of this
 * layer's output to {@code delta = dL/dz}; {@link #sendBack} takes delta to {@code dL/dx}, the
 * previous layer's {@code dL/da}. The parameter gradient is {@code outer(delta, x)} and delta. How a
 * gradient becomes a step is the optimizer's ({@link Updater}); per-sample descent adds it straight
 * into W ({@link #addWeightGradient}), fused with the next forward product ({@link
 * #updateThenMultiply}).
 */
final class Dense {
    final int in;
    final int out;
    final float[] weights;
    final float[] biases;
    final Activation activation;

    Dense(int in, int out, float[] weights, float[] biases, Activation activation) {
        this.in = in;
        this.out = out;
        this.weights = weights;
        this.biases = biases;
        this.activation = activation;
    }

    // ---- one sample --------------------------------------------------------------------------

    /** {@code z = W x + b}, {@code a = A(z)} for the input at {@code x[xOff ..]}. */
    void forward(Kernels k, float[] x, int xOff, float[] z, float[] a) {
        multiply(k, x, xOff, z);
        biasAndActivate(k, z, a);
    }

    /** {@code z = W x}, the first half of {@link #forward}. */
    void multiply(Kernels k, float[] x, int xOff, float[] z) {
        k.gemv(out, in, 1f, weights, 0, in, x, xOff, 0f, z, 0);
    }

    /** The rest of {@link #forward} once {@code z} holds {@code W x}. */
    void biasAndActivate(Kernels k, float[] z, float[] a) {
        k.add(out, z, 0, biases, 0, z, 0);
        activation.forward(k, out, z, a, 0);
    }

    /**
     * Per-sample descent's fused pass over W: applies the previous sample's pending update {@code W +=
     * alpha outer(delta, prevX)} and computes {@code z = W x} with the updated rows in the same pass
     * (bit-identical to the update followed by the product).
     */
    void updateThenMultiply(Kernels k, float alpha, float[] delta, float[] prevX, int prevXOff, float[] x, int xOff,
                            float[] z) {
        k.gerGemv(out, in, alpha, delta, 0, prevX, prevXOff, weights, 0, in, x, xOff, z, 0);
    }

    /** {@code delta = dL/dz} from {@code g = dL/da} and this layer's output {@code a}. */
    void backward(Kernels k, float[] a, float[] g, float[] delta) {
        activation.backward(k, out, a, g, delta, 0);
    }

    /** {@code gIn = W^T delta}: the error sent back to the input, the previous layer's {@code dL/da}. */
    void sendBack(Kernels k, float[] delta, float[] gIn) {
        k.gemvT(out, in, 1f, weights, 0, in, delta, 0, 0f, gIn, 0);
    }

    /** {@code w += alpha outer(delta, x)}: the weight gradient of one sample, scaled, added to {@code w}. */
    void addWeightGradient(Kernels k, float alpha, float[] delta, float[] x, int xOff, float[] w) {
        k.ger(out, in, alpha, delta, 0, x, xOff, w, 0, in);
    }

    /** {@code b += alpha delta}: the bias gradient of one sample, scaled, added to {@code b}. */
    void addBiasGradient(Kernels k, float alpha, float[] delta, float[] b) {
        k.axpy(out, alpha, delta, 0, b, 0);
    }

    /** Both gradients of one sample, scaled by {@code alpha}, added to {@code w} and {@code b}. */
    void addGradient(Kernels k, float alpha, float[] delta, float[] x, int xOff, float[] w, float[] b) {
        addWeightGradient(k, alpha, delta, x, xOff, w);
        addBiasGradient(k, alpha, delta, b);
    }

    // ---- a batch, its samples the rows of every buffer ---------------------------------------

    /**
     * Outputs {@code [o0, o1)} of {@code Z = X W^T + 1 b^T} for all {@code rows} samples ({@code x}
     * is {@code rows x in}): each thread multiplies the batch by its own rows of W only. From W, the
     * product turns X around in its own packing, one panel at a time in L1, cheaper than a transposed
     * copy of the batch made beforehand. From {@code turned}, W^T in panels (see {@link #turn}), if
     * not null, it copies nothing (see {@code BatchBackprop}); the bits are the same.
     */
    void forwardOutputs(Kernels k, int rows, float[] x, float[] turned, float[] z, int o0, int o1) {
        if (turned == null) {
            k.gemm(false, true, rows, o1 - o0, in, 1f, x, 0, in, weights, o0 * in, in, 0f, z, o0, out);
        } else {
            multiplyTurned(k, rows, x, 0, turned, z, 0, o0, o1);
        }
        for (int r = 0; r < rows; r++) {
            k.add(o1 - o0, z, r * out + o0, biases, o0, z, r * out + o0);
        }
    }

    /** Samples {@code [r0, r1)}: {@code Z = X W^T + 1 b^T} and {@code A = A(Z)}, X being {@code rows x in}. */
    void forwardRows(Kernels k, int r0, int r1, float[] x, float[] z, float[] a) {
        forwardBlock(k, r1 - r0, x, r0 * in, null, z, r0 * out, a);
    }

    /**
     * {@code rows} samples from {@code x[xOff ..]}: their {@code Z} and {@code A} from {@code zOff} on;
     * from {@code turned} (W^T in panels, see {@link #turn}) if not null, with the same bits.
     */
    void forwardBlock(Kernels k, int rows, float[] x, int xOff, float[] turned, float[] z, int zOff, float[] a) {
        if (turned == null) {
            k.gemm(false, true, rows, out, in, 1f, x, xOff, in, weights, 0, in, 0f, z, zOff, out);
        } else {
            multiplyTurned(k, rows, x, xOff, turned, z, zOff, 0, out);
        }
        for (int r = 0; r < rows; r++) {
            int off = zOff + r * out;
            k.add(out, z, off, biases, 0, z, off);
            activation.forward(k, out, z, a, off);
        }
    }

    /** Samples {@code [r0, r1)}: {@code A = A(Z)} once Z is complete ({@link #forwardOutputs}). */
    void activateRows(Kernels k, int r0, int r1, float[] z, float[] a) {
        for (int r = r0; r < r1; r++) {
            activation.forward(k, out, z, a, r * out);
        }
    }

    /** Samples {@code [r0, r1)}: {@code Delta = dL/dZ} from {@code G = dL/dA}, row by row. */
    void backwardRows(Kernels k, int r0, int r1, float[] a, float[] g, float[] delta) {
        for (int r = r0; r < r1; r++) {
            activation.backward(k, out, a, g, delta, r * out);
        }
    }

    /** Samples {@code [r0, r1)}: {@code G_in = Delta W}, the error sent back to the inputs. */
    void sendBackRows(Kernels k, int r0, int r1, float[] delta, float[] gIn) {
        k.gemm(false, false, r1 - r0, in, out, 1f, delta, r0 * out, out, weights, 0, in, 0f, gIn, r0 * in, in);
    }

    /**
     * Rows {@code [o0, o1)} of the weight gradient {@code Delta^T X} summed over the batch's {@code
     * rows} samples, into the same rows of {@code gw} (overwritten), and the same entries of the bias
     * gradient, the column sums of Delta.
     */
    void gradientRows(Kernels k, int rows, float[] delta, float[] x, int o0, int o1, float[] gw, float[] gb) {
        k.gemm(true, false, o1 - o0, in, rows, 1f, delta, o0, out, x, 0, in, 0f, gw, o0 * in, in);
        biasGradientRows(k, rows, delta, o0, o1, gb);
    }

    /**
     * Plain gradient descent on rows {@code [o0, o1)}: {@code W += alpha Delta^T X} as one product
     * into the weights (beta 1), without the gradient as a matrix of its own, and {@code b += alpha
     * (column sums of Delta)} through {@code gb} (overwritten with the bias gradient). Where the
     * backend's gemm adds each finished sum to C with one FMA (see {@link Kernels#gemm}), the same
     * bits as {@link #gradientRows} followed by {@code axpy(alpha)} of the gradient into the weights.
     * With {@code turned} (W^T in panels, see {@link #turn}) not null, the step goes into its columns
     * {@code [o0, o1)} instead of W, as {@code W^T += alpha X^T Delta}, with the same bits.
     */
    void descendRows(Kernels k, int rows, float[] delta, float[] x, float[] turned, int o0, int o1, float alpha,
                     float[] gb) {
        if (turned == null) {
            k.gemm(true, false, o1 - o0, in, rows, alpha, delta, o0, out, x, 0, in, 1f, weights, o0 * in, in);
        } else {
            for (int c0 = o0, c1; c0 < o1; c0 = c1) {
                c1 = Math.min(o1, (c0 / PANEL + 1) * PANEL);
                k.gemm(true, false, in, c1 - c0, rows, alpha, x, 0, in, delta, c0, out, 1f, turned, turnedIndex(0, c0),
                        PANEL);
            }
        }
        biasGradientRows(k, rows, delta, o0, o1, gb);
        k.axpy(o1 - o0, alpha, gb, o0, biases, o0);
    }

    /** Entries {@code [o0, o1)} of the bias gradient, the column sums of Delta, into {@code gb}. */
    private void biasGradientRows(Kernels k, int rows, float[] delta, int o0, int o1, float[] gb) {
        Arrays.fill(gb, o0, o1, 0f);
        for (int r = 0; r < rows; r++) {
            k.add(o1 - o0, gb, o0, delta, r * out + o0, gb, o0);
        }
    }

    /**
     * Columns of W^T per panel of a turned copy: the register tile's width at 16 lanes, so that the
     * vector gemm reads a panel in place with the steps of its own packed panels.
     */
    static final int PANEL = 32;

    /** Floats in a turned copy of an {@code out x in} layer's weights (see {@link #turn}). */
    static int turnedSize(int in, int out) {
        return (out + PANEL - 1) / PANEL * PANEL * in;
    }

    /** Where W^T's element (i, o), that is W's (o, i), lies in a turned copy. */
    private int turnedIndex(int i, int o) {
        return o / PANEL * PANEL * in + i * PANEL + o % PANEL;
    }

    /** Columns {@code [o0, o1)} of {@code Z = X W^T} from a turned copy, one panel at a time. */
    private void multiplyTurned(Kernels k, int rows, float[] x, int xOff, float[] turned, float[] z, int zOff, int o0,
                                int o1) {
        for (int c0 = o0, c1; c0 < o1; c0 = c1) {
            c1 = Math.min(o1, (c0 / PANEL + 1) * PANEL);
            k.gemm(false, false, rows, c1 - c0, in, 1f, x, xOff, in, turned, turnedIndex(0, c0), PANEL, 0f, z,
                    zOff + c0, out);
        }
    }

    /**
     * Copies W into {@code turned} when {@code toTurned}, else back: W^T ({@code in x out}) in panels
     * of {@link #PANEL} columns, each an {@code in x PANEL} row-major matrix, one after the other (a
     * last, narrower panel keeps its stride of PANEL). A panel's rows are then contiguous runs of
     * outputs that the vector gemm reads in place with constant steps, with no copy into its own
     * panels. From W^T stored row by row, read with a step of its row (a run time value), the forward
     * product of a 784-128 layer at batch 32 was about 13% slower in one JVM, and its weight gradient,
     * one product instead of four, about 4% faster. Square blocks, so that both sides are read and
     * written a few cache lines at a time.
     */
    void turn(float[] turned, boolean toTurned) {
        final int block = 16;
        for (int o0 = 0; o0 < out; o0 += block) {
            int o1 = Math.min(out, o0 + block);
            for (int i0 = 0; i0 < in; i0 += block) {
                int i1 = Math.min(in, i0 + block);
                for (int o = o0; o < o1; o++) {
                    for (int i = i0; i < i1; i++) {
                        if (toTurned) {
                            turned[turnedIndex(i, o)] = weights[o * in + i];
                        } else {
                            weights[o * in + i] = turned[turnedIndex(i, o)];
                        }
                    }
                }
            }
        }
    }

    // ---- the reference ----------------------------------------------------------------------

    /**
     * The forward pass in double precision without the kernels, with the given parameters (a double
     * copy of this layer's, which the gradient check perturbs).
     */
    void forwardDouble(double[] w, double[] b, double[] x, int xOff, double[] z, double[] a) {
        for (int i = 0; i < out; i++) {
            double acc = b[i];
            for (int j = 0; j < in; j++) {
                acc += w[i * in + j] * x[xOff + j];
            }
            z[i] = acc;
        }
        activation.forwardDouble(out, z, a);
    }
}
