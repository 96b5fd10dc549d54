package dev.lanes.tests.kernels;

import static dev.lanes.tests.kernels.KernelParityTest.rnd;
import static dev.lanes.tests.kernels.KernelParityTest.within;

import dev.lanes.kernels.Kernels;
import dev.lanes.tests.kernels.KernelParityTest.Buf;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** gemm on every backend and every transpose combination against a double reference over odd shapes. */
class GemmParityTest {
    /**
     * Around the register tile (4 or 8 rows, two vectors of columns: 32 at 16 lanes), the row block
     * (96) and the k-block (512, met by the layer shapes' 784).
     */
    static final int[] DIMS = IntStream.concat(IntStream.of(0, 1, 2, 7, 8, 9, 31, 33, 127, 129),
            IntStream.of(2 * Width.lanes(), 2 * Width.lanes() + 1)).distinct().sorted().toArray();

    static Stream<Arguments> cases() {
        return BackendsUnderTest.stream().flatMap(k -> Stream.of(
                Arguments.of(k, false, false), Arguments.of(k, false, true),
                Arguments.of(k, true, false), Arguments.of(k, true, true)));
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("cases")
    void gemmWithinBound(Kernels kern, boolean transA, boolean transB) {
        for (int m : DIMS) {
            for (int n : DIMS) {
                for (int k : DIMS) {
                    if ((long) m * n * k > 300_000 && m != n) {
                        continue; // keep the largest shapes to the cubes; the tails are covered by the rest
                    }
                    check(kern, transA, transB, m, n, k);
                }
            }
        }
        // The shapes a dense layer uses (batch 32, 784 -> 128).
        check(kern, transA, transB, 32, 128, 784);
        check(kern, transA, transB, 128, 784, 32);
        check(kern, transA, transB, 32, 784, 128);
    }

    private static void check(Kernels kern, boolean transA, boolean transB, int m, int n, int k) {
        SplittableRandom r = rnd("gemm" + transA + transB, m, n, k);
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = Math.max(1, aCols) + r.nextInt(3);
        int ldb = Math.max(1, bCols) + r.nextInt(3);
        int ldc = Math.max(1, n) + r.nextInt(3);
        Buf a = new Buf(r, aRows == 0 ? 0 : (aRows - 1) * lda + aCols, -1, 1);
        Buf b = new Buf(r, bRows == 0 ? 0 : (bRows - 1) * ldb + bCols, -1, 1);
        Buf c = new Buf(r, m == 0 ? 0 : (m - 1) * ldc + n, -1, 1);
        float alpha = (float) r.nextDouble(-2, 2);
        float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-2, 2);
        if (beta == 0f && m > 0 && n > 0) {
            c.a[c.off] = Float.NaN;
            c.before[c.off] = Float.NaN;
        }
        kern.gemm(transA, transB, m, n, k, alpha, a.a, a.off, lda, b.a, b.off, ldb, beta, c.a, c.off, ldc);
        String what = kern + " gemm transA=" + transA + " transB=" + transB + " " + m + "x" + n + "x" + k;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a.a[a.off + p * lda + i] : a.a[a.off + i * lda + p];
                    double bv = transB ? b.a[b.off + j * ldb + p] : b.a[b.off + p * ldb + j];
                    s += av * bv;
                    abs += Math.abs(av * bv);
                }
                double old = beta == 0f ? 0 : c.before[c.off + i * ldc + j];
                double exact = alpha * s + beta * old;
                double bound = (k + 3) * ReferenceMath.EPS * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
                within(exact, c.a[c.off + i * ldc + j], bound, what + " (" + i + "," + j + ")");
            }
            for (int j = n; j < ldc && i < m - 1; j++) {
                KernelParityTest.bitEqual(c.before[c.off + i * ldc + j], c.a[c.off + i * ldc + j], what + " gap");
            }
        }
        c.assertGuards(0, m == 0 ? 0 : (m - 1) * ldc + n, what);
    }
}
