package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;

/**
 * Backpropagation for one sample at a time, with buffers sized once. After {@link #run}, {@code
 * delta[n]} holds {@code dL/dz_n} of every layer, computed with the weights as they were during the
 * forward pass; the weight gradient of layer n is then {@code outer(delta[n], input(n))}.
 *
 * <p>This is the per-sample path; a batched (gemm) path would replace the loop over samples that
 * calls it, not its callers.
 */
final class Backprop {
    final Network net;
    final Kernels k;
    final Loss loss;
    final Network.Workspace ws;
    /** dL/da per layer (scratch for the chain rule). */
    private final float[][] g;
    /** dL/dz per layer. */
    final float[][] delta;
    private final float[] target;
    private float[] x;
    private int xOff;

    Backprop(Network net, Kernels k, Loss loss) {
        loss.requireCompatible(net.activation(net.layers() - 1));
        this.net = net;
        this.k = k;
        this.loss = loss;
        this.ws = net.newWorkspace(k);
        int layers = net.layers();
        g = new float[layers][];
        delta = new float[layers][];
        for (int l = 0; l < layers; l++) {
            g[l] = new float[net.width(l + 1)];
            delta[l] = new float[net.width(l + 1)];
        }
        target = new float[net.outputs()];
    }

    /** Forward pass, loss and every layer's delta for the sample at {@code x[xOff ..]} with this label. Returns the loss. */
    float run(float[] x, int xOff, int label) {
        this.x = x;
        this.xOff = xOff;
        float[] p = net.forward(x, xOff, ws);
        int top = net.layers() - 1;
        int classes = net.outputs();
        Arrays.fill(target, 0f);
        target[label] = 1f;
        float value = loss.value(k, classes, p, ws.z[top], target, label);
        loss.outputDelta(k, net.activation(top), classes, p, target, label, g[top], delta[top]);
        for (int l = top; l > 0; l--) {
            int m = net.width(l + 1);
            int n = net.width(l);
            k.gemvT(m, n, 1f, net.weights[l], 0, n, delta[l], 0, 0f, g[l - 1], 0);
            net.activation(l - 1).backward(k, n, ws.a[l - 1], g[l - 1], delta[l - 1]);
        }
        return value;
    }

    /** The input of layer {@code l} in the last run: the sample for l = 0, else the previous activation. */
    float[] input(int l) {
        return l == 0 ? x : ws.a[l - 1];
    }

    int inputOffset(int l) {
        return l == 0 ? xOff : 0;
    }

    /** Adds {@code alpha} times the last run's gradient to the given weight and bias arrays. */
    void addGradient(float alpha, float[][] w, float[][] b) {
        for (int l = 0; l < net.layers(); l++) {
            int m = net.width(l + 1);
            int n = net.width(l);
            k.ger(m, n, alpha, delta[l], 0, input(l), inputOffset(l), w[l], 0, n);
            k.axpy(m, alpha, delta[l], 0, b[l], 0);
        }
    }

    /**
     * The squared Euclidean norm of the last run's gradient over all parameters, exact for a rank-1
     * gradient: {@code sum_n |delta_n|^2 (|input_n|^2 + 1)}. Costs a pass over the activations only.
     */
    double gradientNormSquared() {
        double s = 0;
        for (int l = 0; l < net.layers(); l++) {
            int n = net.width(l);
            double dd = k.dot(net.width(l + 1), delta[l], 0, delta[l], 0);
            double xx = k.dot(n, input(l), inputOffset(l), input(l), inputOffset(l));
            s += dd * (xx + 1.0);
        }
        return s;
    }
}
