package dev.lanes.nn;

/**
 * The trainer's protection against irregular points: it keeps the last good parameters (a
 * checkpoint), watches the loss for a jump, and on an irregular point rolls the network back, halves
 * the learning rate, or gives up with a {@link TrainingDivergedException} after {@link
 * TrainingOptions#maxRecoveries()} recoveries. The learning rate it holds is the one training uses.
 *
 * <p>A jump is a smoothed loss (a moving average over about {@value #LOSS_WINDOW} batches) above
 * {@link TrainingOptions#jumpFactor()} times its lowest value so far, measured from no lower than
 * {@value #JUMP_FLOOR} of its first value.
 */
final class DivergenceGuard {
    private static final System.Logger LOG = System.getLogger("dev.lanes.nn");
    static final int LOSS_WINDOW = 100;
    /** The lowest smoothed loss a jump is measured from, as a fraction of the first one. */
    static final double JUMP_FLOOR = 0.01;

    private final Network net;
    private final TrainingOptions options;
    private final float[][] goodW;
    private final float[][] goodB;
    private float learningRate;
    private int recoveries;
    private double ema;
    private double emaMin;
    private double emaFirst;
    private int emaCount;

    DivergenceGuard(Network net, TrainingOptions options) {
        this.net = net;
        this.options = options;
        this.goodW = Updater.like(net.weights);
        this.goodB = Updater.like(net.biases);
        this.learningRate = options.learningRate();
        resetLossWatch();
    }

    /** The learning rate, halved at each recovery. */
    float learningRate() {
        return learningRate;
    }

    /** Irregular points recovered from so far. */
    int recoveries() {
        return recoveries;
    }

    /** The smoothed loss (what a jump is judged on). */
    double smoothedLoss() {
        return ema;
    }

    /**
     * Saves the parameters as the last good ones; false (and nothing saved) if some parameter is not
     * finite, which the caller then treats as an irregular point.
     */
    boolean checkpoint() {
        if (!net.isFinite()) {
            return false;
        }
        for (int l = 0; l < goodW.length; l++) {
            System.arraycopy(net.weights[l], 0, goodW[l], 0, goodW[l].length);
            System.arraycopy(net.biases[l], 0, goodB[l], 0, goodB[l].length);
        }
        return true;
    }

    /** The number of NaN or infinite parameters. */
    int nonFiniteCount() {
        int c = 0;
        for (int l = 0; l < net.weights.length; l++) {
            for (float w : net.weights[l]) {
                c += Float.isFinite(w) ? 0 : 1;
            }
            for (float b : net.biases[l]) {
                c += Float.isFinite(b) ? 0 : 1;
            }
        }
        return c;
    }

    /** Adds a batch's loss to the smoothed loss; true if it jumped. */
    boolean lossJumped(double loss) {
        ema = emaCount == 0 ? loss : ema + (loss - ema) / LOSS_WINDOW;
        emaCount++;
        if (emaCount < LOSS_WINDOW) {
            return false;
        }
        if (emaCount == LOSS_WINDOW) {
            emaFirst = ema;
        }
        double reference = Math.max(emaMin, JUMP_FLOOR * emaFirst);
        if (ema > options.jumpFactor() * reference) {
            return true;
        }
        emaMin = Math.min(emaMin, ema);
        return false;
    }

    private void resetLossWatch() {
        emaCount = 0;
        ema = 0;
        emaMin = Double.POSITIVE_INFINITY;
        emaFirst = 0;
    }

    /**
     * An irregular point ({@code what} = {@code value}) at this epoch and batch: restores the last good
     * parameters and starts watching the loss afresh, then halves the learning rate, or throws once
     * the recoveries are used up (the network holds the checkpoint either way).
     *
     * @throws TrainingDivergedException after {@link TrainingOptions#maxRecoveries()} recoveries
     */
    void rollBack(int epoch, int batch, String what, double value) {
        net.copyParametersFrom(goodW, goodB);
        resetLossWatch();
        if (recoveries >= options.maxRecoveries()) {
            throw new TrainingDivergedException(epoch, batch, what, value, recoveries + 1, learningRate);
        }
        recoveries++;
        learningRate *= 0.5f;
        // Numbers as text: the log's MessageFormat would print 2.5E-4 as "0".
        LOG.log(System.Logger.Level.WARNING, "irregular point at epoch {0}, batch {1}: {2} = {3}; restored the "
                + "last good parameters, learning rate now {4}", String.valueOf(epoch), String.valueOf(batch), what,
                String.valueOf(value), String.valueOf(learningRate));
    }
}
