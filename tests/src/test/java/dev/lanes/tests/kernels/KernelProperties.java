package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Property-based checks over random shapes, offsets, leading dimensions and values: every backend
 * stays within the documented bounds of a double reference, and agrees with the others.
 */
class KernelProperties {
    private static final double EPS = ReferenceMath.EPS;

    @Provide
    Arbitrary<Kernels> backend() {
        return Arbitraries.of(BackendsUnderTest.all());
    }

    @Property(tries = 300)
    void gemvWithinBound(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 70) int m,
                         @ForAll @IntRange(min = 0, max = 300) int n, @ForAll @IntRange(min = 0, max = 5) int pad,
                         @ForAll @IntRange(min = 0, max = 9) int aOff, @ForAll @IntRange(min = 0, max = 9) int xOff,
                         @ForAll @IntRange(min = 0, max = 9) int yOff, @ForAll @FloatRange(min = -1e3f, max = 1e3f) float scale,
                         @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = Math.max(1, n) + pad;
        float[] a = random(r, aOff + m * lda, scale);
        float[] x = random(r, xOff + n, 1);
        float[] y = random(r, yOff + m, 1);
        float[] old = y.clone();
        k.gemv(m, n, 2f, a, aOff, lda, x, xOff, 0.5f, y, yOff);
        for (int i = 0; i < m; i++) {
            int row = aOff + i * lda;
            double exact = 2 * ReferenceMath.dot(n, a, row, x, xOff) + 0.5 * old[yOff + i];
            double bound = (n + 2) * EPS * (2 * ReferenceMath.absDot(n, a, row, x, xOff) + Math.abs(old[yOff + i])) + 1e-30;
            assertTrue(Math.abs(y[yOff + i] - exact) <= bound, k + " row " + i + ": " + y[yOff + i] + " vs " + exact);
        }
        for (int i = 0; i < yOff; i++) {
            assertEquals(old[i], y[i], 0f, "before the output");
        }
    }

    @Property(tries = 300)
    void gemvTAndGerWithinBound(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 70) int m,
                                @ForAll @IntRange(min = 0, max = 300) int n, @ForAll @IntRange(min = 0, max = 5) int pad,
                                @ForAll @IntRange(min = 0, max = 9) int off, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = Math.max(1, n) + pad;
        float[] a = random(r, off + m * lda, 1);
        float[] x = random(r, off + m, 1);
        float[] y = random(r, off + n, 1);
        k.gemvT(m, n, 1f, a, off, lda, x, off, 0f, y, off);
        for (int j = 0; j < n; j++) {
            double s = 0;
            double abs = 0;
            for (int i = 0; i < m; i++) {
                double t = (double) a[off + i * lda + j] * x[off + i];
                s += t;
                abs += Math.abs(t);
            }
            assertTrue(Math.abs(y[off + j] - s) <= (m + 3) * EPS * abs + 1e-30, k + " gemvT col " + j);
        }
        float[] before = a.clone();
        k.ger(m, n, -1.5f, x, off, y, off, a, off, lda);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = off + i * lda + j;
                double upd = -1.5 * x[off + i] * y[off + j];
                double exact = before[idx] + upd;
                assertTrue(Math.abs(a[idx] - exact) <= 2 * EPS * (Math.abs(before[idx]) + Math.abs(upd)), k + " ger");
            }
        }
    }

    @Property(tries = 500)
    void dotWithinBound(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 5000) int n,
                        @ForAll @IntRange(min = 0, max = 9) int xOff, @ForAll @IntRange(min = 0, max = 9) int yOff,
                        @ForAll @IntRange(min = -20, max = 15) int exponent, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = random(r, xOff + n, (float) Math.pow(10, exponent));
        float[] y = random(r, yOff + n, 1);
        double exact = ReferenceMath.dot(n, x, xOff, y, yOff);
        double bound = n * EPS * ReferenceMath.absDot(n, x, xOff, y, yOff);
        float got = k.dot(n, x, xOff, y, yOff);
        assertTrue(Math.abs(got - exact) <= bound, k + " dot n=" + n + ": " + got + " vs " + exact);
    }

    @Property(tries = 500)
    void softmaxOfAnyFiniteInputIsADistribution(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 300) int n,
                                                @ForAll @FloatRange(min = 0, max = 3e38f) float spread,
                                                @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = random(r, n, spread);
        float[] out = new float[n];
        k.softmax(n, x, 0, out, 0);
        double sum = 0;
        for (float v : out) {
            assertTrue(v >= 0 && v <= 1, "in [0, 1]: " + v);
            sum += v;
        }
        assertTrue(Math.abs(sum - 1) <= n * 2 * EPS, "sums to 1: " + sum);
    }

    @Property(tries = 2000)
    void tanhWithin5UlpForAnyFloat(@ForAll("backend") Kernels k, @ForAll float x) {
        float[] in = new float[9];
        java.util.Arrays.fill(in, x);
        float[] out = new float[9];
        k.tanh(9, in, 0, out, 0);
        float want = (float) Math.tanh(x);
        assertTrue(ReferenceMath.ulpDistance(want, out[0]) <= 5 && ReferenceMath.ulpDistance(want, out[8]) <= 5,
                k + " tanh(" + x + ") = " + out[0] + " want " + want);
    }

    @Property(tries = 200)
    void backendsAgreeOnSoftmaxBackward(@ForAll @IntRange(min = 0, max = 200) int n, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = random(r, n, 1);
        float[] g = random(r, n, 5);
        float[] a = new float[n];
        float[] b = new float[n];
        Kernels.scalar().softmaxBackward(n, s, 0, g, 0, a, 0);
        Kernels.vector().softmaxBackward(n, s, 0, g, 0, b, 0);
        double bound = (n + 4) * EPS * 5 * 2;
        for (int i = 0; i < n; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= bound, "i=" + i + ": " + a[i] + " vs " + b[i]);
        }
    }

    private static float[] random(SplittableRandom r, int len, float scale) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = (float) (r.nextDouble(-1, 1) * scale);
        }
        return v;
    }
}
