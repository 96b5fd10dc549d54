package dev.lanes.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Straightforward Vector API versions of some kernels, the baselines the kernels issue sets its
 * goals against. They are what a careful first attempt looks like, not tuned code: one accumulator
 * per gemv row, the JDK's own lanewise TANH and EXP.
 */
final class References {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private References() {
    }

    /** Dot product with four vector accumulators and a scalar tail. */
    static float dot4(int n, float[] x, float[] y) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = FloatVector.fromArray(S, x, i).fma(FloatVector.fromArray(S, y, i), a0);
            a1 = FloatVector.fromArray(S, x, i + L).fma(FloatVector.fromArray(S, y, i + L), a1);
            a2 = FloatVector.fromArray(S, x, i + 2 * L).fma(FloatVector.fromArray(S, y, i + 2 * L), a2);
            a3 = FloatVector.fromArray(S, x, i + 3 * L).fma(FloatVector.fromArray(S, y, i + 3 * L), a3);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum = Math.fma(x[i], y[i], sum);
        }
        return sum;
    }

    /** {@code y = A x} for row-major m-by-n A, one row at a time with one vector accumulator. */
    static void gemvRows(int m, int n, float[] a, float[] x, float[] y) {
        for (int r = 0; r < m; r++) {
            int row = r * n;
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            for (; j <= n - L; j += L) {
                acc = FloatVector.fromArray(S, a, row + j).fma(FloatVector.fromArray(S, x, j), acc);
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) {
                sum = Math.fma(a[row + j], x[j], sum);
            }
            y[r] = sum;
        }
    }

    /** The sum of the first {@code len} elements with four vector accumulators: a pure read stream, the memory roofline. */
    static float streamSum(int len, float[] a) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= len - 4 * L; i += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, i));
            s1 = s1.add(FloatVector.fromArray(S, a, i + L));
            s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * L));
            s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * L));
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += a[i];
        }
        return sum;
    }

    /** tanh through the JDK's {@code lanewise(TANH)}, scalar {@link Math#tanh} for the tail. */
    static void tanhLanewise(int n, float[] x, float[] out) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (float) Math.tanh(x[i]);
        }
    }

    /** tanh one element at a time through {@link Math#tanh} in double. */
    static void tanhMath(int n, float[] x, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = (float) Math.tanh(x[i]);
        }
    }

    /** Stable softmax: vector max, {@code lanewise(EXP)} of x - max with a running vector sum, then a vector scale. */
    static void softmaxLanewiseExp(int n, float[] x, float[] out) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector vmax = FloatVector.fromArray(S, x, 0);
            for (i = L; i <= n - L; i += L) {
                vmax = vmax.max(FloatVector.fromArray(S, x, i));
            }
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        FloatVector vm = FloatVector.broadcast(S, max);
        FloatVector vsum = FloatVector.zero(S);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, i).sub(vm).lanewise(VectorOperators.EXP);
            e.intoArray(out, i);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            out[i] = (float) Math.exp(x[i] - max);
            sum += out[i];
        }
        float inv = 1f / sum;
        FloatVector vinv = FloatVector.broadcast(S, inv);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, out, i).mul(vinv).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] *= inv;
        }
    }
}
