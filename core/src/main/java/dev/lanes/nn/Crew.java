package dev.lanes.nn;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one task in {@code parts} pieces at a time, the calling thread
 * taking piece 0: the fork-join of a training step, several times per mini-batch.
 *
 * <p>Pieces are claimed, not assigned: the caller runs piece 0, then takes any piece no worker has
 * claimed yet, and waits only for pieces already under way. A piece's result depends only on its
 * index, never on the thread that runs it, so this changes no bits. It matters on a busy machine:
 * a worker that the scheduler has not run yet no longer holds the step up, and a crew never runs
 * much slower than its caller would alone.
 *
 * <p>The steps of a batch come microseconds apart, less than it takes to wake a parked thread, so an
 * idle worker first polls for a short while ({@link #SPIN_NANOS}), yielding its core to any other
 * runnable thread as it does, and then parks until the next task; an idle crew costs nothing, and
 * its threads are daemons. Reusing one task object per phase keeps {@link #run} free of allocation.
 *
 * <p>One caller at a time: a crew belongs to one trainer.
 */
final class Crew implements AutoCloseable {
    /** A piece of work: piece {@code part} of {@code parts}. */
    interface Task {
        void run(int part, int parts);
    }

    /** How long an idle worker polls for the next task before it parks. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** The low bits of {@link #state}: the next piece to claim. */
    private static final int PIECE_BITS = 20;
    private static final long PIECE_MASK = (1L << PIECE_BITS) - 1;
    /** More pieces would not fit {@link #PIECE_BITS}; far more threads than any machine has. */
    static final int MAX_PARTS = 1 << 16;
    private static final AtomicInteger CREWS = new AtomicInteger();

    private final int parts;
    private final Thread[] workers;
    /**
     * The task's generation (high bits) and the next unclaimed piece (low bits), in one word so that a
     * claim can never take a piece of a task other than the one it saw.
     */
    private final AtomicLong state = new AtomicLong();
    private volatile Task task;
    private volatile boolean closed;
    /** Pieces of the current task, other than the caller's piece 0, not finished yet. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;

    /** A crew of {@code parts} threads, the caller's included; 1 runs everything on the caller. */
    Crew(int parts) {
        this(parts, true);
    }

    /**
     * With {@code startWorkers} false the workers are created but never started: a test's stand-in for
     * workers that a busy machine does not schedule.
     */
    Crew(int parts, boolean startWorkers) {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be >= 1, got " + parts);
        }
        if (parts > MAX_PARTS) {
            throw new IllegalArgumentException("parts must be <= " + MAX_PARTS + ", got " + parts);
        }
        this.parts = parts;
        this.workers = new Thread[parts - 1];
        String name = "lanes-train-" + CREWS.incrementAndGet() + "-";
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Thread(this::work, name + (w + 1));
            workers[w].setDaemon(true);
            if (startWorkers) {
                workers[w].start();
            }
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
        pending.set(parts - 1);
        long generation = (state.get() >>> PIECE_BITS) + 1;
        state.set(generation << PIECE_BITS | 1);
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable mine = null;
        try {
            t.run(0, parts);
        } catch (Throwable e) {
            mine = e;
        }
        runUnclaimedPieces(generation);
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

    /**
     * Claims and runs pieces of {@code generation}'s task until none is left. The task is read after
     * a claim: the caller cannot replace it while a piece it handed out is unfinished.
     */
    private void runUnclaimedPieces(long generation) {
        for (int piece = claim(generation); piece >= 0; piece = claim(generation)) {
            try {
                task.run(piece, parts);
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            }
            if (pending.decrementAndGet() == 0 && Thread.currentThread() != caller) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** The next unclaimed piece of {@code generation}'s task, now this thread's, or -1 if none is left. */
    private int claim(long generation) {
        while (true) {
            long s = state.get();
            int piece = (int) (s & PIECE_MASK);
            if (s >>> PIECE_BITS != generation || piece >= parts) {
                return -1;
            }
            if (state.compareAndSet(s, s + 1)) {
                return piece;
            }
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

    private void work() {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (state.get() >>> PIECE_BITS == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    // Gives the core away if another thread (the caller, on a busy machine) is waiting for it.
                    Thread.yield();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = state.get() >>> PIECE_BITS;
            runUnclaimedPieces(seen);
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
