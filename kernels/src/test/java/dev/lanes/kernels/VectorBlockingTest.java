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
