package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorWidth.LANE_SUM;
import static dev.lanes.kernels.VectorWidth.S;
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
 * and every row that gerGemv does not fuse, is summed in the order of the four-row body of
 * {@link #gemv}: its eight-row passes ({@link #gemvEightRows}) keep that order row by row, and a
 * last pass of fewer than four rows repeats its last row (the repeats cost reads of lines already
 * in L1, and their results are dropped). The fused body of {@link #gerGemv} cannot share it (it
 * writes A as it reads it) and keeps exactly its summation order instead, which
 * {@code FusedUpdateTest} checks bit for bit, as {@code ParallelKernelsTest} does for rows that
 * fall in an eight-row pass on one thread and a four-row pass on another. gemvT and ger round each
 * element once per row, in row order, so their grouping of rows cannot change a bit and needs no
 * such care.
 *
 * <p>Each loop multiplies a register by a freshly loaded vector ({@code x.fma(load, acc)}), never
 * the other way round: C2 folds a load into an FMA only as its second factor, and an unfolded load
 * costs a register and an instruction per vector. The loops over rows live in the same method as
 * the loops over columns: C2 will not inline a body this large, and a call per four rows costs its
 * arguments, its range-check set-up and the vector spills around it.
 */
final class VectorLevel2 {
    /** Rows per pass of gerGemv, and of gemv's last rows: four FMA chains and four streams of A. */
    private static final int ROWS = 4;

    /*
     * The steps of VectorWidth.LANE_SUM as constants rather than a loop over the array: C2 then
     * loads and widens each shuffle once per call, outside the row loop, and the straight-line
     * steps keep the method under the node budget that left its small callees out of line (the
     * shuffles' index check stays, one compare and branch a step). A width with fewer steps never
     * reads the extra ones (the L tests below fold away).
     */
    private static final VectorShuffle<Float> SUM_STEP_1 = LANE_SUM[0];
    private static final VectorShuffle<Float> SUM_STEP_2 = LANE_SUM[1];
    private static final VectorShuffle<Float> SUM_STEP_4 = LANE_SUM[Math.min(2, LANE_SUM.length - 1)];
    private static final VectorShuffle<Float> SUM_STEP_8 = LANE_SUM[Math.min(3, LANE_SUM.length - 1)];

    private VectorLevel2() {
    }

    // ---------------------------------------------------------------- gemv

    /**
     * {@code y = alpha A x + beta y} for n >= 2L. Every row is summed in one order whichever pass it
     * falls in: one vector accumulator over the blocks of L columns in order, its lanes added up by
     * the lane-sum tree of {@link VectorWidth#LANE_SUM}, then the columns after the last whole
     * vector added in order. From eight rows, {@link #gemvEightRows} takes all but the last m % 8;
     * the rest go four rows per pass, sharing each load of x; a last pass of fewer rows repeats its
     * last row (reads of lines already in L1, whose results are dropped).
     *
     * <p>One vector a step and no hand unrolling: a body this small is unrolled by C2 itself, with
     * each load folded into its FMA and the row offsets in 64-bit registers. The former body of two
     * vectors a step (two accumulators a row) left C2 with int index arithmetic and stack reloads
     * in the loop, about three times the instructions a column.
     */
    static void gemv(int m, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        int i = 0;
        if (m >= 8) {
            i = gemvEightRows(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        }
        for (; i < m; i += ROWS) {
            int rows = Math.min(ROWS, m - i);
            int r0 = aOff + i * lda;
            int r3 = r0 + (rows - 1) * lda;
            int r1 = Math.min(r0 + lda, r3);
            int r2 = Math.min(r0 + 2 * lda, r3);
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + j);
                s0 = xv.fma(FloatVector.fromArray(S, a, r0 + j), s0);
                s1 = xv.fma(FloatVector.fromArray(S, a, r1 + j), s1);
                s2 = xv.fma(FloatVector.fromArray(S, a, r2 + j), s2);
                s3 = xv.fma(FloatVector.fromArray(S, a, r3 + j), s3);
            }
            s0 = s0.add(s0.rearrange(SUM_STEP_1));
            s1 = s1.add(s1.rearrange(SUM_STEP_1));
            s2 = s2.add(s2.rearrange(SUM_STEP_1));
            s3 = s3.add(s3.rearrange(SUM_STEP_1));
            s0 = s0.add(s0.rearrange(SUM_STEP_2));
            s1 = s1.add(s1.rearrange(SUM_STEP_2));
            s2 = s2.add(s2.rearrange(SUM_STEP_2));
            s3 = s3.add(s3.rearrange(SUM_STEP_2));
            if (L >= 8) {
                s0 = s0.add(s0.rearrange(SUM_STEP_4));
                s1 = s1.add(s1.rearrange(SUM_STEP_4));
                s2 = s2.add(s2.rearrange(SUM_STEP_4));
                s3 = s3.add(s3.rearrange(SUM_STEP_4));
            }
            if (L >= 16) {
                s0 = s0.add(s0.rearrange(SUM_STEP_8));
                s1 = s1.add(s1.rearrange(SUM_STEP_8));
                s2 = s2.add(s2.rearrange(SUM_STEP_8));
                s3 = s3.add(s3.rearrange(SUM_STEP_8));
            }
            float d0 = s0.lane(0);
            float d1 = s1.lane(0);
            float d2 = s2.lane(0);
            float d3 = s3.lane(0);
            for (; j < n; j++) {
                float xj = x[xOff + j];
                d0 = Math.fma(a[r0 + j], xj, d0);
                d1 = Math.fma(a[r1 + j], xj, d1);
                d2 = Math.fma(a[r2 + j], xj, d2);
                d3 = Math.fma(a[r3 + j], xj, d3);
            }
            // combine()'s formula written out: C2 left that call out of line here (node budget),
            // with every live vector spilled around each of the four calls.
            int yi = yOff + i;
            y[yi] = beta == 0f ? alpha * d0 : Math.fma(beta, y[yi], alpha * d0);
            if (rows > 1) {
                y[yi + 1] = beta == 0f ? alpha * d1 : Math.fma(beta, y[yi + 1], alpha * d1);
            }
            if (rows > 2) {
                y[yi + 2] = beta == 0f ? alpha * d2 : Math.fma(beta, y[yi + 2], alpha * d2);
            }
            if (rows > 3) {
                y[yi + 3] = beta == 0f ? alpha * d3 : Math.fma(beta, y[yi + 3], alpha * d3);
            }
        }
    }

    /**
     * The leading {@code m - m % 8} rows of gemv, eight per pass, each row summed exactly as in
     * {@link #gemv}'s four-row body; returns how many rows it did. Its own method, called once per
     * gemv, so that gemv's body stays small enough for C2.
     *
     * <p>Eight streams of A instead of four. From L3 on JDK 25 (1024x1024, 4 MiB), where the four-row
     * loop that C2 unrolls ran 0.82-0.88x VectorBLAS in JMH, eight rows a pass took 1.18x less time
     * than four (JMH forks interleaved: 58.4 against 69.0 µs, VectorBLAS 58.7), and level on JDK 17
     * (63.3 against 66.9 µs). From L2 (128x784) they ran level on both JDKs. A harness of the third
     * session had found eight rows 10-20% slower at 1024x1024; these JMH runs did not (bench/RESULTS.md,
     * ninth session).
     */
    private static int gemvEightRows(int m, int n, float alpha, float[] a, int aOff, int lda,
                                     float[] x, int xOff, float beta, float[] y, int yOff) {
        int i = 0;
        for (; i <= m - 8; i += 8) {
            int r0 = aOff + i * lda;
            int r1 = r0 + lda;
            int r2 = r1 + lda;
            int r3 = r2 + lda;
            int r4 = r3 + lda;
            int r5 = r4 + lda;
            int r6 = r5 + lda;
            int r7 = r6 + lda;
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            FloatVector s4 = FloatVector.zero(S);
            FloatVector s5 = FloatVector.zero(S);
            FloatVector s6 = FloatVector.zero(S);
            FloatVector s7 = FloatVector.zero(S);
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + j);
                s0 = xv.fma(FloatVector.fromArray(S, a, r0 + j), s0);
                s1 = xv.fma(FloatVector.fromArray(S, a, r1 + j), s1);
                s2 = xv.fma(FloatVector.fromArray(S, a, r2 + j), s2);
                s3 = xv.fma(FloatVector.fromArray(S, a, r3 + j), s3);
                s4 = xv.fma(FloatVector.fromArray(S, a, r4 + j), s4);
                s5 = xv.fma(FloatVector.fromArray(S, a, r5 + j), s5);
                s6 = xv.fma(FloatVector.fromArray(S, a, r6 + j), s6);
                s7 = xv.fma(FloatVector.fromArray(S, a, r7 + j), s7);
            }
            s0 = s0.add(s0.rearrange(SUM_STEP_1));
            s1 = s1.add(s1.rearrange(SUM_STEP_1));
            s2 = s2.add(s2.rearrange(SUM_STEP_1));
            s3 = s3.add(s3.rearrange(SUM_STEP_1));
            s4 = s4.add(s4.rearrange(SUM_STEP_1));
            s5 = s5.add(s5.rearrange(SUM_STEP_1));
            s6 = s6.add(s6.rearrange(SUM_STEP_1));
            s7 = s7.add(s7.rearrange(SUM_STEP_1));
            s0 = s0.add(s0.rearrange(SUM_STEP_2));
            s1 = s1.add(s1.rearrange(SUM_STEP_2));
            s2 = s2.add(s2.rearrange(SUM_STEP_2));
            s3 = s3.add(s3.rearrange(SUM_STEP_2));
            s4 = s4.add(s4.rearrange(SUM_STEP_2));
            s5 = s5.add(s5.rearrange(SUM_STEP_2));
            s6 = s6.add(s6.rearrange(SUM_STEP_2));
            s7 = s7.add(s7.rearrange(SUM_STEP_2));
            if (L >= 8) {
                s0 = s0.add(s0.rearrange(SUM_STEP_4));
                s1 = s1.add(s1.rearrange(SUM_STEP_4));
                s2 = s2.add(s2.rearrange(SUM_STEP_4));
                s3 = s3.add(s3.rearrange(SUM_STEP_4));
                s4 = s4.add(s4.rearrange(SUM_STEP_4));
                s5 = s5.add(s5.rearrange(SUM_STEP_4));
                s6 = s6.add(s6.rearrange(SUM_STEP_4));
                s7 = s7.add(s7.rearrange(SUM_STEP_4));
            }
            if (L >= 16) {
                s0 = s0.add(s0.rearrange(SUM_STEP_8));
                s1 = s1.add(s1.rearrange(SUM_STEP_8));
                s2 = s2.add(s2.rearrange(SUM_STEP_8));
                s3 = s3.add(s3.rearrange(SUM_STEP_8));
                s4 = s4.add(s4.rearrange(SUM_STEP_8));
                s5 = s5.add(s5.rearrange(SUM_STEP_8));
                s6 = s6.add(s6.rearrange(SUM_STEP_8));
                s7 = s7.add(s7.rearrange(SUM_STEP_8));
            }
            float d0 = s0.lane(0);
            float d1 = s1.lane(0);
            float d2 = s2.lane(0);
            float d3 = s3.lane(0);
            float d4 = s4.lane(0);
            float d5 = s5.lane(0);
            float d6 = s6.lane(0);
            float d7 = s7.lane(0);
            for (; j < n; j++) {
                float xj = x[xOff + j];
                d0 = Math.fma(a[r0 + j], xj, d0);
                d1 = Math.fma(a[r1 + j], xj, d1);
                d2 = Math.fma(a[r2 + j], xj, d2);
                d3 = Math.fma(a[r3 + j], xj, d3);
                d4 = Math.fma(a[r4 + j], xj, d4);
                d5 = Math.fma(a[r5 + j], xj, d5);
                d6 = Math.fma(a[r6 + j], xj, d6);
                d7 = Math.fma(a[r7 + j], xj, d7);
            }
            int yi = yOff + i;
            if (beta == 0f) {
                y[yi] = alpha * d0;
                y[yi + 1] = alpha * d1;
                y[yi + 2] = alpha * d2;
                y[yi + 3] = alpha * d3;
                y[yi + 4] = alpha * d4;
                y[yi + 5] = alpha * d5;
                y[yi + 6] = alpha * d6;
                y[yi + 7] = alpha * d7;
            } else {
                y[yi] = Math.fma(beta, y[yi], alpha * d0);
                y[yi + 1] = Math.fma(beta, y[yi + 1], alpha * d1);
                y[yi + 2] = Math.fma(beta, y[yi + 2], alpha * d2);
                y[yi + 3] = Math.fma(beta, y[yi + 3], alpha * d3);
                y[yi + 4] = Math.fma(beta, y[yi + 4], alpha * d4);
                y[yi + 5] = Math.fma(beta, y[yi + 5], alpha * d5);
                y[yi + 6] = Math.fma(beta, y[yi + 6], alpha * d6);
                y[yi + 7] = Math.fma(beta, y[yi + 7], alpha * d7);
            }
        }
        return i;
    }

    // ---------------------------------------------------------------- gemvT

    /**
     * {@code y = alpha A^T x + beta y} for n >= L, in the axpy ("reorder") form over rows of A: four
     * rows per pass, so y is loaded and stored once per four FMAs (the same roundings as four axpys,
     * in row order), then the last two rows and the last row. With beta 0 the first pass starts
     * from zero instead of from a cleared y (fma(a, c, +0) is what an axpy onto the cleared y
     * gives), which saves a pass over y. The passes live in this method rather than in one of their
     * own, which C2 would not inline (too large): at 10 rows the calls cost as much as the work. From
     * eight rows, all but the last m % 8 go eight rows per pass ({@link #gemvTEightRows}, one call
     * for all of them), which halves the loads and stores of y.
     */
    static void gemvT(int m, int n, float alpha, float[] a, int aOff, int lda,
                      float[] x, int xOff, float beta, float[] y, int yOff) {
        boolean fromZero = beta == 0f && m >= 4;
        if (beta == 0f && !fromZero) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        } else if (beta != 0f && beta != 1f) {
            scaleVector(n, beta, y, yOff);
        }
        int i = 0;
        if (m >= 8) {
            i = gemvTEightRows(m, n, alpha, a, aOff, lda, x, xOff, fromZero, y, yOff);
            fromZero = false;
        }
        for (; i <= m - 4; i += 4) {
            int r0 = aOff + i * lda;
            int r1 = r0 + lda;
            int r2 = r1 + lda;
            int r3 = r2 + lda;
            float c0 = alpha * x[xOff + i];
            float c1 = alpha * x[xOff + i + 1];
            float c2 = alpha * x[xOff + i + 2];
            float c3 = alpha * x[xOff + i + 3];
            FloatVector b0 = FloatVector.broadcast(S, c0);
            FloatVector b1 = FloatVector.broadcast(S, c1);
            FloatVector b2 = FloatVector.broadcast(S, c2);
            FloatVector b3 = FloatVector.broadcast(S, c3);
            int j = 0;
            if (fromZero) {
                for (; j <= n - L; j += L) {
                    FloatVector acc = b0.fma(FloatVector.fromArray(S, a, r0 + j), FloatVector.zero(S));
                    acc = b1.fma(FloatVector.fromArray(S, a, r1 + j), acc);
                    acc = b2.fma(FloatVector.fromArray(S, a, r2 + j), acc);
                    acc = b3.fma(FloatVector.fromArray(S, a, r3 + j), acc);
                    acc.intoArray(y, yOff + j);
                }
            } else {
                for (; j <= n - L; j += L) {
                    FloatVector acc = FloatVector.fromArray(S, y, yOff + j);
                    acc = b0.fma(FloatVector.fromArray(S, a, r0 + j), acc);
                    acc = b1.fma(FloatVector.fromArray(S, a, r1 + j), acc);
                    acc = b2.fma(FloatVector.fromArray(S, a, r2 + j), acc);
                    acc = b3.fma(FloatVector.fromArray(S, a, r3 + j), acc);
                    acc.intoArray(y, yOff + j);
                }
            }
            for (; j < n; j++) {
                float acc = fromZero ? 0f : y[yOff + j];
                acc = Math.fma(a[r0 + j], c0, acc);
                acc = Math.fma(a[r1 + j], c1, acc);
                acc = Math.fma(a[r2 + j], c2, acc);
                acc = Math.fma(a[r3 + j], c3, acc);
                y[yOff + j] = acc;
            }
            fromZero = false;
        }
        if (i <= m - 2) {
            gemvTTwoRows(n, alpha * x[xOff + i], alpha * x[xOff + i + 1], a, aOff + i * lda, aOff + (i + 1) * lda, y, yOff);
            i += 2;
        }
        if (i < m) {
            axpyVector(n, alpha * x[xOff + i], a, aOff + i * lda, y, yOff);
        }
    }

    /**
     * The leading {@code m - m % 8} rows of gemvT, eight per pass over y (the same roundings as eight
     * axpys in row order); returns how many rows it did. With {@code fromZero} the first pass starts
     * from zero instead of reading y, as in {@link #gemvT}. Its own method, called once per gemvT, so
     * that gemvT's body stays small enough for C2.
     *
     * <p>Out of cache, y's load and store per four rows held the four-row form back: in one JVM, eight
     * rows a pass ran 1.11-1.28x faster from 1024x2048 to 8192x2048 (JDK 17; 1.09x at 4096x4096 on
     * JDK 25). In cache too, in JMH forks interleaved with the four-row form (bench/RESULTS.md, ninth
     * session): 128x784 took 0.93x the time on JDK 25 and 0.90x on JDK 17, and 10x128 0.85x on JDK 17.
     * At 1024x1024 the two were level within the forks' spread (medians 1.00x on JDK 25 and 0.93x on
     * JDK 17), where an earlier in-JVM comparison had four rows ahead.
     */
    private static int gemvTEightRows(int m, int n, float alpha, float[] a, int aOff, int lda,
                                      float[] x, int xOff, boolean fromZero, float[] y, int yOff) {
        int i = 0;
        for (; i <= m - 8; i += 8) {
            int r0 = aOff + i * lda;
            int r1 = r0 + lda;
            int r2 = r1 + lda;
            int r3 = r2 + lda;
            int r4 = r3 + lda;
            int r5 = r4 + lda;
            int r6 = r5 + lda;
            int r7 = r6 + lda;
            float c0 = alpha * x[xOff + i];
            float c1 = alpha * x[xOff + i + 1];
            float c2 = alpha * x[xOff + i + 2];
            float c3 = alpha * x[xOff + i + 3];
            float c4 = alpha * x[xOff + i + 4];
            float c5 = alpha * x[xOff + i + 5];
            float c6 = alpha * x[xOff + i + 6];
            float c7 = alpha * x[xOff + i + 7];
            FloatVector b0 = FloatVector.broadcast(S, c0);
            FloatVector b1 = FloatVector.broadcast(S, c1);
            FloatVector b2 = FloatVector.broadcast(S, c2);
            FloatVector b3 = FloatVector.broadcast(S, c3);
            FloatVector b4 = FloatVector.broadcast(S, c4);
            FloatVector b5 = FloatVector.broadcast(S, c5);
            FloatVector b6 = FloatVector.broadcast(S, c6);
            FloatVector b7 = FloatVector.broadcast(S, c7);
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector acc = fromZero ? FloatVector.zero(S) : FloatVector.fromArray(S, y, yOff + j);
                acc = b0.fma(FloatVector.fromArray(S, a, r0 + j), acc);
                acc = b1.fma(FloatVector.fromArray(S, a, r1 + j), acc);
                acc = b2.fma(FloatVector.fromArray(S, a, r2 + j), acc);
                acc = b3.fma(FloatVector.fromArray(S, a, r3 + j), acc);
                acc = b4.fma(FloatVector.fromArray(S, a, r4 + j), acc);
                acc = b5.fma(FloatVector.fromArray(S, a, r5 + j), acc);
                acc = b6.fma(FloatVector.fromArray(S, a, r6 + j), acc);
                acc = b7.fma(FloatVector.fromArray(S, a, r7 + j), acc);
                acc.intoArray(y, yOff + j);
            }
            for (; j < n; j++) {
                float acc = fromZero ? 0f : y[yOff + j];
                acc = Math.fma(a[r0 + j], c0, acc);
                acc = Math.fma(a[r1 + j], c1, acc);
                acc = Math.fma(a[r2 + j], c2, acc);
                acc = Math.fma(a[r3 + j], c3, acc);
                acc = Math.fma(a[r4 + j], c4, acc);
                acc = Math.fma(a[r5 + j], c5, acc);
                acc = Math.fma(a[r6 + j], c6, acc);
                acc = Math.fma(a[r7 + j], c7, acc);
                y[yOff + j] = acc;
            }
            fromZero = false;
        }
        return i;
    }

    /** Two rows of gemvT in one pass over y. */
    private static void gemvTTwoRows(int n, float c0, float c1, float[] a, int r0, int r1, float[] y, int yOff) {
        FloatVector b0 = FloatVector.broadcast(S, c0);
        FloatVector b1 = FloatVector.broadcast(S, c1);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yOff + j);
            acc = b0.fma(FloatVector.fromArray(S, a, r0 + j), acc);
            acc = b1.fma(FloatVector.fromArray(S, a, r1 + j), acc);
            acc.intoArray(y, yOff + j);
        }
        for (; j < n; j++) {
            y[yOff + j] = Math.fma(a[r1 + j], c1, Math.fma(a[r0 + j], c0, y[yOff + j]));
        }
    }

    // ---------------------------------------------------------------- ger

    /**
     * {@code A += alpha x y^T} for n >= L: each element by one FMA, as the scalar backend does. Four
     * rows per pass share each load of y, then the last two rows, then the last row.
     */
    static void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        int i = 0;
        for (; i <= m - 4; i += 4) {
            int r0 = aOff + i * lda;
            int r1 = r0 + lda;
            int r2 = r1 + lda;
            int r3 = r2 + lda;
            float c0 = alpha * x[xOff + i];
            float c1 = alpha * x[xOff + i + 1];
            float c2 = alpha * x[xOff + i + 2];
            float c3 = alpha * x[xOff + i + 3];
            FloatVector b0 = FloatVector.broadcast(S, c0);
            FloatVector b1 = FloatVector.broadcast(S, c1);
            FloatVector b2 = FloatVector.broadcast(S, c2);
            FloatVector b3 = FloatVector.broadcast(S, c3);
            int j = 0;
            // All four loads before the first store: C2 cannot move a load of A above a store to
            // A, so interleaving them would serialise the rows' memory accesses.
            for (; j <= n - L; j += L) {
                FloatVector yv = FloatVector.fromArray(S, y, yOff + j);
                FloatVector a0 = FloatVector.fromArray(S, a, r0 + j);
                FloatVector a1 = FloatVector.fromArray(S, a, r1 + j);
                FloatVector a2 = FloatVector.fromArray(S, a, r2 + j);
                FloatVector a3 = FloatVector.fromArray(S, a, r3 + j);
                yv.fma(b0, a0).intoArray(a, r0 + j);
                yv.fma(b1, a1).intoArray(a, r1 + j);
                yv.fma(b2, a2).intoArray(a, r2 + j);
                yv.fma(b3, a3).intoArray(a, r3 + j);
            }
            for (; j < n; j++) {
                float v = y[yOff + j];
                a[r0 + j] = Math.fma(c0, v, a[r0 + j]);
                a[r1 + j] = Math.fma(c1, v, a[r1 + j]);
                a[r2 + j] = Math.fma(c2, v, a[r2 + j]);
                a[r3 + j] = Math.fma(c3, v, a[r3 + j]);
            }
        }
        if (i <= m - 2) {
            gerTwoRows(n, alpha * x[xOff + i], alpha * x[xOff + i + 1], y, yOff, a, aOff + i * lda, aOff + (i + 1) * lda);
            i += 2;
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
            FloatVector a0 = FloatVector.fromArray(S, a, r0 + j);
            FloatVector a1 = FloatVector.fromArray(S, a, r1 + j);
            yv.fma(b0, a0).intoArray(a, r0 + j);
            yv.fma(b1, a1).intoArray(a, r1 + j);
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
     * pass over A, each element updated as {@link #ger} does and each row summed in exactly the order
     * of {@link #gemv} (so the result is that of ger then gemv, which {@code FusedUpdateTest} checks
     * bit for bit); the last {@code m % 4} rows by ger, then gemv. Each load of v and x serves four
     * rows.
     */
    static void gerGemv(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                        float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; i <= m - ROWS; i += ROWS) {
            gerGemvFourRows(n, alpha * u[uOff + i], alpha * u[uOff + i + 1], alpha * u[uOff + i + 2],
                    alpha * u[uOff + i + 3], v, vOff, a, aOff + i * lda, lda, x, xOff, y, yOff + i);
        }
        if (i < m) {
            int rest = aOff + i * lda;
            ger(m - i, n, alpha, u, uOff + i, v, vOff, a, rest, lda);
            gemv(m - i, n, 1f, a, rest, lda, x, xOff, 0f, y, yOff + i);
        }
    }

    /**
     * One pass of {@link #gerGemv} over the four rows from {@code r0}: their updates by {@code c0 ..
     * c3} times v, and their products with x into {@code y[yi .. yi + 4)}. A method of its own, called
     * 32 times a sample for a 128-row layer, so that C2 takes it after a few samples as a small
     * compilation; as part of gerGemv, called once a sample, it waited for an on-stack replacement of
     * the whole kernel that took C2 0.17 s while the first epoch of per-sample training ran it a
     * vector operation at a time.
     */
    private static void gerGemvFourRows(int n, float c0, float c1, float c2, float c3, float[] v, int vOff,
                                        float[] a, int r0, int lda, float[] x, int xOff, float[] y, int yi) {
        int r1 = r0 + lda;
        int r2 = r1 + lda;
        int r3 = r2 + lda;
        FloatVector b0 = FloatVector.broadcast(S, c0);
        FloatVector b1 = FloatVector.broadcast(S, c1);
        FloatVector b2 = FloatVector.broadcast(S, c2);
        FloatVector b3 = FloatVector.broadcast(S, c3);
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector vv = FloatVector.fromArray(S, v, vOff + j);
            FloatVector xv = FloatVector.fromArray(S, x, xOff + j);
            FloatVector w0 = vv.fma(b0, FloatVector.fromArray(S, a, r0 + j));
            FloatVector w1 = vv.fma(b1, FloatVector.fromArray(S, a, r1 + j));
            FloatVector w2 = vv.fma(b2, FloatVector.fromArray(S, a, r2 + j));
            FloatVector w3 = vv.fma(b3, FloatVector.fromArray(S, a, r3 + j));
            w0.intoArray(a, r0 + j);
            w1.intoArray(a, r1 + j);
            w2.intoArray(a, r2 + j);
            w3.intoArray(a, r3 + j);
            s0 = xv.fma(w0, s0);
            s1 = xv.fma(w1, s1);
            s2 = xv.fma(w2, s2);
            s3 = xv.fma(w3, s3);
        }
        s0 = s0.add(s0.rearrange(SUM_STEP_1));
        s1 = s1.add(s1.rearrange(SUM_STEP_1));
        s2 = s2.add(s2.rearrange(SUM_STEP_1));
        s3 = s3.add(s3.rearrange(SUM_STEP_1));
        s0 = s0.add(s0.rearrange(SUM_STEP_2));
        s1 = s1.add(s1.rearrange(SUM_STEP_2));
        s2 = s2.add(s2.rearrange(SUM_STEP_2));
        s3 = s3.add(s3.rearrange(SUM_STEP_2));
        if (L >= 8) {
            s0 = s0.add(s0.rearrange(SUM_STEP_4));
            s1 = s1.add(s1.rearrange(SUM_STEP_4));
            s2 = s2.add(s2.rearrange(SUM_STEP_4));
            s3 = s3.add(s3.rearrange(SUM_STEP_4));
        }
        if (L >= 16) {
            s0 = s0.add(s0.rearrange(SUM_STEP_8));
            s1 = s1.add(s1.rearrange(SUM_STEP_8));
            s2 = s2.add(s2.rearrange(SUM_STEP_8));
            s3 = s3.add(s3.rearrange(SUM_STEP_8));
        }
        float d0 = s0.lane(0);
        float d1 = s1.lane(0);
        float d2 = s2.lane(0);
        float d3 = s3.lane(0);
        for (; j < n; j++) {
            float vj = v[vOff + j];
            float xj = x[xOff + j];
            float w0 = Math.fma(c0, vj, a[r0 + j]);
            float w1 = Math.fma(c1, vj, a[r1 + j]);
            float w2 = Math.fma(c2, vj, a[r2 + j]);
            float w3 = Math.fma(c3, vj, a[r3 + j]);
            a[r0 + j] = w0;
            a[r1 + j] = w1;
            a[r2 + j] = w2;
            a[r3 + j] = w3;
            d0 = Math.fma(w0, xj, d0);
            d1 = Math.fma(w1, xj, d1);
            d2 = Math.fma(w2, xj, d2);
            d3 = Math.fma(w3, xj, d3);
        }
        y[yi] = d0;
        y[yi + 1] = d1;
        y[yi + 2] = d2;
        y[yi + 3] = d3;
    }
}
