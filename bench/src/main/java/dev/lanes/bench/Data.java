package dev.lanes.bench;

import java.util.SplittableRandom;

/** Random inputs for the benchmark states: non-constant data the JIT cannot fold. */
final class Data {
    private Data() {
    }

    /** Uniform in [-range, range), from a seed, so every fork sees the same values. */
    static float[] uniform(int n, float range, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
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
