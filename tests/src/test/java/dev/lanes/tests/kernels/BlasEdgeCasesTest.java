package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What BLAS does at the edges, on every backend (and split across threads): zero extents with the
 * other extents non-zero and leading dimensions larger than the (tight) arrays, and alpha = 0 with
 * infinities and NaNs among the inputs the product would read.
 */
class BlasEdgeCasesTest {
    /**
     * Each backend alone and split over threads (the split kernels have zero-extent paths of their
     * own); the executor runs the chunks on the calling thread, which is all these calls need.
     */
    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream().flatMap(k -> Stream.of(k, k.withExecutor(Runnable::run, 3)));
    }

    /**
     * Extents on each side of this JVM's vector cut-overs (one and two vectors; 64 elements, up to
     * which the vector backend runs the scalar loops) and of the four-row blocks.
     */
    static int[] extents() {
        int l = Width.lanes();
        return new int[] {1, 3, 5, l - 1, l + 1, 2 * l + 3, 4 * l + 5, 64, 65, 64 + 2 * l + 3};
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    // ---------------------------------------------------------------- zero extents

    @ParameterizedTest
    @MethodSource("backends")
    void gemmWithAnEmptyOutputTouchesNothing(Kernels k) {
        // The case: NT, m = 2, n = 0, k = 7, C at offset 2 with ldc 9 in an array of 4.
        float[] c = {1, 2, 3, 4};
        k.gemm(false, true, 2, 0, 7, 1f, new float[14], 0, 7, new float[0], 0, 7, 0f, c, 2, 9);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int e : extents()) {
                    for (float beta : new float[] {0f, 0.5f, 1f}) {
                        float[] out = {7, 8, 9};
                        // m = e, n = 0: C's rows start far beyond the array, every row is empty.
                        k.gemm(ta, tb, e, 0, 5, 1f, new float[5 * e], 0, ta ? e : 5, new float[0], 0, tb ? 5 : 1,
                                beta, out, 3, 1000);
                        // m = 0, n = e.
                        k.gemm(ta, tb, 0, e, 5, 1f, new float[0], 0, ta ? 1 : 5, new float[5 * e], 0, tb ? 5 : e,
                                beta, out, 3, e);
                        assertArrayEquals(new float[] {7, 8, 9}, out, k + " ta=" + ta + " tb=" + tb + " e=" + e);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemmWithAnEmptyInnerDimensionScalesC(Kernels k) {
        for (int m : extents()) {
            for (int n : extents()) {
                int ldc = n + 3;
                float[] c = filled((m - 1) * ldc + n, 2f);
                c[0] = Float.NaN;
                // k = 0: A and B are empty (any lda, ldb), C = beta * C; beta 0 does not read C's NaN.
                k.gemm(true, false, m, n, 0, 1f, new float[0], 0, m, new float[0], 0, n, 0f, c, 0, ldc);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(0f, c[i * ldc + j], k + " beta 0, " + m + "x" + n);
                    }
                    for (int j = n; j < ldc && i < m - 1; j++) {
                        assertEquals(2f, c[i * ldc + j], "the gap between rows is not written");
                    }
                }
                Arrays.fill(c, 2f);
                k.gemm(false, true, m, n, 0, 1f, new float[0], 0, 1, new float[0], 0, 1, 1.5f, c, 0, ldc);
                for (int i = 0; i < m; i++) {
                    assertEquals(3f, c[i * ldc + n - 1], k + " beta 1.5, " + m + "x" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void matrixVectorKernelsWithZeroExtentsAndWideLeadingDimensions(Kernels k) {
        for (int e : extents()) {
            float[] x = filled(e, 1f);
            float[] y = filled(e, 3f);
            // gemv, m rows of n = 0 columns, lda 1000 over an empty A: y = beta * y, nothing else read.
            k.gemv(e, 0, 1f, new float[0], 0, 1000, new float[0], 0, 0.5f, y, 0);
            assertArrayEquals(filled(e, 1.5f), y, k + " gemv n=0, m=" + e);
            k.gemv(e, 0, Float.POSITIVE_INFINITY, new float[0], 0, 1000, new float[0], 0, 0f, y, 0);
            assertArrayEquals(filled(e, 0f), y, k + " gemv n=0, beta 0, alpha Inf: 0, not Inf * 0");
            // gemv with m = 0 writes nothing.
            float[] guard = {5f};
            k.gemv(0, e, 1f, new float[0], 0, e + 1000, x, 0, 0f, guard, 1);
            assertArrayEquals(new float[] {5f}, guard);
            // gemvT with m = 0: y = beta * y.
            Arrays.fill(y, 3f);
            k.gemvT(0, e, 1f, new float[0], 0, e + 1000, new float[0], 0, 2f, y, 0);
            assertArrayEquals(filled(e, 6f), y, k + " gemvT m=0, n=" + e);
            // gemvT with n = 0: nothing to write, x read for nothing.
            k.gemvT(e, 0, 1f, new float[0], 0, 1000, x, 0, 0f, guard, 1);
            assertArrayEquals(new float[] {5f}, guard);
            // ger with n = 0 or m = 0 leaves A (here empty, with a wide lda) alone.
            k.ger(e, 0, 1f, x, 0, new float[0], 0, new float[0], 0, 1000);
            k.ger(0, e, 1f, new float[0], 0, x, 0, new float[0], 0, e + 1000);
            // gerGemv with n = 0: y = A x over no columns = 0.
            Arrays.fill(y, 3f);
            k.gerGemv(e, 0, 1f, x, 0, new float[0], 0, new float[0], 0, 1000, new float[0], 0, y, 0);
            assertArrayEquals(filled(e, 0f), y, k + " gerGemv n=0");
            k.gerGemv(0, e, 1f, new float[0], 0, x, 0, new float[0], 0, e + 1000, x, 0, guard, 1);
            assertArrayEquals(new float[] {5f}, guard);
        }
    }

    // ---------------------------------------------------------------- alpha = 0

    @ParameterizedTest
    @MethodSource("backends")
    void alphaZeroReadsNeitherInfinitiesNorNaNs(Kernels k) {
        for (int n : extents()) {
            for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
                float[] x = filled(n, 1f);
                x[n - 1] = bad;
                float[] y = filled(n, 2f);
                k.axpy(n, 0f, x, 0, y, 0);
                assertArrayEquals(filled(n, 2f), y, k + " axpy alpha 0, x has " + bad);
                k.axpy(n, -0f, x, 0, y, 0);
                assertArrayEquals(filled(n, 2f), y, k + " axpy alpha -0");

                int m = n + 2;
                float[] a = filled(m * n, 1f);
                a[a.length / 2] = bad;
                float[] ym = filled(m, 2f);
                k.gemv(m, n, 0f, a, 0, n, x, 0, 1f, ym, 0);
                assertArrayEquals(filled(m, 2f), ym, k + " gemv alpha 0 beta 1 leaves y");
                k.gemv(m, n, 0f, a, 0, n, x, 0, 0.5f, ym, 0);
                assertArrayEquals(filled(m, 1f), ym, k + " gemv alpha 0: y = beta * y");
                k.gemv(m, n, 0f, a, 0, n, x, 0, 0f, ym, 0);
                assertArrayEquals(filled(m, 0f), ym, k + " gemv alpha 0 beta 0: y = 0");

                float[] xm = filled(m, 1f);
                xm[0] = bad;
                float[] yn = filled(n, 2f);
                k.gemvT(m, n, 0f, a, 0, n, xm, 0, 0.5f, yn, 0);
                assertArrayEquals(filled(n, 1f), yn, k + " gemvT alpha 0");

                float[] before = a.clone();
                k.ger(m, n, 0f, xm, 0, x, 0, a, 0, n);
                assertArrayEquals(before, a, k + " ger alpha 0 leaves A");

                // gerGemv alpha 0: A unchanged, y = A x (an Inf or NaN in A does reach y, as in gemv).
                float[] clean = filled(m * n, 0.5f);
                float[] fused = new float[m];
                k.gerGemv(m, n, 0f, xm, 0, x, 0, clean, 0, n, filled(n, 2f), 0, fused, 0);
                assertArrayEquals(filled(m * n, 0.5f), clean, k + " gerGemv alpha 0 leaves A");
                assertArrayEquals(filled(m, n), fused, k + " gerGemv alpha 0: y = A x");

                float[] c = filled(m * m, 4f);
                k.gemm(false, true, m, m, n, 0f, a, 0, n, a, 0, n, 0.25f, c, 0, m);
                assertArrayEquals(filled(m * m, 1f), c, k + " gemm alpha 0: C = beta * C");
                k.gemm(true, false, n, n, m, 0f, a, 0, n, a, 0, n, 0f, c, 0, n);
                for (int i = 0; i < n * n; i++) {
                    assertEquals(0f, c[i], k + " gemm alpha 0 beta 0: C = 0");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void scaleByZeroStillMultiplies(Kernels k) {
        float[] x = {Float.POSITIVE_INFINITY, 1f, Float.NaN, -2f};
        k.scale(4, 0f, x, 0);
        assertTrue(Float.isNaN(x[0]) && x[1] == 0f && Float.isNaN(x[2]), Arrays.toString(x));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(x[3]));
    }
}
