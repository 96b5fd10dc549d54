package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernels.Kernels;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** gerGemv is bit-identical to ger followed by gemv, on every backend and at every tail size. */
class FusedUpdateTest {
    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void fusedEqualsUnfused(Kernels k) {
        for (int m : new int[] {0, 1, 2, 3, 4, 5, 9, 128}) {
            for (int n : KernelParityTest.SIZES) {
                if (m * n > 200_000) {
                    continue;
                }
                SplittableRandom r = new SplittableRandom(m * 10_007L + n);
                int lda = Math.max(1, n) + r.nextInt(3);
                float[] a = random(r, m * lda + 2);
                float[] u = random(r, m + 1);
                float[] v = random(r, n + 1);
                float[] x = random(r, n + 2);
                float[] a2 = a.clone();
                float[] y = new float[m + 3];
                float[] y2 = new float[m + 3];
                k.gerGemv(m, n, -0.7f, u, 1, v, 1, a, 2, lda, x, 2, y, 3);
                k.ger(m, n, -0.7f, u, 1, v, 1, a2, 2, lda);
                k.gemv(m, n, 1f, a2, 2, lda, x, 2, 0f, y2, 3);
                assertArrayEquals(a2, a, k + " updated A, m=" + m + " n=" + n);
                assertArrayEquals(y2, y, k + " y, m=" + m + " n=" + n);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void badArgumentsWriteNothing(Kernels k) {
        float[] a = new float[16];
        float[] before = a.clone();
        float[] y = new float[4];
        assertThrows(IndexOutOfBoundsException.class,
                () -> k.gerGemv(4, 4, 1f, new float[4], 0, new float[4], 0, a, 0, 4, new float[4], 0, y, 1));
        assertThrows(IndexOutOfBoundsException.class,
                () -> k.gerGemv(4, 4, 1f, new float[4], 0, new float[3], 0, a, 0, 4, new float[4], 0, y, 0));
        assertArrayEquals(before, a);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }
}
