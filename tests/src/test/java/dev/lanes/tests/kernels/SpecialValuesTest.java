package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** NaN, infinities, signed zeros, subnormals and extreme magnitudes, on every backend. */
class SpecialValuesTest {
    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    /** Puts the value of interest at every position of a vector-sized-and-more array. */
    static float[][] placements(float special, int n, float filler) {
        float[][] out = new float[n][];
        for (int p = 0; p < n; p++) {
            out[p] = new float[n];
            Arrays.fill(out[p], filler);
            out[p][p] = special;
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void tanhSpecials(Kernels k) {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
            -Float.MIN_VALUE, 1e-30f, -1e-30f, Float.MIN_NORMAL, 9.1f, -9.1f, 20f, -20f, 44f, -44f, 89f, -89f,
            1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE};
        float[] out = new float[x.length];
        k.tanh(x.length, x, 0, out, 0);
        assertTrue(Float.isNaN(out[0]), "tanh(NaN)");
        assertEquals(1f, out[1], "tanh(+Inf)");
        assertEquals(-1f, out[2], "tanh(-Inf)");
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(out[3]), "tanh(+0) is +0");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[4]), "tanh(-0) is -0");
        for (int i = 5; i <= 9; i++) {
            assertTrue(ReferenceMath.ulpDistance(x[i], out[i]) <= 1, "tanh(" + x[i] + ") keeps the tiny argument: " + out[i]);
        }
        for (int i = 10; i < x.length; i++) {
            assertEquals(Math.signum(x[i]), out[i], "tanh(" + x[i] + ") saturates exactly");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void tanhIsOddBitForBit(Kernels k) {
        int n = 4099;
        float[] x = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Math.exp(r.nextDouble(-30, 4)));
        }
        float[] neg = new float[n];
        for (int i = 0; i < n; i++) {
            neg[i] = -x[i];
        }
        float[] a = new float[n];
        float[] b = new float[n];
        k.tanh(n, x, 0, a, 0);
        k.tanh(n, neg, 0, b, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(-a[i]), Float.floatToRawIntBits(b[i]), "tanh(-x) == -tanh(x) at x=" + x[i]);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sech2Specials(Kernels k) {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 100f, -100f, Float.MIN_VALUE};
        float[] out = new float[x.length];
        k.sech2(x.length, x, 0, out, 0);
        assertTrue(Float.isNaN(out[0]), "sech2(NaN)");
        assertEquals(0f, out[1], "sech2(+Inf)");
        assertEquals(0f, out[2], "sech2(-Inf)");
        assertEquals(1f, out[3], "sech2(0)");
        assertEquals(1f, out[4], "sech2(-0)");
        assertEquals(0f, out[5], "sech2(100) underflows to 0");
        assertEquals(0f, out[6], "sech2(-100) underflows to 0");
        assertEquals(1f, out[7], "sech2(tiny)");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void softmaxOfHugeSpreadIsFinite(Kernels k) {
        for (int n : new int[] {3, 8, 9, 17, 100}) {
            float[] x = new float[n];
            x[0] = 1e30f;
            x[n - 1] = -1e30f;
            float[] out = new float[n];
            k.softmax(n, x, 0, out, 0);
            assertEquals(1f, out[0], "softmax([1e30, 0.., -1e30]) puts all mass on the first, n=" + n);
            for (int i = 1; i < n; i++) {
                assertEquals(0f, out[i], "n=" + n + " i=" + i);
            }
        }
        float[] big = {88f, 89f, 1000f, 1000f, 999f, -5f, 3f, 1000f, 1000f};
        float[] out = new float[big.length];
        k.softmax(big.length, big, 0, out, 0);
        double sum = 0;
        for (float v : out) {
            assertTrue(Float.isFinite(v), "finite for large finite inputs");
            sum += v;
        }
        assertEquals(1.0, sum, 1e-6);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void softmaxWithInfiniteEntriesFollowsTheDocumentedLimits(Kernels k) {
        for (int n : new int[] {1, 5, 8, 13, 21, 37}) {
            for (float[] x : placements(Float.POSITIVE_INFINITY, n, 3f)) {
                float[] out = new float[n];
                k.softmax(n, x, 0, out, 0);
                for (int i = 0; i < n; i++) {
                    assertEquals(x[i] == Float.POSITIVE_INFINITY ? 1f : 0f, out[i], "+Inf takes all the mass, n=" + n);
                }
            }
            for (float[] x : placements(Float.NEGATIVE_INFINITY, n, 3f)) {
                float[] out = new float[n];
                k.softmax(n, x, 0, out, 0);
                for (int i = 0; i < n; i++) {
                    float want = x[i] == Float.NEGATIVE_INFINITY ? 0f : 1f / (n - 1);
                    if (n == 1) {
                        assertTrue(Float.isNaN(out[i]), "all -Inf gives NaN");
                    } else {
                        assertEquals(want, out[i], 1e-6f, "-Inf gets 0, n=" + n);
                    }
                }
            }
            for (float[] x : placements(Float.NaN, n, 3f)) {
                float[] out = new float[n];
                k.softmax(n, x, 0, out, 0);
                for (int i = 0; i < n; i++) {
                    assertTrue(Float.isNaN(out[i]), "NaN anywhere gives NaN everywhere, n=" + n);
                }
            }
        }
        float[] two = {Float.POSITIVE_INFINITY, 0f, Float.POSITIVE_INFINITY, 1f, 2f, 3f, 4f, 5f, 6f};
        float[] out = new float[two.length];
        k.softmax(two.length, two, 0, out, 0);
        assertEquals(0.5f, out[0]);
        assertEquals(0.5f, out[2]);
        assertEquals(0f, out[1]);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void nanAndInfinityPropagateThroughLinearAlgebra(Kernels k) {
        for (int n : new int[] {1, 7, 8, 9, 33, 64}) {
            for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                for (float[] x : placements(special, n, 1f)) {
                    float[] ones = new float[n];
                    Arrays.fill(ones, 1f);
                    float d = k.dot(n, x, 0, ones, 0);
                    assertEquals(special, d, 0f, "dot propagates " + special + " n=" + n);
                    float[] y = ones.clone();
                    k.axpy(n, 1f, x, 0, y, 0);
                    for (int i = 0; i < n; i++) {
                        assertEquals(x[i] + 1f, y[i], 0f, "axpy propagates " + special);
                    }
                    float[] gy = new float[1];
                    k.gemv(1, n, 1f, x, 0, n, ones, 0, 0f, gy, 0);
                    assertEquals(special, gy[0], 0f, "gemv propagates " + special);
                }
            }
            // Inf * 0 is NaN, as IEEE 754 says.
            float[] inf = new float[n];
            inf[n - 1] = Float.POSITIVE_INFINITY;
            assertTrue(Float.isNaN(k.dot(n, inf, 0, new float[n], 0)), "Inf * 0 gives NaN, n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void subnormalsAreNotFlushed(Kernels k) {
        int n = 37;
        float[] x = new float[n];
        float[] y = new float[n];
        Arrays.fill(x, Float.MIN_VALUE * 3);
        Arrays.fill(y, 1f);
        assertEquals(n * Float.MIN_VALUE * 3, k.dot(n, x, 0, y, 0), 0f, "dot of subnormals");
        float[] out = new float[n];
        k.mul(n, x, 0, y, 0, out, 0);
        assertEquals(Float.MIN_VALUE * 3, out[n - 1], 0f);
        k.tanh(n, x, 0, out, 0);
        assertEquals(Float.MIN_VALUE * 3, out[0], 0f, "tanh(subnormal) = subnormal");
        assertEquals(Float.MIN_VALUE * 3, out[n - 1], 0f);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemvBetaZeroIgnoresOldNaN(Kernels k) {
        for (int m : new int[] {1, 4, 5, 9}) {
            for (int n : new int[] {3, 8, 17, 40}) {
                float[] a = new float[m * n];
                Arrays.fill(a, 0.5f);
                float[] x = new float[n];
                Arrays.fill(x, 2f);
                float[] y = new float[m];
                Arrays.fill(y, Float.NaN);
                k.gemv(m, n, 1f, a, 0, n, x, 0, 0f, y, 0);
                for (float v : y) {
                    assertEquals(n, v, 0f);
                }
                float[] yt = new float[n];
                Arrays.fill(yt, Float.NaN);
                k.gemvT(m, n, 1f, a, 0, n, new float[m], 0, 0f, yt, 0);
                for (float v : yt) {
                    assertEquals(0f, v, 0f, "gemvT with beta 0 must not read y");
                }
            }
        }
    }
}
