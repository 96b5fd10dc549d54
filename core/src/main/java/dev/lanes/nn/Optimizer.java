package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Locale;

/**
 * How a batch's mean gradient g updates a parameter P with learning rate k: the choice. The rule at
 * work, with the state it keeps between steps, is an {@link Updater} ({@link #newUpdater}).
 *
 * <p>The default learning rates train the digits and Fashion-MNIST networks of the README well
 * without tuning. The loss is a batch mean, so for (momentum) gradient descent a larger batch takes
 * fewer, less noisy steps and tolerates a larger rate: the per-sample rate is scaled by {@code
 * sqrt(batch)} up to batch 64; momentum, whose steps add up to about {@code 1 / (1 - mu) = 10}
 * gradients, takes half that rate. Adam normalises the step size itself and uses 1e-3 from batch 16
 * up, less below.
 */
public enum Optimizer {
    /** Plain gradient descent: {@code P <- P - k g}. */
    SGD("sgd") {
        @Override
        double defaultRate(double perSample, double batchScale, int batchSize) {
            return perSample * batchScale;
        }

        @Override
        Updater newUpdater(Network net, Kernels k, float[][] gradW, float[][] gradB) {
            return new Updater.Sgd(net, k, gradW, gradB);
        }
    },
    /** Heavy-ball momentum with {@code mu = 0.9}: {@code v <- mu v + g; P <- P - k v}. */
    MOMENTUM("momentum") {
        @Override
        double defaultRate(double perSample, double batchScale, int batchSize) {
            return perSample * 0.5 * batchScale;
        }

        @Override
        Updater newUpdater(Network net, Kernels k, float[][] gradW, float[][] gradB) {
            return new Updater.Momentum(net, k, gradW, gradB);
        }
    },
    /**
     * Adam (Kingma and Ba) with {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}: {@code m <- b1 m +
     * (1 - b1) g; v <- b2 v + (1 - b2) g^2; P <- P - k * mhat / (sqrt(vhat) + eps)} with the bias
     * corrections {@code mhat = m / (1 - b1^t)}, {@code vhat = v / (1 - b2^t)} at step t.
     */
    ADAM("adam") {
        @Override
        double defaultRate(double perSample, double batchScale, int batchSize) {
            return batchSize >= 16 ? 1e-3f : 3e-4f;
        }

        @Override
        Updater newUpdater(Network net, Kernels k, float[][] gradW, float[][] gradB) {
            return new Updater.Adam(net, k, gradW, gradB);
        }
    };

    static final float MOMENTUM_MU = 0.9f;
    static final float ADAM_BETA1 = 0.9f;
    static final float ADAM_BETA2 = 0.999f;
    static final float ADAM_EPS = 1e-8f;

    private final String id;

    Optimizer(String id) {
        this.id = id;
    }

    /** The name on the command line: sgd, momentum or adam. */
    public String id() {
        return id;
    }

    /** The optimizer by its {@link #id()}, case-insensitive. */
    public static Optimizer named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Optimizer o : values()) {
            if (o.id.equals(n)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected sgd, momentum or adam)");
    }

    /** A learning rate that trains the README's networks well without tuning (see the class comment). */
    public float defaultLearningRate(Loss loss, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        double scale = Math.sqrt(Math.min(batchSize, 64));
        double perSample = loss == Loss.SQUARED_ERROR ? 0.01 : 0.005;
        return (float) defaultRate(perSample, scale, batchSize);
    }

    /** This rule's default rate from the per-sample rate of the loss and the batch's factor. */
    abstract double defaultRate(double perSample, double batchScale, int batchSize);

    /**
     * The rule at work on {@code net}'s parameters, taking its gradients from {@code gradW} and
     * {@code gradB} (shaped like the parameters), with fresh state.
     */
    abstract Updater newUpdater(Network net, Kernels k, float[][] gradW, float[][] gradB);
}
