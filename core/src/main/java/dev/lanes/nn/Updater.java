package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;

/**
 * An {@link Optimizer} at work: it owns the state its rule keeps between steps (momentum's velocity,
 * Adam's moments and step count) and applies one step to the parameters of a {@link Network}, from
 * the gradients the trainer sums into the arrays it was given. SGD, momentum and Adam differ only in
 * {@link #update}.
 *
 * <p>A step starts with {@link #begin} and is then applied to ranges of rows ({@link #updateRows}),
 * possibly on several threads at once: every parameter's update depends on its own values only, so
 * any cut into ranges gives the same bits.
 */
abstract sealed class Updater permits Updater.Sgd, Updater.Momentum, Updater.Adam {
    final Network net;
    final Kernels k;
    private final float[][] gradW;
    private final float[][] gradB;
    /** The rate of the current step. */
    float learningRate;
    /** The factor from the summed gradient to the one this step applies (1 / batch, times clipping). */
    float gradScale;

    Updater(Network net, Kernels k, float[][] gradW, float[][] gradB) {
        this.net = net;
        this.k = k;
        this.gradW = gradW;
        this.gradB = gradB;
    }

    /** Starts a step at {@code learningRate} whose gradient is the summed one times {@code gradScale}. */
    void begin(float learningRate, float gradScale) {
        this.learningRate = learningRate;
        this.gradScale = gradScale;
    }

    /** Changes the current step's gradient factor (clipping, once the gradient's norm is known). */
    void rescale(float gradScale) {
        this.gradScale = gradScale;
    }

    /** The current step on rows {@code [from, to)} of layer l's weights and the same bias entries. */
    final void updateRows(int l, int from, int to) {
        int n = net.width(l);
        update(gradW[l], l, true, net.weights[l], from * n, (to - from) * n);
        update(gradB[l], l, false, net.biases[l], from, to - from);
    }

    /**
     * The current step on {@code p[off .. off + len)} from the summed gradient {@code g} at the same
     * place; {@code weights} tells layer l's weights from its biases, for the state that goes with them.
     */
    abstract void update(float[] g, int l, boolean weights, float[] p, int off, int len);

    /** Forgets the state, as after a roll-back to earlier parameters. */
    abstract void reset();

    /** Arrays of zeros shaped like {@code shapes}. */
    static float[][] like(float[][] shapes) {
        float[][] r = new float[shapes.length][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new float[shapes[i].length];
        }
        return r;
    }

    static void zero(float[][] arrays) {
        for (float[] a : arrays) {
            Arrays.fill(a, 0f);
        }
    }

    /** {@code P <- P - k g}: no state. */
    static final class Sgd extends Updater {
        Sgd(Network net, Kernels k, float[][] gradW, float[][] gradB) {
            super(net, k, gradW, gradB);
        }

        @Override
        void update(float[] g, int l, boolean weights, float[] p, int off, int len) {
            k.axpy(len, -learningRate * gradScale, g, off, p, off);
        }

        @Override
        void reset() {
        }
    }

    /** {@code v <- mu v + g; P <- P - k v}: the velocity v is the state. */
    static final class Momentum extends Updater {
        private final float[][] velocityW;
        private final float[][] velocityB;

        Momentum(Network net, Kernels k, float[][] gradW, float[][] gradB) {
            super(net, k, gradW, gradB);
            velocityW = like(net.weights);
            velocityB = like(net.biases);
        }

        @Override
        void update(float[] g, int l, boolean weights, float[] p, int off, int len) {
            float[] v = weights ? velocityW[l] : velocityB[l];
            k.scale(len, Optimizer.MOMENTUM_MU, v, off);
            k.axpy(len, gradScale, g, off, v, off);
            k.axpy(len, -learningRate, v, off, p, off);
        }

        @Override
        void reset() {
            zero(velocityW);
            zero(velocityB);
        }
    }

    /** Adam: the first and second moments m and v, and the step count t for their bias corrections. */
    static final class Adam extends Updater {
        private final float[][] firstW;
        private final float[][] firstB;
        private final float[][] secondW;
        private final float[][] secondB;
        private long step;
        /** The current step's rate with both bias corrections folded in. */
        private float stepSize;

        Adam(Network net, Kernels k, float[][] gradW, float[][] gradB) {
            super(net, k, gradW, gradB);
            firstW = like(net.weights);
            firstB = like(net.biases);
            secondW = like(net.weights);
            secondB = like(net.biases);
        }

        @Override
        void begin(float learningRate, float gradScale) {
            super.begin(learningRate, gradScale);
            step++;
            double c1 = 1 - Math.pow(Optimizer.ADAM_BETA1, step);
            double c2 = 1 - Math.pow(Optimizer.ADAM_BETA2, step);
            stepSize = (float) (learningRate * Math.sqrt(c2) / c1);
        }

        /** A plain loop because the kernels have no square root. */
        @Override
        void update(float[] g, int l, boolean weights, float[] p, int off, int len) {
            float[] m = weights ? firstW[l] : firstB[l];
            float[] v = weights ? secondW[l] : secondB[l];
            float b1 = Optimizer.ADAM_BETA1;
            float b2 = Optimizer.ADAM_BETA2;
            float scale = gradScale;
            float size = stepSize;
            for (int i = off; i < off + len; i++) {
                float gi = g[i] * scale;
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                p[i] -= size * m[i] / ((float) Math.sqrt(v[i]) + Optimizer.ADAM_EPS);
            }
        }

        @Override
        void reset() {
            zero(firstW);
            zero(firstB);
            zero(secondW);
            zero(secondB);
            step = 0;
        }
    }
}
