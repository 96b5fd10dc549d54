package dev.lanes.nn;

import java.util.Objects;

/**
 * How a {@link Trainer} trains.
 *
 * @param loss the loss, averaged over each batch
 * @param optimizer the update rule
 * @param learningRate k, positive and finite
 * @param batchSize samples per update, at least 1 (1 is per-sample descent)
 * @param seed the seed of the per-epoch shuffling
 * @param clipNorm if positive, a batch gradient whose Euclidean norm over all parameters exceeds it is
 *     scaled down to this norm; 0 turns clipping off
 * @param jumpFactor an irregular point is a smoothed loss (a moving average over about 100 batches)
 *     that rises above this factor times its lowest value so far; greater than 1
 * @param maxRecoveries how many irregular points are recovered from (last good parameters restored,
 *     learning rate halved); the next one stops training with a {@link TrainingDivergedException}
 * @param threads the most threads one kernel call uses (a {@link KernelPool} the trainer owns); the
 *     large products split their output across them, so the weights are bit-identical for any count
 */
public record TrainingOptions(Loss loss, Optimizer optimizer, float learningRate, int batchSize, long seed,
                              float clipNorm, float jumpFactor, int maxRecoveries, int threads) {

    public TrainingOptions {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive and finite, got " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (!(clipNorm >= 0) || Float.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be >= 0 and finite, got " + clipNorm);
        }
        if (!(jumpFactor > 1)) {
            throw new IllegalArgumentException("jumpFactor must be > 1, got " + jumpFactor);
        }
        if (maxRecoveries < 0) {
            throw new IllegalArgumentException("maxRecoveries must be >= 0, got " + maxRecoveries);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /**
     * The defaults for a loss, optimizer and batch size: the {@link Optimizer#defaultLearningRate
     * default learning rate}, seed 1, no clipping, jump factor 10, 4 recoveries, one thread.
     */
    public static TrainingOptions defaults(Loss loss, Optimizer optimizer, int batchSize) {
        return new TrainingOptions(loss, optimizer, optimizer.defaultLearningRate(loss, batchSize), batchSize,
                1L, 0f, 10f, 4, 1);
    }

    public TrainingOptions withLearningRate(float k) {
        return new TrainingOptions(loss, optimizer, k, batchSize, seed, clipNorm, jumpFactor, maxRecoveries, threads);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(loss, optimizer, learningRate, batchSize, s, clipNorm, jumpFactor, maxRecoveries, threads);
    }

    public TrainingOptions withClipNorm(float c) {
        return new TrainingOptions(loss, optimizer, learningRate, batchSize, seed, c, jumpFactor, maxRecoveries, threads);
    }

    public TrainingOptions withJumpFactor(float f) {
        return new TrainingOptions(loss, optimizer, learningRate, batchSize, seed, clipNorm, f, maxRecoveries, threads);
    }

    public TrainingOptions withThreads(int t) {
        return new TrainingOptions(loss, optimizer, learningRate, batchSize, seed, clipNorm, jumpFactor, maxRecoveries, t);
    }

    public TrainingOptions withMaxRecoveries(int r) {
        return new TrainingOptions(loss, optimizer, learningRate, batchSize, seed, clipNorm, jumpFactor, r, threads);
    }
}
