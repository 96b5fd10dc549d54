package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Locale;

/**
 * The loss of one sample with integer label c, from the network's output {@code p = A_L(z)}. A batch's
 * loss is the mean over its samples, so the learning rate does not depend on the batch size.
 *
 * <p>Each constant carries its own value ({@link #rowLoss}), derivative ({@link #outputDelta}) and
 * double-precision reference ({@link #valueDouble}).
 */
public enum Loss {
    /**
     * Squared error against the one-hot target y: {@code L = sum_i (y_i - p_i)^2}, with
     * {@code dL/dp = 2 (p - y)}, sent back through the output activation (for softmax as the
     * Jacobian-vector product {@code p_i (g_i - <p, g>)}). Any output activation.
     */
    SQUARED_ERROR("mse") {
        @Override
        float rowLoss(Kernels k, int n, float[] p, float[] z, float[] targets, int[] labels, int r) {
            int off = r * n;
            return k.squaredError(n, p, off, targets, off);
        }

        @Override
        void outputDelta(Kernels k, Activation output, int n, float[] p, float[] targets, int[] labels,
                         float[] g, float[] delta, int r) {
            int off = r * n;
            k.squaredErrorGradient(n, p, off, targets, off, g, off);
            output.backward(k, n, p, g, delta, off);
        }

        @Override
        double valueDouble(int n, double[] p, double[] z, int label) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double d = (i == label ? 1.0 : 0.0) - p[i];
                s += d * d;
            }
            return s;
        }
    },
    /**
     * Cross-entropy on a softmax output: {@code L = -log p_c = logsumexp(z) - z_c}, computed from the
     * logits z so that it stays finite for any finite z. Its gradient with respect to the logits is the
     * fused {@code p - y}. Requires {@link Activation#SOFTMAX} on the output layer.
     */
    CROSS_ENTROPY("xent") {
        @Override
        public void requireCompatible(Activation output) {
            if (output != Activation.SOFTMAX) {
                throw new IllegalArgumentException("the xent loss needs a softmax output layer, got " + output.id());
            }
        }

        @Override
        float rowLoss(Kernels k, int n, float[] p, float[] z, float[] targets, int[] labels, int r) {
            int off = r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, z[off + i]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp((double) z[off + i] - max);
            }
            return (float) (Math.log(sum) + max - z[off + labels[r]]);
        }

        @Override
        void outputDelta(Kernels k, Activation output, int n, float[] p, float[] targets, int[] labels,
                         float[] g, float[] delta, int r) {
            int off = r * n;
            System.arraycopy(p, off, delta, off, n);
            delta[off + labels[r]] -= 1f;
        }

        @Override
        double valueDouble(int n, double[] p, double[] z, int label) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, z[i]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(z[i] - max);
            }
            return Math.log(sum) + max - z[label];
        }
    };

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    /** The name on the command line and in model files: mse or xent. */
    public String id() {
        return id;
    }

    /** The loss by its {@link #id()}, case-insensitive; also accepts the enum names. */
    public static Loss named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Loss l : values()) {
            if (l.id.equals(n) || l.name().toLowerCase(Locale.ROOT).equals(n)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + name + "' (expected mse or xent)");
    }

    /**
     * Checks that this loss can follow the given output activation.
     *
     * @throws IllegalArgumentException for cross-entropy without softmax
     */
    public void requireCompatible(Activation output) {
    }

    /**
     * The loss of row {@code r} of a batch stored row after row (width n): outputs {@code p}, logits
     * {@code z}, one-hot {@code targets} of the row {@code labels[r]}.
     */
    abstract float rowLoss(Kernels k, int n, float[] p, float[] z, float[] targets, int[] labels, int r);

    /**
     * Writes {@code dL/dz} of the output layer for row {@code r} into {@code delta}, using {@code g} as
     * scratch: the loss's derivative, through the output activation.
     */
    abstract void outputDelta(Kernels k, Activation output, int n, float[] p, float[] targets, int[] labels,
                              float[] g, float[] delta, int r);

    /**
     * Makes row {@code row} of the one-hot {@code targets} (width n) stand for {@code label}, and
     * records it in {@code labels[row]}, which must hold the row's previous label (the buffers start
     * as zeros): only two entries are written.
     */
    static void setTarget(float[] targets, int[] labels, int row, int n, int label) {
        targets[row * n + labels[row]] = 0f;
        targets[row * n + label] = 1f;
        labels[row] = label;
    }

    /** The same loss in double precision from the reference forward pass (the gradient check's reference). */
    abstract double valueDouble(int n, double[] p, double[] z, int label);
}
