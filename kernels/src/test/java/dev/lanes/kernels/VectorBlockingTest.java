package dev.lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector backend computes every output element of gemv and gemm in an order that does not depend
 * on which register block the element fell in; ParallelKernels relies on this for bit-identical
 * results. Each row computed alone must equal the same row computed inside a larger call.
 */
class VectorBlockingTest {
    private final Kernels k = Kernels.vector();

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    @Test
    void gemvRowsDoNotDependOnTheirBlock() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[] {16, 17, 24, 100, 785}) {
            int m = 11;
            float[] a = random(r, m * n);
            float[] x = random(r, n);
            float[] all = new float[m];
            k.gemv(m, n, 1f, a, 0, n, x, 0, 0f, all, 0);
            for (int i = 0; i < m; i++) {
                float[] one = new float[1];
                k.gemv(1, n, 1f, a, i * n, n, x, 0, 0f, one, 0);
                assertEquals(Float.floatToRawIntBits(all[i]), Float.floatToRawIntBits(one[0]), "row " + i + " n=" + n);
            }
        }
    }

    /**
     * gemvT rounds each element once per row, in row order, whether it passes over y eight, four, two
     * or one rows at a time: so it gives the scalar backend's bits. The shapes reach the eight-row
     * passes (from eight rows) with every remainder of rows after them, in cache and out of it, a
     * column tail, and beta 0 (y holding NaN, which must not be read), 1 and other.
     */
    @Test
    void gemvTGivesTheScalarBitsAtEveryRowGrouping() {
        SplittableRandom r = new SplittableRandom(3);
        int[][] shapes = {{2048, 1024}, {2051, 1025}, {1031, 2040}, {1037, 2033}, {4, 600_001}, {9, 233_017}, {37, 200},
            {8, 16}, {10, 128}, {12, 784}, {13, 17}, {14, 31}, {15, 47}, {128, 784}};
        for (int[] shape : shapes) {
            int m = shape[0];
            int n = shape[1];
            int lda = n + 3;
            float[] a = random(r, (m - 1) * lda + n);
            float[] x = random(r, m);
            for (float beta : new float[] {0f, 1f, -0.75f}) {
                float[] start = random(r, n);
                if (beta == 0f) {
                    start[n - 1] = Float.NaN;
                }
                float[] vector = start.clone();
                float[] scalar = start.clone();
                k.gemvT(m, n, 1.25f, a, 0, lda, x, 0, beta, vector, 0);
                Kernels.scalar().gemvT(m, n, 1.25f, a, 0, lda, x, 0, beta, scalar, 0);
                for (int j = 0; j < n; j++) {
                    if (Float.floatToRawIntBits(vector[j]) != Float.floatToRawIntBits(scalar[j])) {
                        assertEquals(Float.floatToRawIntBits(scalar[j]), Float.floatToRawIntBits(vector[j]),
                                m + "x" + n + " beta " + beta + " col " + j + ": " + scalar[j] + " vs " + vector[j]);
                    }
                }
            }
        }
    }

    @Test
    void gemmElementsDoNotDependOnTheirTile() {
        SplittableRandom r = new SplittableRandom(2);
        int m = 7;
        int n = 70;
        int kk = 301;
        for (boolean transB : new boolean[] {false, true}) {
            float[] a = random(r, m * kk);
            float[] b = random(r, kk * n);
            int ldb = transB ? kk : n;
            float[] all = new float[m * n];
            k.gemm(false, transB, m, n, kk, 1f, a, 0, kk, b, 0, ldb, 0f, all, 0, n);
            // Each row alone (1-row tiles instead of 3-row tiles).
            for (int i = 0; i < m; i++) {
                float[] row = new float[n];
                k.gemm(false, transB, 1, n, kk, 1f, a, i * kk, kk, b, 0, ldb, 0f, row, 0, n);
                for (int j = 0; j < n; j++) {
                    assertEquals(Float.floatToRawIntBits(all[i * n + j]), Float.floatToRawIntBits(row[j]),
                            "transB=" + transB + " row " + i + " col " + j);
                }
            }
            // A column range that starts mid-tile (other column tiles and tails).
            int from = 13;
            float[] part = new float[m * n];
            int bOff = transB ? from * ldb : from;
            k.gemm(false, transB, m, n - from, kk, 1f, a, 0, kk, b, bOff, ldb, 0f, part, from, n);
            for (int i = 0; i < m; i++) {
                for (int j = from; j < n; j++) {
                    assertEquals(Float.floatToRawIntBits(all[i * n + j]), Float.floatToRawIntBits(part[i * n + j]),
                            "transB=" + transB + " (" + i + "," + j + ") in a column range");
                }
            }
        }
    }
}
