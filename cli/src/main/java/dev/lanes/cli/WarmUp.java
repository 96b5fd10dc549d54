package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Trainer;
import dev.lanes.nn.TrainingOptions;

/**
 * {@link Trainer#warmUp} on a second thread while the data loads. Reading a large data set keeps one
 * core busy for seconds, most of it the kernel faulting in fresh memory, while the other waits; the
 * warm-up uses that core to bring the training kernels to C2, so that neither the evaluation before
 * the first epoch nor the first epoch runs them uncompiled. The warm-up touches nothing of the real
 * training, whose results are the same bits with or without it.
 */
final class WarmUp {
    private static final System.Logger LOG = System.getLogger("dev.lanes.cli");

    private final Thread thread;
    private volatile boolean stop;

    private WarmUp(int[] sizes, Activation[] acts, Kernels kernels, TrainingOptions options) {
        thread = new Thread(() -> {
            long start = System.nanoTime();
            try {
                long samples = Trainer.warmUp(sizes, acts, kernels, options, () -> stop);
                LOG.log(System.Logger.Level.DEBUG, () -> "warm-up: " + samples + " samples in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            } catch (RuntimeException e) {
                // The real training meets any real problem again and reports it; this one only costs speed.
                LOG.log(System.Logger.Level.DEBUG, "warm-up stopped early", e);
            }
        }, "lanes-warm-up");
        thread.setDaemon(true);
    }

    /** Starts the warm-up for a network of these widths and activations, trained with these options. */
    static WarmUp start(int[] sizes, Activation[] acts, Kernels kernels, TrainingOptions options) {
        WarmUp w = new WarmUp(sizes, acts, kernels, options);
        w.thread.start();
        return w;
    }

    /** Stops the warm-up at its next batch and waits for it, so that it takes no core from the training. */
    void finish() throws InterruptedException {
        stop = true;
        thread.join();
    }
}
