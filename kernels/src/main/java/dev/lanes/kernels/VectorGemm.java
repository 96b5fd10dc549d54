package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorKernels.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Register-tiled matrix products for {@link VectorKernels#gemmK}. Two loop shapes cover the three
 * products of a dense layer without packing copies:
 * <ul>
 *   <li>op(B) = B (row-major k-by-n, unit stride along n): the outer-product form. A 3-by-4-vector
 *       tile of C lives in 12 accumulators; each step over p broadcasts three elements of op(A) and
 *       loads four vectors of one row of B. k is cut into blocks so that the B panel a tile walks over
 *       (KC rows of 4 vectors) stays in L1 while the tiles of the other rows reuse it.</li>
 *   <li>op(B) = B^T with op(A) = A (both with unit stride along k): the dot form. A 3-row by 4-row
 *       tile computes 12 dot products at once: each step loads three vectors of A and four of B for
 *       twelve FMAs, and the 12 sums are reduced once at the end.</li>
 * </ul>
 * Both transposed is rare in practice and goes to the scalar loops.
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
    static void outerForm(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int rowStep = transA ? 1 : lda;   // from A(i, p) to A(i + 1, p)
        int colStep = transA ? lda : 1;   // from A(i, p) to A(i, p + 1)
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            int aBase = aOff + p0 * colStep;
            int bBase = bOff + p0 * ldb;
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

    /** C (already scaled by beta) += alpha * A * B^T: rows of A and rows of B both unit-stride along k. */
    static void dotForm(int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                        float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int i = 0;
        for (; i <= m - 3; i += 3) {
            int j = 0;
            for (; j <= n - 4; j += 4) {
                dot3x4(k, alpha, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, c, cOff + i * ldc + j, ldc);
            }
            for (; j < n; j++) {
                for (int r = 0; r < 3; r++) {
                    dot1x1(k, alpha, a, aOff + (i + r) * lda, b, bOff + j * ldb, c, cOff + (i + r) * ldc + j);
                }
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                dot1x1(k, alpha, a, aOff + i * lda, b, bOff + j * ldb, c, cOff + i * ldc + j);
            }
        }
    }

    private static void dot3x4(int k, float alpha, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                               float[] c, int c0, int ldc) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s22 = FloatVector.zero(S), s23 = FloatVector.zero(S);
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        int p = 0;
        for (; p <= k - L; p += L) {
            FloatVector x0 = load(a, a0 + p);
            FloatVector x1 = load(a, a1 + p);
            FloatVector x2 = load(a, a2 + p);
            FloatVector y = load(b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            y = load(b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            y = load(b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            y = load(b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
        }
        store(k, p, alpha, a, a0, b, b0, c, c0, s00);
        store(k, p, alpha, a, a0, b, b1, c, c0 + 1, s01);
        store(k, p, alpha, a, a0, b, b2, c, c0 + 2, s02);
        store(k, p, alpha, a, a0, b, b3, c, c0 + 3, s03);
        store(k, p, alpha, a, a1, b, b0, c, c0 + ldc, s10);
        store(k, p, alpha, a, a1, b, b1, c, c0 + ldc + 1, s11);
        store(k, p, alpha, a, a1, b, b2, c, c0 + ldc + 2, s12);
        store(k, p, alpha, a, a1, b, b3, c, c0 + ldc + 3, s13);
        store(k, p, alpha, a, a2, b, b0, c, c0 + 2 * ldc, s20);
        store(k, p, alpha, a, a2, b, b1, c, c0 + 2 * ldc + 1, s21);
        store(k, p, alpha, a, a2, b, b2, c, c0 + 2 * ldc + 2, s22);
        store(k, p, alpha, a, a2, b, b3, c, c0 + 2 * ldc + 3, s23);
    }

    /** Reduces one accumulator, adds the scalar tail from p to k, and accumulates into C. */
    private static void store(int k, int p, float alpha, float[] a, int ai, float[] b, int bj, float[] c, int ci,
                              FloatVector acc) {
        float s = ScalarKernels.dotRange(p, k, a, ai, b, bj, acc.reduceLanes(VectorOperators.ADD));
        c[ci] = Math.fma(alpha, s, c[ci]);
    }

    /** The same per-element order as {@link #dot3x4}, so a result never depends on where its tile fell. */
    private static void dot1x1(int k, float alpha, float[] a, int ai, float[] b, int bj, float[] c, int ci) {
        FloatVector acc = FloatVector.zero(S);
        int p = 0;
        for (; p <= k - L; p += L) {
            acc = load(a, ai + p).fma(load(b, bj + p), acc);
        }
        store(k, p, alpha, a, ai, b, bj, c, ci, acc);
    }
}
