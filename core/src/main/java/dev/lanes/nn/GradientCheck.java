package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Checks backpropagation against numerical differentiation.
 *
 * <p>The analytic gradient of the mean loss over a few samples is computed as training computes it
 * (float, through the kernels). The numeric gradient of each checked parameter p is the central
 * difference {@code (L(p + h) - L(p - h)) / 2h} with {@code h = 1e-4}, where L is evaluated in double
 * precision by a plain forward pass that does not use the kernels: in float the quotient would be
 * swamped by round-off ({@code 2^-24 / h ~ 1e-3}), in double its error is the truncation
 * {@code O(h^2 L''')}, about 1e-8 here. The two sides are compared by the relative error
 * {@code |a - n| / max(|a|, |n|, tiny)}, where tiny is 1e-3 times the largest |n| of the tensor:
 * an entry a thousand times smaller than the tensor's largest is judged by its absolute error on
 * that scale, because float round-off in sums that cancel (softmax, a batch mean) leaves it an
 * absolute error of about 1e-7 times the larger terms, not a relative one. A correct float
 * implementation scores about 1e-5.
 * ReLU's kink can spoil the difference quotient of an entry whose unit sits within h of 0.
 */
public final class GradientCheck {
    /** The step of the central difference. */
    public static final double H = 1e-4;
    /** The floor of the relative error's denominator, as a fraction of the tensor's largest numeric gradient. */
    public static final double TINY_FRACTION = 1e-3;

    private GradientCheck() {
    }

    /**
     * The largest relative error found in one parameter tensor.
     *
     * @param tensor the tensor's name, as in model files: {@code layers.N.weight} or {@code layers.N.bias}
     * @param checked how many entries were compared
     * @param size the tensor's number of entries
     * @param maxRelativeError the largest {@code |a - n| / max(|a|, |n|, tiny)} among them
     * @param worstIndex the entry where it occurred
     * @param analytic the analytic gradient there
     * @param numeric the central difference there
     */
    public record TensorError(String tensor, int checked, int size, double maxRelativeError, int worstIndex,
                              double analytic, double numeric) {
    }

    /**
     * Compares the gradients of the mean loss over {@code labels.length} samples (row-major in {@code
     * x}) for every tensor of {@code network}: all entries of tensors of at most {@code
     * maxEntriesPerTensor} entries, a random sample of that many (from {@code seed}) of larger ones.
     * The network is not changed.
     *
     * @throws IllegalArgumentException if the sizes do not fit the network, a label is out of range or
     *     the loss does not fit the output activation
     */
    public static List<TensorError> check(Network network, Kernels kernels, Loss loss, float[] x, int[] labels,
                                          int maxEntriesPerTensor, long seed) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(labels, "labels");
        int features = network.inputs();
        if (labels.length == 0 || x.length != labels.length * features) {
            throw new IllegalArgumentException("x has " + x.length + " floats for " + labels.length
                    + " labels of " + features + " features");
        }
        for (int i = 0; i < labels.length; i++) {
            Objects.checkIndex(labels[i], network.outputs());
        }
        if (maxEntriesPerTensor < 1) {
            throw new IllegalArgumentException("maxEntriesPerTensor must be >= 1, got " + maxEntriesPerTensor);
        }
        int layers = network.layers();
        float[][] gw = new float[layers][];
        float[][] gb = new float[layers][];
        for (int l = 0; l < layers; l++) {
            gw[l] = new float[network.weights[l].length];
            gb[l] = new float[network.biases[l].length];
        }
        Backprop bp = new Backprop(network, kernels, loss);
        for (int i = 0; i < labels.length; i++) {
            bp.run(x, i * features, labels[i]);
            bp.addGradient(1f / labels.length, gw, gb);
        }

        Reference ref = new Reference(network, loss, x, labels);
        Random random = new Random(seed);
        List<TensorError> result = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            result.add(compare("layers." + l + ".weight", gw[l], ref.w[l], ref, maxEntriesPerTensor, random));
            result.add(compare("layers." + l + ".bias", gb[l], ref.b[l], ref, maxEntriesPerTensor, random));
        }
        return result;
    }

    private static TensorError compare(String name, float[] analytic, double[] param, Reference ref, int max,
                                       Random random) {
        int size = param.length;
        int checked = Math.min(size, max);
        int[] index = new int[checked];
        double[] numeric = new double[checked];
        double scale = 0;
        for (int c = 0; c < checked; c++) {
            int i = size <= max ? c : random.nextInt(size);
            double saved = param[i];
            param[i] = saved + H;
            double plus = ref.loss();
            param[i] = saved - H;
            double minus = ref.loss();
            param[i] = saved;
            index[c] = i;
            numeric[c] = (plus - minus) / (2 * H);
            scale = Math.max(scale, Math.abs(numeric[c]));
        }
        double tiny = Math.max(TINY_FRACTION * scale, Double.MIN_NORMAL);
        double worst = 0;
        int worstAt = 0;
        for (int c = 0; c < checked; c++) {
            double a = analytic[index[c]];
            double err = Math.abs(a - numeric[c]) / Math.max(Math.max(Math.abs(a), Math.abs(numeric[c])), tiny);
            if (!(err <= worst)) {
                worst = err;
                worstAt = c;
            }
        }
        return new TensorError(name, checked, size, worst, index[worstAt], analytic[index[worstAt]], numeric[worstAt]);
    }

    /** The network in double precision, evaluated without the kernels. */
    private static final class Reference {
        final Network net;
        final Loss loss;
        final double[][] w;
        final double[][] b;
        final double[] x;
        final int[] labels;
        final double[][] z;
        final double[][] a;

        Reference(Network net, Loss loss, float[] x, int[] labels) {
            this.net = net;
            this.loss = loss;
            this.labels = labels;
            this.x = toDouble(x);
            int layers = net.layers();
            w = new double[layers][];
            b = new double[layers][];
            z = new double[layers][];
            a = new double[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = toDouble(net.weights[l]);
                b[l] = toDouble(net.biases[l]);
                z[l] = new double[net.width(l + 1)];
                a[l] = new double[net.width(l + 1)];
            }
        }

        private static double[] toDouble(float[] v) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            return d;
        }

        /** The mean loss over the samples. */
        double loss() {
            int features = net.inputs();
            double sum = 0;
            for (int s = 0; s < labels.length; s++) {
                double[] in = x;
                int inOff = s * features;
                for (int l = 0; l < w.length; l++) {
                    net.layer(l).forwardDouble(w[l], b[l], in, inOff, z[l], a[l]);
                    in = a[l];
                    inOff = 0;
                }
                int top = w.length - 1;
                sum += loss.valueDouble(net.outputs(), a[top], z[top], labels[s]);
            }
            return sum / labels.length;
        }
    }
}
