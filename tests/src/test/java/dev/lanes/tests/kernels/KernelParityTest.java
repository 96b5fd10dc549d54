package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend against a double-precision reference, for every operation, at every size from 0 to
 * 70, at one less, one more and exactly every multiple of this JVM's lane count up to nine vectors
 * (so every loop of every width meets each of its tails, at 4, 8 or 16 lanes) and at sizes around
 * the block boundaries, with random offsets, lda > n, and guard elements around every output that
 * must stay untouched.
 */
class KernelParityTest {
    static final int[] SIZES = IntStream.concat(IntStream.concat(IntStream.rangeClosed(0, 70),
            IntStream.rangeClosed(1, 9).flatMap(v -> IntStream.of(v * Width.lanes() - 1, v * Width.lanes(),
                    v * Width.lanes() + 1))),
            IntStream.of(127, 128, 129, 255, 256, 257, 784, 1000, 1023, 1025, 4099)).distinct().sorted().toArray();
    /** Row counts for matrix kernels: around the 4-row and 2-row blocks. */
    static final int[] FEW = {0, 1, 2, 3, 4, 5, 7, 8, 9, 13};

    static final double EPS = ReferenceMath.EPS;

    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    /** An array with a random offset before and guard elements after the used region. */
    static final class Buf {
        final float[] a;
        final int off;
        final float[] before;

        Buf(SplittableRandom r, int used, double lo, double hi) {
            off = r.nextInt(4);
            a = new float[off + used + 1 + r.nextInt(4)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (lo + (hi - lo) * r.nextDouble());
            }
            before = a.clone();
        }

        /** Elements outside [off + from, off + to) must be untouched. */
        void assertGuards(int from, int to, String what) {
            for (int i = 0; i < a.length; i++) {
                if ((i < off + from || i >= off + to) && Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(before[i])) {
                    fail(what + ": element " + i + " outside the output was written");
                }
            }
        }
    }

    static SplittableRandom rnd(String op, int... dims) {
        return new SplittableRandom(op.hashCode() * 1_000_003L + Arrays.hashCode(dims));
    }

    static void within(double expected, float actual, double bound, String what) {
        double err = Math.abs(actual - expected);
        if (!(err <= bound)) {
            fail(what + ": got " + actual + ", expected " + expected + " (error " + err + " > bound " + bound + ")");
        }
    }

