package dev.lanes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random inputs for the benchmark states: non-constant data the JIT cannot fold.
 *
 * <p>Each array is placed at a random one of the eight 8-byte offsets within a 64-byte cache line,
 * different in every fork: on AVX-512 a 64-byte load that crosses a line costs about twice one that
 * does not, and a heap array's offset in its line is otherwise decided by the allocations before it,
 * which are the same in every fork of a benchmark. Measured on 2026-12-07: gemv 128x784 took 1.9-2.2
 * µs with A on a line boundary and 2.8-3.1 µs at every other offset, for lanes' loop and VectorBLAS's
 * shape alike. And softmax, its code unchanged, ran about 25% slower in all three forks of one run
 * than in all three of a run of an earlier build: forks that share one placement cannot show such a
 * spread. With the placement random per fork, the forks sample the offsets, so averages over several
 * forks compare peers at the same mix and the error shows the spread.
 */
final class Data {
    /** A new seed in every JVM, so every fork places its arrays differently. */
    private static final SplittableRandom PLACEMENT = new SplittableRandom();
    /** The pads that place the arrays, kept reachable so that a collection does not close the gaps. */
    private static final List<long[]> PADS = new ArrayList<>();

    private Data() {
    }

    /** A zeroed array at a random offset within a cache line (see the class comment). */
    static synchronized float[] zeros(int n) {
        // A long[k] takes 16 + 8k bytes: k from 0 to 7 moves what follows through every 8-byte offset.
        PADS.add(new long[PLACEMENT.nextInt(8)]);
        return new float[n];
    }

    /** Uniform in [-range, range), from a seed, so every fork sees the same values (placed as {@link #zeros}). */
    static float[] uniform(int n, float range, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = zeros(n);
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((2 * r.nextDouble() - 1) * range);
        }
        return a;
    }

    /** Parses a matrix shape such as {@code "128x784"} into {rows, columns}. */
    static int[] shape(String s) {
        int x = s.indexOf('x');
        if (x <= 0) {
            throw new IllegalArgumentException("shape must look like 128x784, got " + s);
        }
        return new int[] {Integer.parseInt(s.substring(0, x)), Integer.parseInt(s.substring(x + 1))};
    }
}
