package dev.lanes.nn;

/**
 * Training met more irregular points (a non-finite loss or gradient, or a loss jump) than it may
 * recover from. The network holds the last good parameters when this is thrown.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final double value;

    TrainingDivergedException(int epoch, int batch, String what, double value, int events, float learningRate) {
        super("training diverged at epoch " + epoch + ", batch " + batch + ": " + what + " = " + value
                + " (irregular point " + events + "; learning rate already lowered to " + learningRate + ")");
        this.epoch = epoch;
        this.batch = batch;
        this.value = value;
    }

    /** The epoch, 1-based. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, 0-based. */
    public int batch() {
        return batch;
    }

    /** The offending value: the loss, the gradient norm or the smoothed loss after a jump. */
    public double value() {
        return value;
    }
}
