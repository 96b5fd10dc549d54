package dev.lanes.kernels;

import static dev.lanes.kernels.ScalarKernels.combine;
import static dev.lanes.kernels.ScalarKernels.dotRange;
import static dev.lanes.kernels.ScalarKernels.prepareOutput;
import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorKernels.LANE_SUM;
import static dev.lanes.kernels.VectorKernels.S;
import static dev.lanes.kernels.VectorKernels.axpyVector;
import static dev.lanes.kernels.VectorKernels.scaleVector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The matrix-vector kernels of {@link VectorKernels} (BLAS level 2) on row-major A: gemv
 * (y = alpha A x + beta y), gemvT (y = alpha A^T x + beta y), ger (A += alpha x y^T) and the fused
 * gerGemv. Callers guarantee the vector cut-overs (n of at least one or two vectors) and alpha != 0
 * (the public methods return early on alpha = 0, as BLAS does).
 *
 * <p>gemv must give every row the same bits whichever block of rows it falls in: ParallelKernels
 * splits the rows between threads and promises the single-threaded result. So every row of gemv,
 * and every row that gerGemv does not fuse, goes through the one body {@link #gemvFourRows}; fewer
 * than four rows are passed with the last one repeated (the repeats cost reads of lines already in
 * L1, and their results are dropped). The fused body {@link #updateFourRowsThenDot} cannot share
 * it (it writes A as it reads it) and keeps exactly its summation order instead, which
 * {@code FusedUpdateTest} checks bit for bit. gemvT and ger round each element once per row, in row
 * order, so their grouping of rows cannot change a bit and needs no such care.
 */
final class VectorLevel2 {
    /** Rows per pass of gemv and gerGemv: four rows times two vectors are eight FMA chains, enough to cover the FMA latency on two FMA ports. */
    private static final int ROWS = 4;

    private VectorLevel2() {
    }

    // ---------------------------------------------------------------- gemv

    /** {@code y = alpha A x + beta y} for n >= 2L. */
    static void gemv(int m, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        for (int i = 0; i < m; i += ROWS) {
            gemvRows(Math.min(ROWS, m - i), n, alpha, a, aOff + i * lda, lda, x, xOff, beta, y, yOff + i);
        }
    }

    /** {@code rows} (1 to 4) rows of gemv through the four-row body, the last row repeated to fill it. */
    private static void gemvRows(int rows, int n, float alpha, float[] a, int r0, int lda,
                                 float[] x, int xOff, float beta, float[] y, int yi) {
        int last = r0 + (rows - 1) * lda;
        gemvFourRows(rows, n, alpha, a, r0, Math.min(r0 + lda, last), Math.min(r0 + 2 * lda, last), last,
                x, xOff, beta, y, yi);
    }

    /**
     * Dot products of the rows at r0..r3 with x, stored into the first {@code rows} of y[yi..yi+3]
     * as {@code alpha * dot + beta * y}. Each row: two vector accumulators take alternate blocks of
     * L columns (a last odd block goes to the first), their sum is added up by the lane-sum tree of
     * {@link VectorKernels#LANE_SUM}, and the columns after the last whole vector are added to it in
     * order. Four rows per pass share each load of x.
     */
    private static void gemvFourRows(int rows, int n, float alpha, float[] a, int r0, int r1, int r2, int r3,
                                     float[] x, int xOff, float beta, float[] y, int yi) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        FloatVector t0 = FloatVector.zero(S);
        FloatVector t1 = FloatVector.zero(S);
        FloatVector t2 = FloatVector.zero(S);
        FloatVector t3 = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - 2 * L; j += 2 * L) {
            FloatVector xa = FloatVector.fromArray(S, x, xOff + j);
            FloatVector xb = FloatVector.fromArray(S, x, xOff + j + L);
            s0 = FloatVector.fromArray(S, a, r0 + j).fma(xa, s0);
            s1 = FloatVector.fromArray(S, a, r1 + j).fma(xa, s1);
            s2 = FloatVector.fromArray(S, a, r2 + j).fma(xa, s2);
            s3 = FloatVector.fromArray(S, a, r3 + j).fma(xa, s3);
            t0 = FloatVector.fromArray(S, a, r0 + j + L).fma(xb, t0);
            t1 = FloatVector.fromArray(S, a, r1 + j + L).fma(xb, t1);
            t2 = FloatVector.fromArray(S, a, r2 + j + L).fma(xb, t2);
            t3 = FloatVector.fromArray(S, a, r3 + j + L).fma(xb, t3);
        }
        if (j <= n - L) {
            FloatVector xa = FloatVector.fromArray(S, x, xOff + j);
            s0 = FloatVector.fromArray(S, a, r0 + j).fma(xa, s0);
            s1 = FloatVector.fromArray(S, a, r1 + j).fma(xa, s1);
            s2 = FloatVector.fromArray(S, a, r2 + j).fma(xa, s2);
            s3 = FloatVector.fromArray(S, a, r3 + j).fma(xa, s3);
            j += L;
        }
        s0 = s0.add(t0);
        s1 = s1.add(t1);
        s2 = s2.add(t2);
        s3 = s3.add(t3);
        for (VectorShuffle<Float> step : LANE_SUM) {
            s0 = s0.add(s0.rearrange(step));
            s1 = s1.add(s1.rearrange(step));
            s2 = s2.add(s2.rearrange(step));
            s3 = s3.add(s3.rearrange(step));
        }
        float d0 = dotRange(j, n, a, r0, x, xOff, s0.lane(0));
        float d1 = dotRange(j, n, a, r1, x, xOff, s1.lane(0));
        float d2 = dotRange(j, n, a, r2, x, xOff, s2.lane(0));
        float d3 = dotRange(j, n, a, r3, x, xOff, s3.lane(0));
        y[yi] = combine(alpha, d0, beta, y[yi]);
        if (rows > 1) {
            y[yi + 1] = combine(alpha, d1, beta, y[yi + 1]);
        }
        if (rows > 2) {
            y[yi + 2] = combine(alpha, d2, beta, y[yi + 2]);
        }
        if (rows > 3) {
            y[yi + 3] = combine(alpha, d3, beta, y[yi + 3]);
        }
    }

    // ---------------------------------------------------------------- gemvT

    /** {@code y = alpha A^T x + beta y} for n >= L, in the axpy ("reorder") form over rows of A. */
    static void gemvT(int m, int n, float alpha, float[] a, int aOff, int lda,
                      float[] x, int xOff, float beta, float[] y, int yOff) {
        if (beta == 0f) {
            prepareOutput(n, beta, y, yOff);
        } else if (beta != 1f) {
            scaleVector(n, beta, y, yOff);
        }
        int i = 0;
        for (; i <= m - 4; i += 4) {
            gemvTFourRows(n, alpha, a, aOff + i * lda, lda, x, xOff + i, y, yOff);
        }
        for (; i < m; i++) {
            axpyVector(n, alpha * x[xOff + i], a, aOff + i * lda, y, yOff);
        }
    }

    /** Four rows per pass, so y is loaded and stored once per four FMAs (the same roundings as four axpys). */
    private static void gemvTFourRows(int n, float alpha, float[] a, int r0, int lda,
                                      float[] x, int xi, float[] y, int yOff) {
        int r1 = r0 + lda;
        int r2 = r1 + lda;
        int r3 = r2 + lda;
        float c0 = alpha * x[xi];
        float c1 = alpha * x[xi + 1];
        float c2 = alpha * x[xi + 2];
        float c3 = alpha * x[xi + 3];
        FloatVector b0 = FloatVector.broadcast(S, c0);
        FloatVector b1 = FloatVector.broadcast(S, c1);
        FloatVector b2 = FloatVector.broadcast(S, c2);
        FloatVector b3 = FloatVector.broadcast(S, c3);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yOff + j);
            acc = FloatVector.fromArray(S, a, r0 + j).fma(b0, acc);
            acc = FloatVector.fromArray(S, a, r1 + j).fma(b1, acc);
            acc = FloatVector.fromArray(S, a, r2 + j).fma(b2, acc);
            acc = FloatVector.fromArray(S, a, r3 + j).fma(b3, acc);
            acc.intoArray(y, yOff + j);
        }
        for (; j < n; j++) {
            float acc = y[yOff + j];
            acc = Math.fma(a[r0 + j], c0, acc);
            acc = Math.fma(a[r1 + j], c1, acc);
            acc = Math.fma(a[r2 + j], c2, acc);
            acc = Math.fma(a[r3 + j], c3, acc);
            y[yOff + j] = acc;
        }
    }

    // ---------------------------------------------------------------- ger

    /** {@code A += alpha x y^T} for n >= L: each element by one FMA, as the scalar backend does. */
    static void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        int i = 0;
        for (; i <= m - 2; i += 2) {
            gerTwoRows(n, alpha * x[xOff + i], alpha * x[xOff + i + 1], y, yOff, a, aOff + i * lda, aOff + (i + 1) * lda);
        }
        if (i < m) {
            axpyVector(n, alpha * x[xOff + i], y, yOff, a, aOff + i * lda);
        }
    }

    /** Two rows per pass share each load of y; the broadcast scalars are hoisted out of the loop. */
    private static void gerTwoRows(int n, float c0, float c1, float[] y, int yOff, float[] a, int r0, int r1) {
        FloatVector b0 = FloatVector.broadcast(S, c0);
        FloatVector b1 = FloatVector.broadcast(S, c1);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yOff + j);
            yv.fma(b0, FloatVector.fromArray(S, a, r0 + j)).intoArray(a, r0 + j);
            yv.fma(b1, FloatVector.fromArray(S, a, r1 + j)).intoArray(a, r1 + j);
        }
        for (; j < n; j++) {
            float v = y[yOff + j];
            a[r0 + j] = Math.fma(c0, v, a[r0 + j]);
            a[r1 + j] = Math.fma(c1, v, a[r1 + j]);
        }
    }

    // ---------------------------------------------------------------- gerGemv

    /**
     * {@code A += alpha u v^T}, then {@code y = A x}, for n >= 2L: whole groups of four rows in one
     * pass over A; the last {@code m % 4} rows by ger, then gemv's four-row body, the same bits.
     */
    static void gerGemv(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                        float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; i <= m - ROWS; i += ROWS) {
            updateFourRowsThenDot(n, alpha, u, uOff + i, v, vOff, a, aOff + i * lda, lda, x, xOff, y, yOff + i);
        }
        if (i < m) {
            int rest = aOff + i * lda;
            ger(m - i, n, alpha, u, uOff + i, v, vOff, a, rest, lda);
            gemvRows(m - i, n, 1f, a, rest, lda, x, xOff, 0f, y, yOff + i);
        }
    }

    /**
     * Four rows of gerGemv per pass, so that each load of v and x serves four rows and eight FMA
     * chains are in flight. Each element is updated as {@link #gerTwoRows} does, and each row summed
     * in exactly the order of {@link #gemvFourRows}, so the result is that of ger then gemv.
     */
    private static void updateFourRowsThenDot(int n, float alpha, float[] u, int ui, float[] v, int vOff,
                                              float[] a, int r0, int lda, float[] x, int xOff, float[] y, int yi) {
        int r1 = r0 + lda;
        int r2 = r1 + lda;
        int r3 = r2 + lda;
        float c0 = alpha * u[ui];
        float c1 = alpha * u[ui + 1];
        float c2 = alpha * u[ui + 2];
        float c3 = alpha * u[ui + 3];
        FloatVector b0 = FloatVector.broadcast(S, c0);
        FloatVector b1 = FloatVector.broadcast(S, c1);
        FloatVector b2 = FloatVector.broadcast(S, c2);
        FloatVector b3 = FloatVector.broadcast(S, c3);
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        FloatVector t0 = FloatVector.zero(S);
        FloatVector t1 = FloatVector.zero(S);
        FloatVector t2 = FloatVector.zero(S);
        FloatVector t3 = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - 2 * L; j += 2 * L) {
            FloatVector va = FloatVector.fromArray(S, v, vOff + j);
            FloatVector xa = FloatVector.fromArray(S, x, xOff + j);
            FloatVector w = va.fma(b0, FloatVector.fromArray(S, a, r0 + j));
            w.intoArray(a, r0 + j);
            s0 = w.fma(xa, s0);
            w = va.fma(b1, FloatVector.fromArray(S, a, r1 + j));
            w.intoArray(a, r1 + j);
            s1 = w.fma(xa, s1);
            w = va.fma(b2, FloatVector.fromArray(S, a, r2 + j));
            w.intoArray(a, r2 + j);
            s2 = w.fma(xa, s2);
            w = va.fma(b3, FloatVector.fromArray(S, a, r3 + j));
            w.intoArray(a, r3 + j);
            s3 = w.fma(xa, s3);
            FloatVector vb = FloatVector.fromArray(S, v, vOff + j + L);
            FloatVector xb = FloatVector.fromArray(S, x, xOff + j + L);
            w = vb.fma(b0, FloatVector.fromArray(S, a, r0 + j + L));
            w.intoArray(a, r0 + j + L);
            t0 = w.fma(xb, t0);
            w = vb.fma(b1, FloatVector.fromArray(S, a, r1 + j + L));
            w.intoArray(a, r1 + j + L);
            t1 = w.fma(xb, t1);
            w = vb.fma(b2, FloatVector.fromArray(S, a, r2 + j + L));
            w.intoArray(a, r2 + j + L);
            t2 = w.fma(xb, t2);
            w = vb.fma(b3, FloatVector.fromArray(S, a, r3 + j + L));
            w.intoArray(a, r3 + j + L);
            t3 = w.fma(xb, t3);
        }
        if (j <= n - L) {
            FloatVector va = FloatVector.fromArray(S, v, vOff + j);
            FloatVector xa = FloatVector.fromArray(S, x, xOff + j);
            FloatVector w = va.fma(b0, FloatVector.fromArray(S, a, r0 + j));
            w.intoArray(a, r0 + j);
            s0 = w.fma(xa, s0);
            w = va.fma(b1, FloatVector.fromArray(S, a, r1 + j));
            w.intoArray(a, r1 + j);
            s1 = w.fma(xa, s1);
            w = va.fma(b2, FloatVector.fromArray(S, a, r2 + j));
            w.intoArray(a, r2 + j);
            s2 = w.fma(xa, s2);
            w = va.fma(b3, FloatVector.fromArray(S, a, r3 + j));
            w.intoArray(a, r3 + j);
            s3 = w.fma(xa, s3);
            j += L;
        }
        for (int jj = j; jj < n; jj++) {
            float vj = v[vOff + jj];
            a[r0 + jj] = Math.fma(c0, vj, a[r0 + jj]);
            a[r1 + jj] = Math.fma(c1, vj, a[r1 + jj]);
            a[r2 + jj] = Math.fma(c2, vj, a[r2 + jj]);
            a[r3 + jj] = Math.fma(c3, vj, a[r3 + jj]);
        }
        s0 = s0.add(t0);
        s1 = s1.add(t1);
        s2 = s2.add(t2);
        s3 = s3.add(t3);
        for (VectorShuffle<Float> step : LANE_SUM) {
            s0 = s0.add(s0.rearrange(step));
            s1 = s1.add(s1.rearrange(step));
            s2 = s2.add(s2.rearrange(step));
            s3 = s3.add(s3.rearrange(step));
        }
        y[yi] = dotRange(j, n, a, r0, x, xOff, s0.lane(0));
        y[yi + 1] = dotRange(j, n, a, r1, x, xOff, s1.lane(0));
        y[yi + 2] = dotRange(j, n, a, r2, x, xOff, s2.lane(0));
        y[yi + 3] = dotRange(j, n, a, r3, x, xOff, s3.lane(0));
    }
}
