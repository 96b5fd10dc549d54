package dev.lanes.nn;

import dev.lanes.kernels.Kernels;

/**
 * Backpropagation for one sample at a time, with buffers sized once: the chain rule through the
 * network's {@link Dense} layers, from the loss's derivative at the output back to the first layer.
 * After {@link #run}, {@code delta[n]} holds {@code dL/dz_n} of every layer, computed with the
 * weights as they were during the forward pass; the weight gradient of layer n is then {@code
 * outer(delta[n], input(n))}.
 *
 * <h2>The deferred first-layer update</h2>
 * Per-sample descent reads W_1 (the largest matrix) twice per sample: the forward product and the
 * rank-1 update. {@link #applyGradientDeferringFirstWeights} applies every other part of the step at
 * once but keeps W_1's rank-1 update pending; the next {@link #run} applies it in the same pass over
 * W_1 as that sample's forward product ({@link Dense#updateThenMultiply}, bit-identical to the update
 * followed by the product). While an update is pending, W_1 is stale: anything else that reads the weights
 * must call {@link #flush} first. The pending update refers to the sample's input array, which must
 * not change until then.
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
    private final int[] label = new int[1];
    private float[] x;
    private int xOff;
    /** The pending update of W_1 is {@code pendingAlpha * outer(pendingDelta, pendingX[pendingXOff ..])}. */
    private final float[] pendingDelta;
    private float pendingAlpha;
    private float[] pendingX;
    private int pendingXOff;

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
        pendingDelta = new float[net.width(1)];
    }

    /**
     * Forward pass (applying a pending first-layer update on the way), loss and every layer's delta
     * for the sample at {@code x[xOff ..]} with this label. Returns the loss.
     */
    float run(float[] x, int xOff, int label) {
        // Both branches only compute z_1 = W_1 x; the rest of the pass is one call that every sample
        // takes. The branch without a pending update runs once per checkpoint (after a flush): had it
        // called net.forward, the first layer's bias and activation would go through standalone
        // copies of Dense.forward and the small kernels, called too rarely for C2 to compile them.
        // In C1 code every Vector API operation allocates (1480 bytes an epoch at 16 lanes, seen in
        // the test JVM whenever an earlier test had left no C2 copy of VectorKernels.addK).
        if (pendingX != null) {
            net.layer(0).updateThenMultiply(k, pendingAlpha, pendingDelta, pendingX, pendingXOff, x, xOff, ws.z[0]);
            pendingX = null;
        } else {
            net.firstProduct(x, xOff, ws);
        }
        float[] p = net.forwardFromFirstProduct(ws);
        this.x = x;
        this.xOff = xOff;
        int top = net.layers() - 1;
        int classes = net.outputs();
        Loss.setTarget(target, this.label, 0, classes, label);
        float value = loss.rowLoss(k, classes, p, ws.z[top], target, this.label, 0);
        loss.outputDelta(k, net.activation(top), classes, p, target, this.label, g[top], delta[top], 0);
        for (int l = top; l > 0; l--) {
            net.layer(l).sendBack(k, delta[l], g[l - 1]);
            net.layer(l - 1).backward(k, ws.a[l - 1], g[l - 1], delta[l - 1]);
        }
        return value;
    }

    /**
     * Adds {@code alpha} times the last run's gradient to the network's parameters, except W_1's part,
     * which stays pending until the next {@link #run} or {@link #flush}.
     */
    void applyGradientDeferringFirstWeights(float alpha) {
        for (int l = 1; l < net.layers(); l++) {
            net.layer(l).addGradient(k, alpha, delta[l], ws.a[l - 1], 0, net.weights[l], net.biases[l]);
        }
        net.layer(0).addBiasGradient(k, alpha, delta[0], net.biases[0]);
        System.arraycopy(delta[0], 0, pendingDelta, 0, pendingDelta.length);
        pendingAlpha = alpha;
        pendingX = x;
        pendingXOff = xOff;
    }

    /** Applies a pending first-layer update, if any: afterwards the network's weights are current. */
    void flush() {
        if (pendingX != null) {
            net.layer(0).addWeightGradient(k, pendingAlpha, pendingDelta, pendingX, pendingXOff, net.weights[0]);
            pendingX = null;
        }
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
            net.layer(l).addGradient(k, alpha, delta[l], input(l), inputOffset(l), w[l], b[l]);
        }
    }

    /**
     * At least the norm of the last run's gradient, from the errors alone ({@link NormBounds#quick});
     * infinite or NaN where none is found, and where {@link #gradientNormSquared}'s float dot products
     * could overflow (at a quarter of the float range, which leaves twice their rounding).
     */
    double quickGradientNormBound(float featureBound) {
        return NormBounds.quick(net, 1, featureBound, delta, ws.a, Float.MAX_VALUE / 4.0);
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
