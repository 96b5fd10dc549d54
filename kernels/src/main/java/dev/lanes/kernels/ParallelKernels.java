package dev.lanes.kernels;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose large matrix kernels (gemm, gemv, gemvT, ger) split their output across threads;
 * everything else, and every call below the size thresholds, runs on the caller's thread.
 *
 * <p>Results are bit-identical to the wrapped backend's: the output is split into disjoint row or
 * column ranges and each element is computed in the same order as in a single-threaded call (the
 * backends compute every output element independently of where its block falls). No reduction is
 * ever split.
 *
 * <p>The caller always takes part: it claims chunks of work like any helper task, so a call finishes
 * even if the executor is saturated, rejects tasks or runs them late, and calling from inside the
 * executor's own threads cannot deadlock.
 */
final class ParallelKernels extends Kernels {
    /** Multiply-adds below which a call stays on the caller's thread (handing off costs microseconds). */
    static final long MIN_PARALLEL_WORK = 1L << 18;

    private final Kernels base;
    private final Executor executor;
    private final int parallelism;

    ParallelKernels(Kernels base, Executor executor, int parallelism) {
        this.base = base;
        this.executor = executor;
        this.parallelism = parallelism;
    }

    Kernels base() {
        return base;
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public String describe() {
        return base.describe() + " on " + parallelism + " threads";
    }

    @Override
    int vectorBits() {
        return base.vectorBits();
    }

    /** A range body: computes outputs [from, to). */
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, count) in at most {@code parallelism} chunks whose boundaries are
     * multiples of {@code align}; the caller's thread takes part.
     */
    private void split(long work, int count, int align, Range body) {
        int parts = (int) Math.min(parallelism, Math.min(work / MIN_PARALLEL_WORK, count / Math.max(1, align)));
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        Job job = new Job(parts, count, align, body);
        for (int t = 1; t < parts; t++) {
            try {
                executor.execute(job);
            } catch (RejectedExecutionException e) {
                break; // the caller does the rest
            }
        }
        job.run();
        job.await();
    }

    private static final class Job implements Runnable {
        private final int parts;
        private final int count;
        private final int align;
        private final Range body;
        private final AtomicInteger next = new AtomicInteger();
        private int finished;
        private Throwable failure;

        Job(int parts, int count, int align, Range body) {
            this.parts = parts;
            this.count = count;
            this.align = align;
            this.body = body;
        }

        private int boundary(int part) {
            if (part >= parts) {
                return count;
            }
            long raw = (long) count * part / parts;
            return (int) Math.min(count, (raw + align - 1) / align * align);
        }

        @Override
        public void run() {
            for (int part; (part = next.getAndIncrement()) < parts; ) {
                Throwable t = null;
                try {
                    body.run(boundary(part), boundary(part + 1));
                } catch (Throwable e) {
                    t = e;
                }
                synchronized (this) {
                    if (t != null && failure == null) {
                        failure = t;
                    }
                    if (++finished == parts) {
                        notifyAll();
                    }
                }
            }
        }

        synchronized void await() {
            boolean interrupted = false;
            while (finished < parts) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the chunks in flight write into the caller's arrays: finish first
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
        }
    }

    // ---------------------------------------------------------------- split kernels

    @Override
    void gemvK(int m, int n, float alpha, float[] a, int aOff, int lda,
               float[] x, int xOff, float beta, float[] y, int yOff) {
        split((long) m * n, m, 4, (from, to) ->
                base.gemvK(to - from, n, alpha, a, aOff + from * lda, lda, x, xOff, beta, y, yOff + from));
    }

    @Override
    void gemvTK(int m, int n, float alpha, float[] a, int aOff, int lda,
                float[] x, int xOff, float beta, float[] y, int yOff) {
        // Columns split on 16-float (64-byte) boundaries so that no two threads write one cache line.
        split((long) m * n, n, 16, (from, to) ->
                base.gemvTK(m, to - from, alpha, a, aOff + from, lda, x, xOff, beta, y, yOff + from));
    }

    @Override
    void gerK(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        split((long) m * n, m, 2, (from, to) ->
                base.gerK(to - from, n, alpha, x, xOff + from, y, yOff, a, aOff + from * lda, lda));
    }

    @Override
    void gerGemvK(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                  float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        split((long) m * n, m, 4, (from, to) -> base.gerGemvK(to - from, n, alpha, u, uOff + from, v, vOff,
                a, aOff + from * lda, lda, x, xOff, y, yOff + from));
    }

    @Override
    void gemmK(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc) {
        long work = (long) m * n * k;
        if (m >= 2 * parallelism * 3 || n < 32 * parallelism) {
            // Rows of C, and with them rows (or columns, if transposed) of A.
            int aStep = transA ? 1 : lda;
            split(work, m, 3, (from, to) -> base.gemmK(transA, transB, to - from, n, k, alpha,
                    a, aOff + from * aStep, lda, b, bOff, ldb, beta, c, cOff + from * ldc, ldc));
        } else {
            int bStep = transB ? ldb : 1;
            split(work, n, 32, (from, to) -> base.gemmK(transA, transB, m, to - from, k, alpha,
                    a, aOff, lda, b, bOff + from * bStep, ldb, beta, c, cOff + from, ldc));
        }
    }

    // ---------------------------------------------------------------- delegated as they are

    @Override
    float dotK(int n, float[] x, int xOff, float[] y, int yOff) {
        return base.dotK(n, x, xOff, y, yOff);
    }

    @Override
    void axpyK(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        base.axpyK(n, alpha, x, xOff, y, yOff);
    }

    @Override
    void scaleK(int n, float alpha, float[] x, int xOff) {
        base.scaleK(n, alpha, x, xOff);
    }

    @Override
    void mulK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        base.mulK(n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    void addK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        base.addK(n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    float squaredErrorK(int n, float[] pred, int predOff, float[] target, int targetOff) {
        return base.squaredErrorK(n, pred, predOff, target, targetOff);
    }

    @Override
    void squaredErrorGradientK(int n, float[] pred, int predOff, float[] target, int targetOff,
                               float[] out, int outOff) {
        base.squaredErrorGradientK(n, pred, predOff, target, targetOff, out, outOff);
    }

    @Override
    void tanhK(int n, float[] x, int xOff, float[] out, int outOff) {
        base.tanhK(n, x, xOff, out, outOff);
    }

    @Override
    void sech2K(int n, float[] x, int xOff, float[] out, int outOff) {
        base.sech2K(n, x, xOff, out, outOff);
    }

    @Override
    void tanhGradFromOutputK(int n, float[] t, int tOff, float[] out, int outOff) {
        base.tanhGradFromOutputK(n, t, tOff, out, outOff);
    }

    @Override
    void softmaxK(int n, float[] x, int xOff, float[] out, int outOff) {
        base.softmaxK(n, x, xOff, out, outOff);
    }

    @Override
    void softmaxBackwardK(int n, float[] s, int sOff, float[] g, int gOff, float[] out, int outOff) {
        base.softmaxBackwardK(n, s, sOff, g, gOff, out, outOff);
    }
}