    static void bitEqual(float expected, float actual, String what) {
        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
            fail(what + ": got " + actual + ", expected exactly " + expected);
        }
    }

    // ---------------------------------------------------------------- level 1

    @ParameterizedTest
    @MethodSource("backends")
    void dot(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("dot", n);
            Buf x = new Buf(r, n, -1, 1);
            Buf y = new Buf(r, n, -1, 1);
            float got = k.dot(n, x.a, x.off, y.a, y.off);
            within(ReferenceMath.dot(n, x.a, x.off, y.a, y.off), got, n * EPS * ReferenceMath.absDot(n, x.a, x.off, y.a, y.off),
                    k + " dot n=" + n);
            x.assertGuards(0, 0, "dot x");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void axpy(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("axpy", n);
            Buf x = new Buf(r, n, -1, 1);
            Buf y = new Buf(r, n, -1, 1);
            float alpha = (float) r.nextDouble(-2, 2);
            k.axpy(n, alpha, x.a, x.off, y.a, y.off);
            for (int i = 0; i < n; i++) {
                double exact = (double) alpha * x.a[x.off + i] + y.before[y.off + i];
                within(exact, y.a[y.off + i], 2 * EPS * (Math.abs(alpha * x.a[x.off + i]) + Math.abs(y.before[y.off + i])),
                        k + " axpy n=" + n + " i=" + i);
            }
            y.assertGuards(0, n, k + " axpy n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void scaleMulAddAreCorrectlyRounded(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("elementwise", n);
            Buf x = new Buf(r, n, -3, 3);
            Buf y = new Buf(r, n, -3, 3);
            Buf out = new Buf(r, n, -3, 3);
            float alpha = (float) r.nextDouble(-2, 2);

            k.mul(n, x.a, x.off, y.a, y.off, out.a, out.off);
            for (int i = 0; i < n; i++) {
                bitEqual((float) ((double) x.a[x.off + i] * y.a[y.off + i]), out.a[out.off + i], k + " mul n=" + n);
            }
            out.assertGuards(0, n, k + " mul");

            k.add(n, x.a, x.off, y.a, y.off, out.a, out.off);
            for (int i = 0; i < n; i++) {
                bitEqual((float) ((double) x.a[x.off + i] + y.a[y.off + i]), out.a[out.off + i], k + " add n=" + n);
            }
            out.assertGuards(0, n, k + " add");

            k.scale(n, alpha, x.a, x.off);
            for (int i = 0; i < n; i++) {
                bitEqual((float) ((double) x.before[x.off + i] * alpha), x.a[x.off + i], k + " scale n=" + n);
            }
            x.assertGuards(0, n, k + " scale");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void squaredErrorAndGradient(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("sqerr", n);
            Buf p = new Buf(r, n, 0, 1);
            Buf t = new Buf(r, n, 0, 1);
            Buf g = new Buf(r, n, -1, 1);
            double exact = 0;
            for (int i = 0; i < n; i++) {
                double d = (double) t.a[t.off + i] - p.a[p.off + i];
                exact += d * d;
            }
            within(exact, k.squaredError(n, p.a, p.off, t.a, t.off), (n + 2) * EPS * exact, k + " squaredError n=" + n);
            k.squaredErrorGradient(n, p.a, p.off, t.a, t.off, g.a, g.off);
            for (int i = 0; i < n; i++) {
                bitEqual((float) (2.0 * ((double) p.a[p.off + i] - t.a[t.off + i])), g.a[g.off + i],
                        k + " squaredErrorGradient n=" + n);
            }
            g.assertGuards(0, n, k + " squaredErrorGradient");
        }
    }

    // ---------------------------------------------------------------- level 2

    /** Shapes: few rows times every size, and every size times few columns. */
    static int[][] shapes() {
        int[][] s = new int[2 * FEW.length * SIZES.length][];
        int c = 0;
        for (int few : FEW) {
            for (int size : SIZES) {
                s[c++] = new int[] {few, size};
                s[c++] = new int[] {size, few};
            }
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemv(Kernels k) {
        for (int[] shape : shapes()) {
            int m = shape[0];
            int n = shape[1];
            SplittableRandom r = rnd("gemv", m, n);
            int lda = Math.max(1, n) + r.nextInt(3);
            Buf a = new Buf(r, m == 0 ? 0 : (m - 1) * lda + n, -1, 1);
            Buf x = new Buf(r, n, -1, 1);
            Buf y = new Buf(r, m, -1, 1);
            float alpha = (float) r.nextDouble(-2, 2);
            float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-2, 2);
            if (beta == 0f && m > 0) {
                y.a[y.off] = Float.NaN; // BLAS: beta == 0 must not read y
                y.before[y.off] = Float.NaN;
            }
            k.gemv(m, n, alpha, a.a, a.off, lda, x.a, x.off, beta, y.a, y.off);
            for (int i = 0; i < m; i++) {
                int row = a.off + i * lda;
                double s = ReferenceMath.dot(n, a.a, row, x.a, x.off);
                double old = beta == 0f ? 0 : y.before[y.off + i];
                double exact = alpha * s + beta * old;
                double bound = (n + 2) * EPS * Math.abs(alpha) * ReferenceMath.absDot(n, a.a, row, x.a, x.off)
                        + 2 * EPS * Math.abs(beta * old) + 1e-30;
                within(exact, y.a[y.off + i], bound, k + " gemv " + m + "x" + n + " lda=" + lda + " row " + i);
            }
            y.assertGuards(0, m, k + " gemv " + m + "x" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemvT(Kernels k) {
        for (int[] shape : shapes()) {
            int m = shape[0];
            int n = shape[1];
            SplittableRandom r = rnd("gemvT", m, n);
            int lda = Math.max(1, n) + r.nextInt(3);
            Buf a = new Buf(r, m == 0 ? 0 : (m - 1) * lda + n, -1, 1);
            Buf x = new Buf(r, m, -1, 1);
            Buf y = new Buf(r, n, -1, 1);
            float alpha = (float) r.nextDouble(-2, 2);
            float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-2, 2);
            if (beta == 0f && n > 0) {
                y.a[y.off + n - 1] = Float.NaN;
                y.before[y.off + n - 1] = Float.NaN;
            }
            k.gemvT(m, n, alpha, a.a, a.off, lda, x.a, x.off, beta, y.a, y.off);
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int i = 0; i < m; i++) {
                    double t = (double) a.a[a.off + i * lda + j] * x.a[x.off + i];
                    s += t;
                    abs += Math.abs(t);
                }
                double old = beta == 0f ? 0 : y.before[y.off + j];
                double exact = alpha * s + beta * old;
                double bound = (m + 3) * EPS * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
                within(exact, y.a[y.off + j], bound, k + " gemvT " + m + "x" + n + " lda=" + lda + " col " + j);
            }
            y.assertGuards(0, n, k + " gemvT " + m + "x" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void ger(Kernels k) {
        for (int[] shape : shapes()) {
            int m = shape[0];
            int n = shape[1];
            SplittableRandom r = rnd("ger", m, n);
            int lda = Math.max(1, n) + r.nextInt(3);
            Buf a = new Buf(r, m == 0 ? 0 : (m - 1) * lda + n, -1, 1);
            Buf x = new Buf(r, m, -1, 1);
            Buf y = new Buf(r, n, -1, 1);
            float alpha = (float) r.nextDouble(-2, 2);
            k.ger(m, n, alpha, x.a, x.off, y.a, y.off, a.a, a.off, lda);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int idx = a.off + i * lda + j;
                    double upd = (double) alpha * x.a[x.off + i] * y.a[y.off + j];
                    double exact = a.before[idx] + upd;
                    within(exact, a.a[idx], 2 * EPS * (Math.abs(a.before[idx]) + Math.abs(upd)),
                            k + " ger " + m + "x" + n + " (" + i + "," + j + ")");
                }
                // The gap between rows (lda > n) must stay untouched.
                for (int j = n; j < lda && i < m - 1; j++) {
                    int idx = a.off + i * lda + j;
                    bitEqual(a.before[idx], a.a[idx], k + " ger padding between rows");
                }
            }
            a.assertGuards(0, m == 0 ? 0 : (m - 1) * lda + n, k + " ger " + m + "x" + n);
        }
    }

    // ---------------------------------------------------------------- activations

    @ParameterizedTest
    @MethodSource("backends")
    void tanhWithin5UlpAndInPlace(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("tanh", n);
            Buf x = new Buf(r, n, -12, 12);
            Buf out = new Buf(r, n, 0, 1);
            k.tanh(n, x.a, x.off, out.a, out.off);
            for (int i = 0; i < n; i++) {
                float want = (float) Math.tanh(x.a[x.off + i]);
                long ulps = ReferenceMath.ulpDistance(want, out.a[out.off + i]);
                assertTrue(ulps <= 5, k + " tanh(" + x.a[x.off + i] + ") = " + out.a[out.off + i] + ", want " + want
                        + " (" + ulps + " ulp) n=" + n);
            }
            out.assertGuards(0, n, k + " tanh");
            float[] expected = Arrays.copyOfRange(out.a, out.off, out.off + n);
            k.tanh(n, x.a, x.off, x.a, x.off); // in place gives the same values
            assertEquals(Arrays.toString(expected), Arrays.toString(Arrays.copyOfRange(x.a, x.off, x.off + n)),
                    k + " tanh in place n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sech2WithinAbsoluteAndRelativeBounds(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("sech2", n);
            Buf x = new Buf(r, n, -20, 20);
            Buf out = new Buf(r, n, 0, 1);
            k.sech2(n, x.a, x.off, out.a, out.off);
            for (int i = 0; i < n; i++) {
                double c = Math.cosh(x.a[x.off + i]);
                double want = 1 / (c * c);
                float got = out.a[out.off + i];
                within(want, got, Math.pow(2, -21), k + " sech2 absolute, x=" + x.a[x.off + i]);
                if (want >= Float.MIN_NORMAL) {
                    within(want, got, Math.pow(2, -19) * want, k + " sech2 relative, x=" + x.a[x.off + i]);
                }
            }
            out.assertGuards(0, n, k + " sech2");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void tanhGradFromOutput(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("tanhGrad", n);
            Buf t = new Buf(r, n, -1, 1);
            Buf out = new Buf(r, n, 0, 1);
            k.tanhGradFromOutput(n, t.a, t.off, out.a, out.off);
            for (int i = 0; i < n; i++) {
                double tv = t.a[t.off + i];
                within(1 - tv * tv, out.a[out.off + i], EPS * (1 - tv * tv) / 2 + 1e-45, k + " 1-t^2 t=" + tv);
            }
            out.assertGuards(0, n, k + " tanhGradFromOutput");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void softmaxMatchesReferenceAndSumsToOne(Kernels k) {
        for (int n : SIZES) {
            if (n == 0) {
                continue;
            }
            SplittableRandom r = rnd("softmax", n);
            Buf x = new Buf(r, n, -10, 10);
            Buf out = new Buf(r, n, 0, 1);
            k.softmax(n, x.a, x.off, out.a, out.off);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, x.a[x.off + i]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(x.a[x.off + i] - max);
            }
            double total = 0;
            for (int i = 0; i < n; i++) {
                double diff = x.a[x.off + i] - max;
                double want = Math.exp(diff) / sum;
                double bound = softmaxBound(n, diff) * want + 1e-37;
                within(want, out.a[out.off + i], bound, k + " softmax n=" + n + " i=" + i);
                total += out.a[out.off + i];
            }
            within(1, (float) total, n * 2 * EPS, k + " softmax sum n=" + n);
            out.assertGuards(0, n, k + " softmax");
        }
    }

    /** The bound softmax states for element i: 2^-20 + n 2^-23 + |x[i] - max| 1.25 2^-24, relative. */
    static double softmaxBound(int n, double diff) {
        return Math.pow(2, -20) + n * EPS + Math.abs(diff) * 1.25 * EPS / 2;
    }

    /**
     * Entries far below the maximum, where rounding the exponent in float costs up to
     * |x - max| 1.25 2^-24 in the exponential: at every lane and tail position of this width, against the stated bound.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void softmaxFarBelowTheMaximumWithinTheStatedBound(Kernels k) {
        int l = Width.lanes();
        // The independent check's case: out[1] was 1.8048515e-35 against 1.80485814e-35 at 8 lanes.
        checkSoftmax(k, new float[] {80f, 3.7384034e-6f, 0f, 0f, 0f, 0f, 0f, 0f});
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {2, l - 1, l, l + 1, 2 * l - 1, 2 * l + 3, 3 * l + 1}) {
            for (int pos = 0; pos < n; pos++) {
                for (float max : new float[] {80f, 86.5f, 50.25f, 17.125f, 0.75f}) {
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        // Small entries with full mantissas: their distance to max is rarely a float.
                        x[i] = (float) (r.nextDouble(-1, 1) * Math.scalb(1.0, -r.nextInt(24)));
                    }
                    x[(pos + 1) % n] = max;
                    checkSoftmax(k, x);
                }
            }
        }
    }

    /**
     * Large logits: the vector backend folds the maximum into its exponent's FMA below 2^22 in
     * magnitude (where the rounding of max * log2(e) is at most 1/4 and cancels) and hands larger
     * ones to the scalar loop. Both sides of that limit, at every size class of this width, within
     * the stated bound.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void softmaxOfLargeLogitsOnBothSidesOfTheFoldingLimitWithinTheStatedBound(Kernels k) {
        int l = Width.lanes();
        SplittableRandom r = new SplittableRandom(13);
        for (float max : new float[] {0x1p22f, Math.nextDown(0x1p22f), -Math.nextDown(0x1p22f), 3_000_000.7f,
            -1_234_567.8f, 65_537.3f, 1e9f, -3e11f, 1e12f, 1e20f}) {
            float ulp = Math.ulp(max);
            for (int n : new int[] {l, l + 3, 2 * l, 2 * l + 1, 5 * l + 3}) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    // Steps of whole ulps below max: within 40 of it, so most results are normal floats.
                    x[i] = max - ulp * r.nextInt((int) Math.max(1, Math.min(1 << 20, 40 / ulp)));
                }
                x[r.nextInt(n)] = max;
                checkSoftmax(k, x);
            }
        }
    }

    private static void checkSoftmax(Kernels k, float[] x) {
        int n = x.length;
        float[] out = new float[n];
        k.softmax(n, x, 0, out, 0);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        for (int i = 0; i < n; i++) {
            double diff = x[i] - max;
            double want = Math.exp(diff) / sum;
            // Results below 2^-126 may be flushed to 0 (documented); above, the relative bound alone.
            within(want, out[i], want < Float.MIN_NORMAL ? Float.MIN_NORMAL : softmaxBound(n, diff) * want,
                    k + " softmax n=" + n + " x[" + i + "]=" + x[i] + " max=" + max);
        }
    }

    /** At n = 1 the rounding of the difference alone exceeds n 2^-23: the bound is (n + 2) 2^-23. */
    @ParameterizedTest
    @MethodSource("backends")
    void squaredErrorOfFewElementsWithinTheStatedBound(Kernels k) {
        // The independent check's case: 2.18 units of 2^-24 at n = 1.
        checkSquaredError(k, new float[] {0.058132812f}, new float[] {0.31685415f});
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 20_000; trial++) {
            int n = 1 + trial % 3;
            float[] p = new float[n];
            float[] t = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = (float) r.nextDouble();
                t[i] = (float) r.nextDouble();
            }
            checkSquaredError(k, p, t);
        }
    }

    private static void checkSquaredError(Kernels k, float[] p, float[] t) {
        int n = p.length;
        double exact = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) t[i] - p[i];
            exact += d * d;
        }
        within(exact, k.squaredError(n, p, 0, t, 0), (n + 2) * EPS * exact,
                k + " squaredError " + Arrays.toString(p) + " " + Arrays.toString(t));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void softmaxBackwardIsTheJacobianVectorProduct(Kernels k) {
        for (int n : SIZES) {
            SplittableRandom r = rnd("softmaxBackward", n);
            Buf s = new Buf(r, n, 0, 1);
            Buf g = new Buf(r, n, -1, 1);
            Buf out = new Buf(r, n, 0, 1);
            k.softmaxBackward(n, s.a, s.off, g.a, g.off, out.a, out.off);
            double sg = ReferenceMath.dot(n, s.a, s.off, g.a, g.off);
            double sgBound = n * EPS * ReferenceMath.absDot(n, s.a, s.off, g.a, g.off);
            for (int i = 0; i < n; i++) {
                // The n x n Jacobian J[i][j] = s_i (delta_ij - s_j), applied explicitly in double.
                double want = 0;
                for (int j = 0; j < n; j++) {
                    double jac = s.a[s.off + i] * ((i == j ? 1.0 : 0.0) - s.a[s.off + j]);
                    want += jac * g.a[g.off + j];
                }
                double si = s.a[s.off + i];
                double bound = Math.abs(si) * (sgBound + 2 * EPS * (Math.abs(g.a[g.off + i]) + Math.abs(sg))) + 1e-12;
                within(want, out.a[out.off + i], bound, k + " softmaxBackward n=" + n + " i=" + i);
            }
            out.assertGuards(0, n, k + " softmaxBackward");
        }
    }
}
