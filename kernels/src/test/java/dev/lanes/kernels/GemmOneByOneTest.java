package dev.lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scalar gemm that VectorKernels runs for tiny shapes gives the register tiles' bits, so that a
 * product's bits never depend on its shape class (ParallelKernels splits columns, and a split can
 * fall on either side of the cut-over). Every transpose combination, beta 0 (with NaN in C), 1 and
 * other, shapes around the tile (MR rows, NR columns, a last panel of L columns) and across two k-blocks, the
 * shapes whose operands the 16-lane tile reads in place, padded leading dimensions and offsets; run at every width by the CI's width suites.
 */
class GemmOneByOneTest {
    private static final int[] SMALL = {1, 2, 3, VectorGemm.MR, VectorGemm.MR + 1, VectorKernels.L, VectorKernels.L + 1,
        VectorGemm.NR - 1, VectorGemm.NR, VectorGemm.NR + 3, VectorGemm.NR + VectorKernels.L, VectorKernels.TINY};

    @Test
    void tinyShapesMatchTheRegisterTile() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 4; t++) {
            for (int m : SMALL) {
                for (int n : SMALL) {
                    for (int k : SMALL) {
                        check(r, (t & 1) != 0, (t & 2) != 0, m, n, k);
                    }
                }
            }
        }
    }

    @Test
    void twoKBlocksAndLargerShapesMatchToo() {
        SplittableRandom r = new SplittableRandom(8);
        for (int t = 0; t < 4; t++) {
            check(r, (t & 1) != 0, (t & 2) != 0, 5, 37, VectorGemm.KC + 77);
            check(r, (t & 1) != 0, (t & 2) != 0, 33, 130, 784);
            check(r, (t & 1) != 0, (t & 2) != 0, 97, 19, 40);
            // A weight gradient's shape class: short sums, rows first, a last panel of L columns.
            check(r, (t & 1) != 0, (t & 2) != 0, 2 * VectorGemm.MR + 3, 24 * VectorGemm.NR + VectorKernels.L, 32);
            // A layer with its weights stored in x out: the forward product reads V in place, the weight
            // gradient U (rows across memory) and V in place, over U blocks that end on a whole tile or not.
            check(r, (t & 1) != 0, (t & 2) != 0, 4 * VectorGemm.MR, 4 * VectorGemm.NR, 784);
            check(r, (t & 1) != 0, (t & 2) != 0, 4 * VectorGemm.MR, VectorGemm.NR, 784);
            check(r, (t & 1) != 0, (t & 2) != 0, 2 * VectorGemm.MC + 2 * VectorGemm.MR, 4 * VectorGemm.NR, 32);
            check(r, (t & 1) != 0, (t & 2) != 0, 2 * VectorGemm.MC + 3, 2 * VectorGemm.NR, 32);
        }
    }

    private static void check(SplittableRandom r, boolean transA, boolean transB, int m, int n, int k) {
        for (int variant = 0; variant < 3; variant++) {
            float alpha = variant == 1 ? 1f : (float) r.nextDouble(-2, 2);
            float beta = variant == 0 ? 0f : variant == 1 ? 1f : (float) r.nextDouble(-2, 2);
            int lda = (transA ? m : k) + r.nextInt(3);
            int ldb = (transB ? k : n) + r.nextInt(3);
            int ldc = n + r.nextInt(3);
            int off = r.nextInt(5);
            float[] a = random(r, off + (transA ? k : m) * lda);
            float[] b = random(r, off + (transB ? n : k) * ldb);
            float[] c = random(r, off + m * ldc);
            c[off] = beta == 0f ? Float.NaN : c[off];
            // Products that cancel, so that the order of additions shows.
            a[off] = 1e4f;
            b[off] = -1e4f;
            float[] tiled = c.clone();
            float[] oneByOne = c.clone();
            VectorGemm.multiply(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, tiled, off, ldc);
            VectorGemm.multiplyOneByOne(transA, transB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, oneByOne, off,
                    ldc);
            for (int i = 0; i < c.length; i++) {
                int at = i;
                assertEquals(Float.floatToRawIntBits(tiled[i]), Float.floatToRawIntBits(oneByOne[i]),
                        () -> "transA=" + transA + " transB=" + transB + " " + m + "x" + n + "x" + k + " alpha="
                                + alpha + " beta=" + beta + ": element " + at + " " + tiled[at] + " vs " + oneByOne[at]);
            }
        }
    }

    private static float[] random(SplittableRandom r, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }
}
