package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Arrays;

/**
 * Backpropagation of a whole mini-batch with matrix-matrix products, buffers sized once for the
 * largest batch. The batch's samples are the rows of every buffer: with X the {@code b x in} inputs,
 * a layer computes {@code Z = X W^T + 1 b^T} (one gemm, NT) and {@code A = A(Z)} row by row; the
 * backward pass sends the error back with {@code G = Delta W} (gemm, NN) and takes the weight
 * gradient summed over the batch as {@code Delta^T X} (gemm, TN) and the bias gradient as the column
 * sums of Delta. Mathematically the same sums as running {@link Backprop} on each sample and adding
 * up the gradients; the products associate their terms differently, so the results agree up to float
 * rounding.
 */
final class BatchBackprop {
    private final Network net;
    private final Kernels k;
    private final Loss loss;
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

    BatchBackprop(Network net, Kernels k, Loss loss, int capacity) {
        loss.requireCompatible(net.activation(net.layers() - 1));
        this.net = net;
        this.k = k;
        this.loss = loss;
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
    }

    /**
     * Runs the samples {@code order[from .. from + rows)} of {@code data} as one batch: writes the sum
     * over the batch of each layer's weight and bias gradient into {@code gradW} and {@code gradB}
     * (overwriting them) and returns the summed loss. At most {@code capacity} rows.
     */
    double run(Dataset data, int[] order, int from, int rows, float[][] gradW, float[][] gradB) {
        int features = net.inputs();
        int classes = net.outputs();
        float[] x = data.featuresArray();
        for (int r = 0; r < rows; r++) {
            int i = order[from + r];
            System.arraycopy(x, i * features, input, r * features, features);
            Loss.setTarget(targets, labels, r, classes, data.label(i));
        }
        int top = net.layers() - 1;
        for (int l = 0; l <= top; l++) {
            int n = net.width(l);
            int m = net.width(l + 1);
            k.gemm(false, true, rows, m, n, 1f, input(l), 0, n, net.weights[l], 0, n, 0f, z[l], 0, m);
            for (int r = 0; r < rows; r++) {
                k.add(m, z[l], r * m, net.biases[l], 0, z[l], r * m);
            }
            net.activation(l).forward(k, rows, m, z[l], a[l]);
        }
        double lossSum = loss.sum(k, rows, classes, a[top], z[top], targets, labels);
        loss.outputDelta(k, net.activation(top), rows, classes, a[top], targets, labels, g[top], delta[top]);
        for (int l = top; l >= 0; l--) {
            int n = net.width(l);
            int m = net.width(l + 1);
            k.gemm(true, false, m, n, rows, 1f, delta[l], 0, m, input(l), 0, n, 0f, gradW[l], 0, n);
            Arrays.fill(gradB[l], 0f);
            for (int r = 0; r < rows; r++) {
                k.add(m, gradB[l], 0, delta[l], r * m, gradB[l], 0);
            }
            if (l > 0) {
                k.gemm(false, false, rows, n, m, 1f, delta[l], 0, m, net.weights[l], 0, n, 0f, g[l - 1], 0, n);
                net.activation(l - 1).backward(k, rows, n, a[l - 1], g[l - 1], delta[l - 1]);
            }
        }
        return lossSum;
    }

    /** The input rows of layer {@code l}: the gathered samples for l = 0, else the previous activations. */
    private float[] input(int l) {
        return l == 0 ? input : a[l - 1];
    }
}
