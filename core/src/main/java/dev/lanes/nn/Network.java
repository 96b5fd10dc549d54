package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * A multilayer perceptron of dense layers: {@code l_n = A_n(l_{n-1} W_n^T + b_n)} for n = 1..L, with
 * {@code l_0} the input.
 *
 * <p>Layer n's weights are stored row-major as an {@code out x in} matrix (PyTorch's {@code Linear}
 * layout), so the forward pass is one gemv over contiguous rows and the weight gradient one rank-1
 * update ger(delta, l_{n-1}).
 *
 * <h2>Threads</h2>
 * Inference ({@link #predict}, {@link #classify}) only reads the parameters and keeps every
 * intermediate value in a {@link Workspace}; each thread uses its own workspace (from {@link
 * #newWorkspace}), and then any number of threads may run inference on one network at once. A
 * {@link Trainer} updates the parameters in place, so inference must not run while the same network
 * trains; hand the network to other threads after training through a synchronising action (an
 * executor submission, a thread start, a volatile or final field) so they see the final weights.
 */
public final class Network {
    private final int[] sizes;
    private final Activation[] activations;
    final float[][] weights;
    final float[][] biases;
    /** The layers' work (forward, backward, gradients) over the arrays above. */
    private final Dense[] dense;

    private Network(int[] sizes, Activation[] activations, float[][] weights, float[][] biases) {
        this.sizes = sizes;
        this.activations = activations;
        this.weights = weights;
        this.biases = biases;
        this.dense = new Dense[activations.length];
        for (int l = 0; l < dense.length; l++) {
            dense[l] = new Dense(sizes[l], sizes[l + 1], weights[l], biases[l], activations[l]);
        }
    }

    /**
     * A network with Glorot/Xavier uniform initial weights: layer n's weights are drawn uniformly from
     * {@code [-r, r]} with {@code r = gain * sqrt(6 / (in + out))} (gain from {@link
     * Activation#initGain()}, 5/3 for tanh), biases are 0. The same seed gives the same weights.
     *
     * @param sizes the layer widths, input first: {@code {784, 128, 10}} is one hidden layer
     * @param activations one per layer after the input ({@code sizes.length - 1} of them)
     */
    public static Network glorot(int[] sizes, Activation[] activations, long seed) {
        checkArchitecture(sizes, activations);
        Random random = new Random(seed);
        int layers = activations.length;
        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            float range = (float) (activations[l].initGain() * Math.sqrt(6.0 / (in + out)));
            w[l] = new float[out * in];
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = range * (2f * random.nextFloat() - 1f);
            }
            b[l] = new float[out];
        }
        return new Network(sizes.clone(), activations.clone(), w, b);
    }

    /**
     * A network with the given parameters (copied). {@code weights[n]} is layer n's {@code out x in}
     * matrix, row-major; {@code biases[n]} has {@code out} entries.
     *
     * @throws IllegalArgumentException if a size does not match the architecture or a value is not finite
     */
    public static Network of(int[] sizes, Activation[] activations, float[][] weights, float[][] biases) {
        checkArchitecture(sizes, activations);
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(biases, "biases");
        int layers = activations.length;
        if (weights.length != layers || biases.length != layers) {
            throw new IllegalArgumentException("expected " + layers + " weight and bias arrays, got "
                    + weights.length + " and " + biases.length);
        }
        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = copyChecked("weights[" + l + "]", weights[l], sizes[l + 1] * sizes[l]);
            b[l] = copyChecked("biases[" + l + "]", biases[l], sizes[l + 1]);
        }
        return new Network(sizes.clone(), activations.clone(), w, b);
    }

    private static float[] copyChecked(String name, float[] values, int expected) {
        Objects.requireNonNull(values, name);
        if (values.length != expected) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected " + expected);
        }
        int bad = firstNonFinite(values);
        if (bad >= 0) {
            throw new IllegalArgumentException(name + "[" + bad + "] is " + values[bad]);
        }
        return values.clone();
    }

    private static void checkArchitecture(int[] sizes, Activation[] activations) {
        Objects.requireNonNull(sizes, "sizes");
        Objects.requireNonNull(activations, "activations");
        if (sizes.length < 2) {
            throw new IllegalArgumentException("sizes needs at least an input and an output width, got "
                    + Arrays.toString(sizes));
        }
        if (activations.length != sizes.length - 1) {
            throw new IllegalArgumentException("expected " + (sizes.length - 1) + " activations for sizes "
                    + Arrays.toString(sizes) + ", got " + activations.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1) {
                throw new IllegalArgumentException("sizes[" + i + "] must be >= 1, got " + sizes[i]);
            }
        }
        for (int l = 0; l + 1 < sizes.length; l++) {
            if ((long) sizes[l] * sizes[l + 1] > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("layer " + l + " (" + sizes[l] + " x " + sizes[l + 1]
                        + ") is too large for one array");
            }
            Objects.requireNonNull(activations[l], "activations[" + l + "]");
        }
        for (int l = 0; l + 1 < activations.length; l++) {
            if (activations[l] == Activation.SOFTMAX) {
                throw new IllegalArgumentException("softmax is only supported on the output layer, got it on layer " + l);
            }
        }
    }

    /** Index of the first NaN or infinite value, or -1. */
    static int firstNonFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    /** True if every parameter is finite. */
    public boolean isFinite() {
        for (int l = 0; l < weights.length; l++) {
            if (firstNonFinite(weights[l]) >= 0 || firstNonFinite(biases[l]) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The number of dense layers (the input is not a layer). */
    public int layers() {
        return activations.length;
    }

    /** Width of {@code l_n}: n = 0 is the input, {@link #layers()} the output. */
    public int width(int n) {
        return sizes[Objects.checkIndex(n, sizes.length)];
    }

    public int inputs() {
        return sizes[0];
    }

    public int outputs() {
        return sizes[sizes.length - 1];
    }

    /** All widths, input first (a copy). */
    public int[] sizes() {
        return sizes.clone();
    }

    /** Layer {@code layer}, 0-based: the math of its forward and backward pass. */
    Dense layer(int layer) {
        return dense[layer];
    }

    /** The activation of layer {@code layer}, 0-based. */
    public Activation activation(int layer) {
        return activations[Objects.checkIndex(layer, activations.length)];
    }

    /** All activations (a copy). */
    public Activation[] activations() {
        return activations.clone();
    }

    /** A copy of layer {@code layer}'s weights, {@code out x in} row-major. */
    public float[] weights(int layer) {
        return weights[Objects.checkIndex(layer, weights.length)].clone();
    }

    /** A copy of layer {@code layer}'s biases. */
    public float[] biases(int layer) {
        return biases[Objects.checkIndex(layer, biases.length)].clone();
    }

    /** The number of parameters, weights and biases. */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < weights.length; l++) {
            n += weights[l].length + biases[l].length;
        }
        return n;
    }

    /** A deep copy. */
    public Network copy() {
        float[][] w = new float[weights.length][];
        float[][] b = new float[biases.length][];
        for (int l = 0; l < w.length; l++) {
            w[l] = weights[l].clone();
            b[l] = biases[l].clone();
        }
        return new Network(sizes.clone(), activations.clone(), w, b);
    }

    /** Copies every parameter from {@code source} (same architecture) into this network. */
    void copyParametersFrom(float[][] sourceWeights, float[][] sourceBiases) {
        for (int l = 0; l < weights.length; l++) {
            System.arraycopy(sourceWeights[l], 0, weights[l], 0, weights[l].length);
            System.arraycopy(sourceBiases[l], 0, biases[l], 0, biases[l].length);
        }
    }

    /** A workspace for one thread's inference (or training) on this network with the given backend. */
    public Workspace newWorkspace(Kernels kernels) {
        return new Workspace(this, kernels);
    }

    /**
     * Runs the network on {@code x[xOff .. xOff + inputs())} and copies the output {@code l_L} into
     * {@code out[outOff .. outOff + outputs())}. Allocates nothing.
     *
     * @throws IllegalArgumentException if the workspace belongs to another architecture
     */
    public void predict(float[] x, int xOff, float[] out, int outOff, Workspace ws) {
        Objects.checkFromIndexSize(outOff, outputs(), Objects.requireNonNull(out, "out").length);
        System.arraycopy(forward(x, xOff, ws), 0, out, outOff, outputs());
    }

    /** The index of the largest output for the input at {@code x[xOff ..]}: the predicted class. Allocates nothing. */
    public int classify(float[] x, int xOff, Workspace ws) {
        return argmax(forward(x, xOff, ws), outputs());
    }

    static int argmax(float[] v, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The forward pass; returns the workspace's output array (valid until its next use). */
    float[] forward(float[] x, int xOff, Workspace ws) {
        firstProduct(x, xOff, ws);
        return forwardFromFirstProduct(ws);
    }

    /** The first layer's product {@code ws.z[0] = W_1 x}, the part of {@link #forward} before its bias. */
    void firstProduct(float[] x, int xOff, Workspace ws) {
        Objects.requireNonNull(x, "x");
        Objects.checkFromIndexSize(xOff, sizes[0], x.length);
        ws.requireFor(this);
        dense[0].multiply(ws.kernels, x, xOff, ws.z[0]);
    }

    /**
     * The forward pass once {@code ws.z[0]} holds the first layer's product {@code W_1 x}: its bias
     * and activation, then every later layer. Split off so that the trainer can compute that product
     * fused with the previous sample's update of W_1 ({@link Dense#updateThenMultiply}).
     */
    float[] forwardFromFirstProduct(Workspace ws) {
        dense[0].biasAndActivate(ws.kernels, ws.z[0], ws.a[0]);
        return forwardFromLayer(1, ws);
    }

    private float[] forwardFromLayer(int first, Workspace ws) {
        for (int l = first; l < dense.length; l++) {
            dense[l].forward(ws.kernels, ws.a[l - 1], 0, ws.z[l], ws.a[l]);
        }
        return ws.a[dense.length - 1];
    }

    /**
     * The buffers of one forward pass: per layer the pre-activation z and the activation a. Not
     * thread-safe: one per thread.
     */
    public static final class Workspace {
        final Kernels kernels;
        private final int[] sizes;
        final float[][] z;
        final float[][] a;

        Workspace(Network net, Kernels kernels) {
            this.kernels = Objects.requireNonNull(kernels, "kernels");
            this.sizes = net.sizes;
            int layers = net.layers();
            z = new float[layers][];
            a = new float[layers][];
            for (int l = 0; l < layers; l++) {
                z[l] = new float[net.sizes[l + 1]];
                a[l] = new float[net.sizes[l + 1]];
            }
        }

        void requireFor(Network net) {
            if (sizes != net.sizes && !Arrays.equals(sizes, net.sizes)) {
                throw new IllegalArgumentException("workspace is for layers " + Arrays.toString(sizes)
                        + ", the network has " + Arrays.toString(net.sizes));
            }
        }

        /** The backend this workspace runs on. */
        public Kernels kernels() {
            return kernels;
        }
    }
}
