package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorKernels.S;

import jdk.incubator.vector.FloatVector;

/**
 * Register-tiled matrix products for {@link VectorKernels#gemmK}, in one loop shape: the outer-product
 * form over row-major B (unit stride along n). A 3-by-4-vector tile of C lives in 12 accumulators;
 * each step over p broadcasts three elements of op(A) and loads four vectors of one row of B. k is cut
 * into blocks so that the B panel a tile walks over (KC rows of 4 vectors) stays in L1 while the tiles
 * of the other rows reuse it. With op(B) = B^T each block of B is first copied transposed into a
 * per-thread panel. Every element of C is a plain sequential sum over p in each block, so no lane sum
 * is ever needed: the result does not depend on the tile an element fell in, on the thread that
 * computed it, or on whether C2 has compiled the code yet.
 */
final class VectorGemm {
    /** Rows of B per k-block: 256 rows of 4 vectors of 8 floats is 32 KiB, the L1 of current x86 cores. */
    private static final int KC = 256;

    private VectorGemm() {
    }


    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(S, a, i);
    }

    /** C (already scaled by beta) += alpha * op(A) * B, B unit-stride along n. */
    static void outerForm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                          int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int rowStep = transA ? 1 : lda;   // from A(i, p) to A(i + 1, p)
        int colStep = transA ? lda : 1;   // from A(i, p) to A(i, p + 1)
        float[] panel = transB ? panel(Math.min(KC, k) * n) : null;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            int aBase = aOff + p0 * colStep;
            int bBase = bOff + p0 * ldb;
            if (transB) {
                // op(B) = B^T: copy this block of k transposed, so that its rows run along n as the
                // tiles need; every element is then summed in the same order as without transB.
                for (int j = 0; j < n; j++) {
                    int src = bOff + j * ldb + p0;
                    for (int pp = 0; pp < kc; pp++) {
                        panel[pp * n + j] = b[src + pp];
                    }
                }
                outerBlock(m, n, kc, alpha, a, aBase, rowStep, colStep, panel, 0, n, c, cOff, ldc);
            } else {
                outerBlock(m, n, kc, alpha, a, aBase, rowStep, colStep, b, bBase, ldb, c, cOff, ldc);
            }
        }
    }

    /**
     * A per-thread buffer for transposed panels of B, grown as needed and reused by every later call
     * on the thread: no allocation in steady state, no shared mutable state.
     */
    private static final ThreadLocal<float[][]> PANEL = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] panel(int size) {
        float[][] holder = PANEL.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /** C += alpha * op(A)[:, block] * B[block, :] for one block of kc values of p; B rows unit-stride. */
    private static void outerBlock(int m, int n, int kc, float alpha, float[] a, int aBase, int rowStep, int colStep,
                               float[] b, int bBase, int ldb, float[] c, int cOff, int ldc) {
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L) {
            int i = 0;
            for (; i <= m - 3; i += 3) {
                outer3x4(kc, alpha, a, aBase + i * rowStep, rowStep, colStep, b, bBase + j, ldb, c, cOff + i * ldc + j, ldc);
            }
            for (; i < m; i++) {
                outer1x4(kc, alpha, a, aBase + i * rowStep, colStep, b, bBase + j, ldb, c, cOff + i * ldc + j);
            }
        }
        for (; j <= n - L; j += L) {
            for (int i = 0; i < m; i++) {
                outer1x1(kc, alpha, a, aBase + i * rowStep, colStep, b, bBase + j, ldb, c, cOff + i * ldc + j);
            }
        }
        for (; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float s = 0f;
                int ai = aBase + i * rowStep;
                for (int p = 0; p < kc; p++) {
                    s = Math.fma(a[ai + p * colStep], b[bBase + p * ldb + j], s);
                }
                c[cOff + i * ldc + j] = Math.fma(alpha, s, c[cOff + i * ldc + j]);
            }
        }
    }

    private static void outer3x4(int kc, float alpha, float[] a, int a0, int rowStep, int colStep,
                                 float[] b, int b0, int ldb, float[] c, int c0, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        int ap = a0;
        int bp = b0;
        for (int p = 0; p < kc; p++, ap += colStep, bp += ldb) {
            FloatVector x0 = FloatVector.broadcast(S, a[ap]);
            FloatVector x1 = FloatVector.broadcast(S, a[ap + rowStep]);
            FloatVector x2 = FloatVector.broadcast(S, a[ap + 2 * rowStep]);
            FloatVector y = load(b, bp);
            c00 = x0.fma(y, c00);
            c10 = x1.fma(y, c10);
            c20 = x2.fma(y, c20);
            y = load(b, bp + L);
            c01 = x0.fma(y, c01);
            c11 = x1.fma(y, c11);
            c21 = x2.fma(y, c21);
            y = load(b, bp + 2 * L);
            c02 = x0.fma(y, c02);
            c12 = x1.fma(y, c12);
            c22 = x2.fma(y, c22);
            y = load(b, bp + 3 * L);
            c03 = x0.fma(y, c03);
            c13 = x1.fma(y, c13);
            c23 = x2.fma(y, c23);
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        addRow4(c, c0, va, c00, c01, c02, c03);
        addRow4(c, c0 + ldc, va, c10, c11, c12, c13);
        addRow4(c, c0 + 2 * ldc, va, c20, c21, c22, c23);
    }

    private static void addRow4(float[] c, int ci, FloatVector va, FloatVector v0, FloatVector v1, FloatVector v2,
                                FloatVector v3) {
        v0.fma(va, load(c, ci)).intoArray(c, ci);
        v1.fma(va, load(c, ci + L)).intoArray(c, ci + L);
        v2.fma(va, load(c, ci + 2 * L)).intoArray(c, ci + 2 * L);
        v3.fma(va, load(c, ci + 3 * L)).intoArray(c, ci + 3 * L);
    }

    private static void outer1x4(int kc, float alpha, float[] a, int a0, int colStep,
                                 float[] b, int b0, int ldb, float[] c, int c0) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        int ap = a0;
        int bp = b0;
        for (int p = 0; p < kc; p++, ap += colStep, bp += ldb) {
            FloatVector x0 = FloatVector.broadcast(S, a[ap]);
            c00 = x0.fma(load(b, bp), c00);
            c01 = x0.fma(load(b, bp + L), c01);
            c02 = x0.fma(load(b, bp + 2 * L), c02);
            c03 = x0.fma(load(b, bp + 3 * L), c03);
        }
        addRow4(c, c0, FloatVector.broadcast(S, alpha), c00, c01, c02, c03);
    }

    private static void outer1x1(int kc, float alpha, float[] a, int a0, int colStep,
                                 float[] b, int b0, int ldb, float[] c, int c0) {
        FloatVector acc = FloatVector.zero(S);
        int ap = a0;
        int bp = b0;
        for (int p = 0; p < kc; p++, ap += colStep, bp += ldb) {
            acc = FloatVector.broadcast(S, a[ap]).fma(load(b, bp), acc);
        }
        acc.fma(FloatVector.broadcast(S, alpha), load(c, c0)).intoArray(c, c0);
    }
}
