package dev.lanes.nn;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one task in {@code parts} pieces at a time, the calling thread
 * taking piece 0: the fork-join of a training step, several times per mini-batch.
 *
 * <p>The steps of a batch come tens of microseconds apart, about as long as it takes to wake a parked
 * thread, so the workers spin for a while ({@link #SPIN_NANOS}) after each piece before they park;
 * while batches keep coming they never park. An idle crew costs nothing once parked, and its threads
 * are daemons. Reusing one task object per phase keeps {@link #run} free of allocation.
 *
 * <p>One caller at a time: a crew belongs to one trainer.
 */
final class Crew implements AutoCloseable {
    /** A piece of work: piece {@code part} of {@code parts}. */
    interface Task {
        void run(int part, int parts);
    }

    /** How long an idle worker keeps polling before it parks. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final AtomicInteger CREWS = new AtomicInteger();

    private final int parts;
    private final Thread[] workers;
    /** Bumped for every task; a worker runs each generation once. */
    private volatile long generation;
    private volatile Task task;
    private volatile boolean closed;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;

    /** A crew of {@code parts} threads, the caller's included; 1 runs everything on the caller. */
    Crew(int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be >= 1, got " + parts);
        }
        this.parts = parts;
        this.workers = new Thread[parts - 1];
        String name = "lanes-train-" + CREWS.incrementAndGet() + "-";
        for (int w = 0; w < workers.length; w++) {
            int part = w + 1;
            workers[w] = new Thread(() -> work(part), name + part);
            workers[w].setDaemon(true);
            workers[w].start();
        }
    }

    /** The number of pieces each task is cut into. */
    int parts() {
        return parts;
    }

    /**
     * Runs {@code t.run(p, parts)} for every p, piece 0 on this thread, and returns when all are done.
     * If a piece throws, the first failure is rethrown here (wrapped if checked) after all pieces end.
     */
    void run(Task t) {
        if (workers.length == 0 || closed) {
            for (int p = 0; p < parts; p++) {
                t.run(p, parts);
            }
            return;
        }
        failure = null;
        caller = Thread.currentThread();
        task = t;
        pending.set(workers.length);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable mine = null;
        try {
            t.run(0, parts);
        } catch (Throwable e) {
            mine = e;
        }
        awaitWorkers();
        task = null;
        Throwable first = mine != null ? mine : failure;
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(50));
            }
        }
    }

    private void work(int part) {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                task.run(part, parts);
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the workers; later {@link #run} calls do every piece on the caller's thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** The start of piece {@code part} when {@code count} items are cut into {@code parts} near-equal pieces. */
    static int boundary(int count, int part, int parts) {
        return (int) ((long) count * part / parts);
    }
}
