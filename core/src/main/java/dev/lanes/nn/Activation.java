package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Locale;

/**
 * The activation A of a dense layer, applied to its pre-activation z = l_prev W^T + b.
 *
 * <p>tanh and softmax run through the {@link Kernels} backend (they dominate the cost of an
 * activation); sigmoid and ReLU are plain Java loops because the kernels have no such operation and
 * they cost one pass over a vector of the layer's width.
 */
public enum Activation {
    /** {@code a = tanh(z)}; {@code A' = 1 - a^2}. */
    TANH("tanh", 5.0 / 3.0),
    /** {@code a_i = exp(z_i) / sum_j exp(z_j)}; its Jacobian {@code diag(a) - a a^T} is applied, never built. */
    SOFTMAX("softmax", 1.0),
    /** {@code a = 1 / (1 + exp(-z))}; {@code A' = a (1 - a)}. */
    SIGMOID("sigmoid", 1.0),
    /** {@code a = max(0, z)}; {@code A' = 1} where {@code z > 0}, else 0 (0 at the kink). */
    RELU("relu", Math.sqrt(2.0)),
    /** {@code a = z}. */
    IDENTITY("identity", 1.0);

    private final String id;
    private final double gain;

    Activation(String id, double gain) {
        this.id = id;
        this.gain = gain;
    }

    /** The name used on the command line and in model files: tanh, softmax, sigmoid, relu, identity. */
    public String id() {
        return id;
    }

    /**
     * The gain of the Glorot/Xavier initialisation for a layer with this activation (the factor that
     * keeps the variance of activations roughly constant across layers): 5/3 for tanh, sqrt(2) for
     * ReLU, 1 otherwise.
     */
    public double initGain() {
        return gain;
    }

    /**
     * The activation by its {@link #id()}, case-insensitive.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Activation named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Activation a : values()) {
            if (a.id.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name
                + "' (expected tanh, softmax, sigmoid, relu or identity)");
    }

    /**
     * {@code a = A(z)} for one row of width n at {@code off} in both arrays; softmax normalises the
     * row, the others are elementwise. {@code a} may be {@code z}. Batches call this row by row, so a
     * sample's result does not depend on how many rows are processed together.
     */
    void forward(Kernels k, int n, float[] z, float[] a, int off) {
        switch (this) {
            case TANH -> k.tanh(n, z, off, a, off);
            case SOFTMAX -> k.softmax(n, z, off, a, off);
            case SIGMOID -> {
                for (int i = off; i < off + n; i++) {
                    a[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
                }
            }
            case RELU -> {
                for (int i = off; i < off + n; i++) {
                    a[i] = Math.max(0f, z[i]);
                }
            }
            case IDENTITY -> System.arraycopy(z, off, a, off, n);
        }
    }

    /**
     * The chain rule through A for one row, as in {@link #forward}: given the output {@code a = A(z)}
     * and {@code g = dL/da}, writes {@code dz = dL/dz} (all three at {@code off}). {@code dz} must be a
     * different array from {@code g} and {@code a}.
     */
    void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off) {
        switch (this) {
            case TANH -> {
                k.tanhGradFromOutput(n, a, off, dz, off);
                k.mul(n, dz, off, g, off, dz, off);
            }
            case SOFTMAX -> k.softmaxBackward(n, a, off, g, off, dz, off);
            case SIGMOID -> {
                for (int i = off; i < off + n; i++) {
                    dz[i] = g[i] * a[i] * (1f - a[i]);
                }
            }
            case RELU -> {
                for (int i = off; i < off + n; i++) {
                    dz[i] = a[i] > 0f ? g[i] : 0f;
                }
            }
            case IDENTITY -> System.arraycopy(g, off, dz, off, n);
        }
    }

    /** The reference forward pass in double precision, without the kernels (for the gradient check). */
    void forwardDouble(int n, double[] z, double[] a) {
        switch (this) {
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.tanh(z[i]);
                }
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, z[i]);
                }
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    a[i] = Math.exp(z[i] - max);
                    sum += a[i];
                }
                for (int i = 0; i < n; i++) {
                    a[i] /= sum;
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    a[i] = 1.0 / (1.0 + Math.exp(-z[i]));
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.max(0.0, z[i]);
                }
            }
            case IDENTITY -> System.arraycopy(z, 0, a, 0, n);
        }
    }
}
