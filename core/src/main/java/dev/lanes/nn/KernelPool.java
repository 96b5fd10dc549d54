package dev.lanes.nn;

import dev.lanes.kernels.Kernels;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose large matrix kernels run on several threads, with the threads it needs: {@link
 * #kernels()} is {@code base.withExecutor(pool, threads)} (see {@link Kernels#withExecutor}), where
 * the pool holds {@code threads - 1} workers because the calling thread always does a share of each
 * call. Results are bit-identical to {@code base}'s, whatever the thread count.
 *
 * <p>The workers are daemon threads, so a pool that is never closed does not keep the JVM alive;
 * {@link #close()} stops them once the kernels are no longer used. With one thread there is no pool
 * and {@link #kernels()} is {@code base} itself.
 */
public final class KernelPool implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService pool;
    private final Kernels kernels;
    private final int threads;

    private KernelPool(Kernels base, int threads) {
        this.threads = threads;
        if (threads == 1) {
            pool = null;
            kernels = base;
        } else {
            pool = Executors.newFixedThreadPool(threads - 1, daemonThreads("lanes-kernels-" + POOLS.incrementAndGet()));
            kernels = base.withExecutor(pool, threads);
        }
    }

    /**
     * Kernels that use up to {@code threads} threads per call, the caller's included.
     *
     * @throws IllegalArgumentException if threads is below 1
     */
    public static KernelPool of(Kernels base, int threads) {
        Objects.requireNonNull(base, "base");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new KernelPool(base, threads);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The backend to call; after {@link #close()} its calls still work, on the caller's thread alone. */
    public Kernels kernels() {
        return kernels;
    }

    /** The most threads one kernel call uses, the caller's included. */
    public int threads() {
        return threads;
    }

    /** Stops the worker threads (after any work already handed to them). Idempotent. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
