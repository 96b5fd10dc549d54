package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Locale;

/**
 * The activation A of a dense layer, applied to its pre-activation z = l_prev W^T + b.
 *
 * <p>Each constant carries its own three pieces: {@link #forward} ({@code a = A(z)}), {@link
 * #backward} (the chain rule through A, from its output), and {@link #forwardDouble}, the same
 * function in double precision without the kernels, which the gradient check differentiates
 * numerically. tanh and softmax run through the {@link Kernels} backend (they dominate the cost of an
 * activation); sigmoid and ReLU are plain Java loops because the kernels have no such operation and
 * they cost one pass over a vector of the layer's width.
 *
 * <p>All work on one row of width n at {@code off}; batches call them row by row, so a sample's result
 * does not depend on how many rows are processed together.
 */
public enum Activation {
    /** {@code a = tanh(z)}; {@code A' = 1 - a^2}. */
    TANH("tanh", 5.0 / 3.0) {
        @Override
        void forward(Kernels k, int n, float[] z, float[] a, int off) {
            k.tanh(n, z, off, a, off);
        }

        @Override
        void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off) {
            k.tanhGradFromOutput(n, a, off, dz, off);
            k.mul(n, dz, off, g, off, dz, off);
        }

        @Override
        void forwardDouble(int n, double[] z, double[] a) {
            for (int i = 0; i < n; i++) {
                a[i] = Math.tanh(z[i]);
            }
        }
    },
    /** {@code a_i = exp(z_i) / sum_j exp(z_j)}; its Jacobian {@code diag(a) - a a^T} is applied, never built. */
    SOFTMAX("softmax", 1.0) {
        @Override
        void forward(Kernels k, int n, float[] z, float[] a, int off) {
            k.softmax(n, z, off, a, off);
        }

        @Override
        void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off) {
            k.softmaxBackward(n, a, off, g, off, dz, off);
        }

        @Override
        void forwardDouble(int n, double[] z, double[] a) {
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
    },
    /** {@code a = 1 / (1 + exp(-z))}; {@code A' = a (1 - a)}. */
    SIGMOID("sigmoid", 1.0) {
        @Override
        void forward(Kernels k, int n, float[] z, float[] a, int off) {
            for (int i = off; i < off + n; i++) {
                a[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
            }
        }

        @Override
        void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off) {
            for (int i = off; i < off + n; i++) {
                dz[i] = g[i] * a[i] * (1f - a[i]);
            }
        }

        @Override
        void forwardDouble(int n, double[] z, double[] a) {
            for (int i = 0; i < n; i++) {
                a[i] = 1.0 / (1.0 + Math.exp(-z[i]));
            }
        }
    },
    /** {@code a = max(0, z)}; {@code A' = 1} where {@code z > 0}, else 0 (0 at the kink). */
    RELU("relu", Math.sqrt(2.0)) {
        @Override
        void forward(Kernels k, int n, float[] z, float[] a, int off) {
            for (int i = off; i < off + n; i++) {
                a[i] = Math.max(0f, z[i]);
            }
        }

        @Override
        void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off) {
            for (int i = off; i < off + n; i++) {
                dz[i] = a[i] > 0f ? g[i] : 0f;
            }
        }

        @Override
        void forwardDouble(int n, double[] z, double[] a) {
            for (int i = 0; i < n; i++) {
                a[i] = Math.max(0.0, z[i]);
            }
        }
    },
    /** {@code a = z}. */
    IDENTITY("identity", 1.0) {
        @Override
        void forward(Kernels k, int n, float[] z, float[] a, int off) {
            System.arraycopy(z, off, a, off, n);
        }

        @Override
        void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off) {
            System.arraycopy(g, off, dz, off, n);
        }

        @Override
        void forwardDouble(int n, double[] z, double[] a) {
            System.arraycopy(z, 0, a, 0, n);
        }
    };

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
     * Whether every output lies within [-1, 1] in exact arithmetic (tanh, softmax, sigmoid), so
     * within 2 after the kernels' rounding.
     */
    boolean outputsWithinOne() {
        return this == TANH || this == SOFTMAX || this == SIGMOID;
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
     * row, the others are elementwise. {@code a} may be {@code z}.
     */
    abstract void forward(Kernels k, int n, float[] z, float[] a, int off);

    /**
     * The chain rule through A for one row: given the output {@code a = A(z)} and {@code g = dL/da},
     * writes {@code dz = dL/dz} (all three at {@code off}); with g = 1 that is the derivative itself.
     * {@code dz} must be a different array from {@code g} and {@code a}.
     */
    abstract void backward(Kernels k, int n, float[] a, float[] g, float[] dz, int off);

    /** The forward pass in double precision, without the kernels (the gradient check's reference). */
    abstract void forwardDouble(int n, double[] z, double[] a);
}
