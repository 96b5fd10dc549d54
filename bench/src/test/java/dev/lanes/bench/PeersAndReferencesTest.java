package dev.lanes.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernels.Kernels;
import dev.ludovic.netlib.blas.BLAS;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks compare lanes with peers and references on the claim that they compute the same
 * thing; these tests hold them to it (against the scalar backend), so a wrong transpose flag or a
 * broken reference loop cannot make a comparison meaningless.
 */
class PeersAndReferencesTest {
    private static final Kernels SCALAR = Kernels.scalar();
    // 13 and 37 leave tails after every vector width; 3 rows leave a remainder after 2- or 4-row blocks.
    private static final int M = 37;
    private static final int N = 13;

    @Test
    void netlibTransposeFlagsMatchLanesRowMajorLayout() {
        float[] a = Data.uniform(M * N, 1f, 1);
        float[] x = Data.uniform(N, 1f, 2);
        float[] xt = Data.uniform(M, 1f, 3);
        float[] y = Data.uniform(N, 1f, 4);
        for (BLAS blas : new BLAS[] {Peers.VECTOR_BLAS, Peers.JAVA_BLAS}) {
            float[] want = new float[M];
            float[] got = new float[M];
            SCALAR.gemv(M, N, 0.5f, a, 0, N, x, 0, 0f, want, 0);
            blas.sgemv("T", N, M, 0.5f, a, N, x, 1, 0f, got, 1);
            assertArrayEquals(want, got, 1e-5f, blas.getClass().getSimpleName() + " gemv");

            want = new float[N];
            got = new float[N];
            SCALAR.gemvT(M, N, 0.5f, a, 0, N, xt, 0, 0f, want, 0);
            blas.sgemv("N", N, M, 0.5f, a, N, xt, 1, 0f, got, 1);
            assertArrayEquals(want, got, 1e-5f, blas.getClass().getSimpleName() + " gemvT");

            float[] aWant = a.clone();
            float[] aGot = a.clone();
            SCALAR.ger(M, N, 0.25f, xt, 0, y, 0, aWant, 0, N);
            blas.sger(N, M, 0.25f, y, 1, xt, 1, aGot, N);
            assertArrayEquals(aWant, aGot, 1e-6f, blas.getClass().getSimpleName() + " ger");

            assertEquals(SCALAR.dot(M, xt, 0, xt, 0), blas.sdot(M, xt, 1, xt, 1), 1e-4f);
        }
    }

    @Test
    void referenceLoopsComputeTheirOperation() {
        float[] a = Data.uniform(M * N, 1f, 5);
        float[] x = Data.uniform(N, 1f, 6);
        float[] want = new float[M];
        float[] got = new float[M];
        SCALAR.gemv(M, N, 1f, a, 0, N, x, 0, 0f, want, 0);
        References.gemvRows(M, N, a, x, got);
        assertArrayEquals(want, got, 1e-5f, "gemvRows");

        float[] v = Data.uniform(M, 4f, 7);
        assertEquals(SCALAR.dot(M, v, 0, v, 0), References.dot4(M, v, v), 1e-3f, "dot4");
        double sum = 0;
        for (float f : a) {
            sum += f;
        }
        assertEquals(sum, References.streamSum(a.length, a), 1e-3, "streamSum");

        float[] tanhWant = new float[M];
        float[] out = new float[M];
        SCALAR.tanh(M, v, 0, tanhWant, 0);
        References.tanhLanewise(M, v, out);
        assertArrayEquals(tanhWant, out, 1e-6f, "tanhLanewise");
        References.tanhMath(M, v, out);
        assertArrayEquals(tanhWant, out, 0f, "tanhMath");

        SCALAR.softmax(M, v, 0, want, 0);
        References.softmaxLanewiseExp(M, v, got);
        assertArrayEquals(want, got, 1e-6f, "softmaxLanewiseExp");
    }
}
