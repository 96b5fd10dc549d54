package dev.lanes.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API backend at the platform's preferred species. Only the loops live here; the checks
 * are inherited from {@link Kernels}, and sizes too small for a vector fall through to the scalar
 * loops of {@link ScalarKernels}.
 *
 * <p>Loaded only through {@link Backends}, which first makes sure the incubator module is present.
 * The loops call {@code FloatVector.fma} directly rather than through a helper: the Vector API's own
 * methods are always inlined, while a helper of ours that takes vectors could be left out of line
 * once C2's node budget runs out in a large caller, and then every vector it touches is boxed.
 */
final class VectorKernels extends ScalarKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final VectorKernels INSTANCE = create();

    private static VectorKernels create() {
        if (S.vectorBitSize() < 128) {
            throw new UnsupportedOperationException("the preferred vector size is " + S.vectorBitSize()
                    + " bits, below 128: vector code would not beat scalar on this CPU or with this -XX:MaxVectorSize");
        }
        if (!VectorMath.FMA) {
            throw new UnsupportedOperationException("the CPU has no fused multiply-add (or -XX:-UseFMA is set):"
                    + " the Vector API would emulate it lane by lane, far slower than scalar");
        }
        return new VectorKernels();
    }

    private VectorKernels() {
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String describe() {
        return "vector(" + S.vectorBitSize() + "-bit, " + L + " lanes)";
    }


    /*
     * Lane sums in one fixed pairwise order. JDK 25's C2 may add the lanes of reduceLanes(ADD) in a
     * different order than the interpreter does, so one call gave different bits early and late in a
     * run (and "same seed, same weights" failed). At each site the lanes are extracted inline and
     * passed as floats: a method of ours that takes a vector could be left out of line and box it.
     * sumBySlices serves other lane counts; C2 drops that branch because L is a constant.
     */

    static float sum8(float l0, float l1, float l2, float l3, float l4, float l5, float l6, float l7) {
        return ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
    }

    static float sumBySlices(FloatVector v) {
        for (int w = L / 2; w >= 1; w /= 2) {
            v = v.add(v.slice(w));
        }
        return v.lane(0);
    }

    // ---------------------------------------------------------------- level 1

    @Override
    float dotK(int n, float[] x, int xOff, float[] y, int yOff) {
        if (n < 2 * L) {
            return dotRange(0, n, x, xOff, y, yOff, 0f);
        }
        return dotVector(n, x, xOff, y, yOff);
    }

    /** Four independent accumulators hide the FMA latency; one reduction after the loop. */
    static float dotVector(int n, float[] x, int xOff, float[] y, int yOff) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), a0);
            a1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), a1);
            a2 = FloatVector.fromArray(S, x, xOff + i + 2 * L).fma(FloatVector.fromArray(S, y, yOff + i + 2 * L), a2);
            a3 = FloatVector.fromArray(S, x, xOff + i + 3 * L).fma(FloatVector.fromArray(S, y, yOff + i + 3 * L), a3);
        }
        for (; i <= n - L; i += L) {
            a0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), a0);
        }
        FloatVector lanes1 = a0.add(a1).add(a2.add(a3));
        float sum = (L == 8 ? sum8(lanes1.lane(0), lanes1.lane(1), lanes1.lane(2), lanes1.lane(3), lanes1.lane(4), lanes1.lane(5), lanes1.lane(6), lanes1.lane(7)) : sumBySlices(lanes1));
        return dotRange(i, n, x, xOff, y, yOff, sum);
    }

    @Override
    void axpyK(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        if (n < L) {
            axpyRange(0, n, alpha, x, xOff, y, yOff);
            return;
        }
        axpyVector(n, alpha, x, xOff, y, yOff);
    }

    static void axpyVector(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
            FloatVector.fromArray(S, x, xOff + i + L).fma(va, FloatVector.fromArray(S, y, yOff + i + L))
                    .intoArray(y, yOff + i + L);
        }
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        axpyRange(i, n, alpha, x, xOff, y, yOff);
    }

    @Override
    void scaleK(int n, float alpha, float[] x, int xOff) {
        int i = 0;
        if (n >= L) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            for (; i <= n - L; i += L) {
                FloatVector.fromArray(S, x, xOff + i).mul(va).intoArray(x, xOff + i);
            }
        }
        scaleRange(i, n, alpha, x, xOff);
    }

    @Override
    void mulK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
        }
        mulRange(i, n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    void addK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
        }
        addRange(i, n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    float squaredErrorK(int n, float[] pred, int predOff, float[] target, int targetOff) {
        if (n < 2 * L) {
            return squaredErrorRange(0, n, pred, predOff, target, targetOff, 0f);
        }
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, target, targetOff + i).sub(FloatVector.fromArray(S, pred, predOff + i));
            FloatVector d1 = FloatVector.fromArray(S, target, targetOff + i + L)
                    .sub(FloatVector.fromArray(S, pred, predOff + i + L));
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        for (; i <= n - L; i += L) {
            FloatVector d0 = FloatVector.fromArray(S, target, targetOff + i).sub(FloatVector.fromArray(S, pred, predOff + i));
            a0 = d0.fma(d0, a0);
        }
        FloatVector lanes2 = a0.add(a1);
        return squaredErrorRange(i, n, pred, predOff, target, targetOff, (L == 8 ? sum8(lanes2.lane(0), lanes2.lane(1), lanes2.lane(2), lanes2.lane(3), lanes2.lane(4), lanes2.lane(5), lanes2.lane(6), lanes2.lane(7)) : sumBySlices(lanes2)));
    }

    @Override
    void squaredErrorGradientK(int n, float[] pred, int predOff, float[] target, int targetOff,
                               float[] out, int outOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, pred, predOff + i).sub(FloatVector.fromArray(S, target, targetOff + i))
                    .mul(2f).intoArray(out, outOff + i);
        }
        squaredErrorGradientRange(i, n, pred, predOff, target, targetOff, out, outOff);
    }

    // ---------------------------------------------------------------- level 2

    @Override
    void gemvK(int m, int n, float alpha, float[] a, int aOff, int lda,
               float[] x, int xOff, float beta, float[] y, int yOff) {
        if (n < 2 * L) {
            super.gemvK(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
            return;
        }
        int i = 0;
        for (; i <= m - 4; i += 4) {
            gemvFourRows(n, alpha, a, aOff + i * lda, lda, x, xOff, beta, y, yOff + i);
        }
        for (; i < m; i++) {
            gemvOneRow(n, alpha, a, aOff + i * lda, x, xOff, beta, y, yOff + i);
        }
    }

    /**
     * One row in exactly the order {@link #gemvFourRows} uses for each of its rows, so that a row's
     * result does not depend on which block it fell in (row-split parallel runs stay bit-identical).
     */
    private static void gemvOneRow(int n, float alpha, float[] a, int r0, float[] x, int xOff,
                                   float beta, float[] y, int yi) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector t0 = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - 2 * L; j += 2 * L) {
            s0 = FloatVector.fromArray(S, a, r0 + j).fma(FloatVector.fromArray(S, x, xOff + j), s0);
            t0 = FloatVector.fromArray(S, a, r0 + j + L).fma(FloatVector.fromArray(S, x, xOff + j + L), t0);
        }
        if (j <= n - L) {
            s0 = FloatVector.fromArray(S, a, r0 + j).fma(FloatVector.fromArray(S, x, xOff + j), s0);
            j += L;
        }
        FloatVector lanes3 = s0.add(t0);
        float d0 = dotRange(j, n, a, r0, x, xOff, (L == 8 ? sum8(lanes3.lane(0), lanes3.lane(1), lanes3.lane(2), lanes3.lane(3), lanes3.lane(4), lanes3.lane(5), lanes3.lane(6), lanes3.lane(7)) : sumBySlices(lanes3)));
        y[yi] = combine(alpha, d0, beta, y[yi]);
    }

    /**
     * Four rows per pass share each load of x; two column vectors per step give eight independent
     * FMA chains, enough to cover the FMA latency on two FMA ports.
     */
    private static void gemvFourRows(int n, float alpha, float[] a, int r0, int lda,
                                     float[] x, int xOff, float beta, float[] y, int yi) {
        int r1 = r0 + lda;
        int r2 = r1 + lda;
        int r3 = r2 + lda;
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
        FloatVector lanes4 = s0.add(t0);
        float d0 = dotRange(j, n, a, r0, x, xOff, (L == 8 ? sum8(lanes4.lane(0), lanes4.lane(1), lanes4.lane(2), lanes4.lane(3), lanes4.lane(4), lanes4.lane(5), lanes4.lane(6), lanes4.lane(7)) : sumBySlices(lanes4)));
        FloatVector lanes5 = s1.add(t1);
        float d1 = dotRange(j, n, a, r1, x, xOff, (L == 8 ? sum8(lanes5.lane(0), lanes5.lane(1), lanes5.lane(2), lanes5.lane(3), lanes5.lane(4), lanes5.lane(5), lanes5.lane(6), lanes5.lane(7)) : sumBySlices(lanes5)));
        FloatVector lanes6 = s2.add(t2);
        float d2 = dotRange(j, n, a, r2, x, xOff, (L == 8 ? sum8(lanes6.lane(0), lanes6.lane(1), lanes6.lane(2), lanes6.lane(3), lanes6.lane(4), lanes6.lane(5), lanes6.lane(6), lanes6.lane(7)) : sumBySlices(lanes6)));
        FloatVector lanes7 = s3.add(t3);
        float d3 = dotRange(j, n, a, r3, x, xOff, (L == 8 ? sum8(lanes7.lane(0), lanes7.lane(1), lanes7.lane(2), lanes7.lane(3), lanes7.lane(4), lanes7.lane(5), lanes7.lane(6), lanes7.lane(7)) : sumBySlices(lanes7)));
        y[yi] = combine(alpha, d0, beta, y[yi]);
        y[yi + 1] = combine(alpha, d1, beta, y[yi + 1]);
        y[yi + 2] = combine(alpha, d2, beta, y[yi + 2]);
        y[yi + 3] = combine(alpha, d3, beta, y[yi + 3]);
    }

    @Override
    void gemvTK(int m, int n, float alpha, float[] a, int aOff, int lda,
                float[] x, int xOff, float beta, float[] y, int yOff) {
        if (n < L) {
            super.gemvTK(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
            return;
        }
        prepareOutputVector(n, beta, y, yOff);
        int i = 0;
        for (; i <= m - 4; i += 4) {
            gemvTFourRows(n, alpha, a, aOff + i * lda, lda, x, xOff + i, y, yOff);
        }
        for (; i < m; i++) {
            axpyVector(n, alpha * x[xOff + i], a, aOff + i * lda, y, yOff);
        }
    }

    private static void prepareOutputVector(int n, float beta, float[] y, int yOff) {
        if (beta == 0f) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        } else if (beta != 1f) {
            int j = 0;
            FloatVector vb = FloatVector.broadcast(S, beta);
            for (; j <= n - L; j += L) {
                FloatVector.fromArray(S, y, yOff + j).mul(vb).intoArray(y, yOff + j);
            }
            scaleRange(j, n, beta, y, yOff);
        }
    }

    /** The axpy ("reorder") form: four rows per pass, so y is loaded and stored once per four FMAs. */
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

    @Override
    void gerK(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        if (n < L) {
            super.gerK(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
            return;
        }
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

    @Override
    void gerGemvK(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                  float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        if (n < 2 * L) {
            super.gerGemvK(m, n, alpha, u, uOff, v, vOff, a, aOff, lda, x, xOff, y, yOff);
            return;
        }
        int i = 0;
        for (; i <= m - 4; i += 4) {
            updateFourRowsThenDot(n, alpha, u, uOff + i, v, vOff, a, aOff + i * lda, lda, x, xOff, y, yOff + i);
        }
        for (; i < m; i++) {
            y[yOff + i] = updateRowThenDot(n, alpha * u[uOff + i], v, vOff, a, aOff + i * lda, x, xOff);
        }
    }

    /**
     * Four rows of {@link #gerGemvK} per pass, so that each load of v and x serves four rows and eight
     * FMA chains are in flight; every row is updated and summed exactly as {@link #updateRowThenDot}.
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
        FloatVector lanes8 = s0.add(t0);
        y[yi] = dotRange(j, n, a, r0, x, xOff, (L == 8 ? sum8(lanes8.lane(0), lanes8.lane(1), lanes8.lane(2), lanes8.lane(3), lanes8.lane(4), lanes8.lane(5), lanes8.lane(6), lanes8.lane(7)) : sumBySlices(lanes8)));
        FloatVector lanes9 = s1.add(t1);
        y[yi + 1] = dotRange(j, n, a, r1, x, xOff, (L == 8 ? sum8(lanes9.lane(0), lanes9.lane(1), lanes9.lane(2), lanes9.lane(3), lanes9.lane(4), lanes9.lane(5), lanes9.lane(6), lanes9.lane(7)) : sumBySlices(lanes9)));
        FloatVector lanes10 = s2.add(t2);
        y[yi + 2] = dotRange(j, n, a, r2, x, xOff, (L == 8 ? sum8(lanes10.lane(0), lanes10.lane(1), lanes10.lane(2), lanes10.lane(3), lanes10.lane(4), lanes10.lane(5), lanes10.lane(6), lanes10.lane(7)) : sumBySlices(lanes10)));
        FloatVector lanes11 = s3.add(t3);
        y[yi + 3] = dotRange(j, n, a, r3, x, xOff, (L == 8 ? sum8(lanes11.lane(0), lanes11.lane(1), lanes11.lane(2), lanes11.lane(3), lanes11.lane(4), lanes11.lane(5), lanes11.lane(6), lanes11.lane(7)) : sumBySlices(lanes11)));
    }

    /**
     * One row of {@link #gerGemvK}: each element is updated exactly as {@link #gerTwoRows} does and
     * summed in exactly the order of {@link #gemvOneRow}, so the result is bit-identical to ger then gemv.
     */
    private static float updateRowThenDot(int n, float c, float[] v, int vOff, float[] a, int r, float[] x, int xOff) {
        FloatVector b = FloatVector.broadcast(S, c);
        FloatVector s0 = FloatVector.zero(S);
        FloatVector t0 = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - 2 * L; j += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(S, v, vOff + j).fma(b, FloatVector.fromArray(S, a, r + j));
            FloatVector w1 = FloatVector.fromArray(S, v, vOff + j + L).fma(b, FloatVector.fromArray(S, a, r + j + L));
            w0.intoArray(a, r + j);
            w1.intoArray(a, r + j + L);
            s0 = w0.fma(FloatVector.fromArray(S, x, xOff + j), s0);
            t0 = w1.fma(FloatVector.fromArray(S, x, xOff + j + L), t0);
        }
        if (j <= n - L) {
            FloatVector w0 = FloatVector.fromArray(S, v, vOff + j).fma(b, FloatVector.fromArray(S, a, r + j));
            w0.intoArray(a, r + j);
            s0 = w0.fma(FloatVector.fromArray(S, x, xOff + j), s0);
            j += L;
        }
        for (int jj = j; jj < n; jj++) {
            a[r + jj] = Math.fma(c, v[vOff + jj], a[r + jj]);
        }
        FloatVector lanes12 = s0.add(t0);
        return dotRange(j, n, a, r, x, xOff, (L == 8 ? sum8(lanes12.lane(0), lanes12.lane(1), lanes12.lane(2), lanes12.lane(3), lanes12.lane(4), lanes12.lane(5), lanes12.lane(6), lanes12.lane(7)) : sumBySlices(lanes12)));
    }

    // ---------------------------------------------------------------- level 3

    @Override
    void gemmK(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc) {
        // No scalar fallback for narrow C: a column range split off by ParallelKernels must get the
        // same bits as the whole, so every width goes through the one summation order of VectorGemm.
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                prepareOutputVector(n, beta, c, cOff + i * ldc);
            }
        } else {
            VectorGemm.multiply(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    // ---------------------------------------------------------------- activations

    /* The transcendental loops live in VectorMath, each with its math inline (see why there). */

    @Override
    void tanhK(int n, float[] x, int xOff, float[] out, int outOff) {
        if (n < L) {
            tanhRange(0, n, x, xOff, out, outOff);
        } else {
            VectorMath.tanh(n, x, xOff, out, outOff);
        }
    }

    @Override
    void sech2K(int n, float[] x, int xOff, float[] out, int outOff) {
        if (n < L) {
            sech2Range(0, n, x, xOff, out, outOff);
        } else {
            VectorMath.sech2(n, x, xOff, out, outOff);
        }
    }

    @Override
    void tanhGradFromOutputK(int n, float[] t, int tOff, float[] out, int outOff) {
        int i = 0;
        if (n >= L) {
            FloatVector one = FloatVector.broadcast(S, 1f);
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, t, tOff + i);
                v.neg().fma(v, one).intoArray(out, outOff + i);
            }
        }
        tanhGradFromOutputRange(i, n, t, tOff, out, outOff);
    }

    @Override
    void softmaxK(int n, float[] x, int xOff, float[] out, int outOff) {
        if (n < L) {
            super.softmaxK(n, x, xOff, out, outOff);
            return;
        }
        float max = maxVector(n, x, xOff);
        if (!(Math.abs(max) < Float.POSITIVE_INFINITY)) {
            // Infinite or NaN: rare, and the scalar loop states the semantics.
            super.softmaxK(n, x, xOff, out, outOff);
            return;
        }
        float total = VectorMath.expShiftedAndSum(n, x, xOff, max, out, outOff);
        float inv = 1f / total;
        FloatVector vinv = FloatVector.broadcast(S, inv);
        int k = 0;
        for (; k <= n - L; k += L) {
            FloatVector.fromArray(S, out, outOff + k).mul(vinv).intoArray(out, outOff + k);
        }
        scaleRange(k, n, inv, out, outOff);
    }

    /** The largest element; NaN if any element is NaN (lanewise MAX follows Math.max). */
    private static float maxVector(int n, float[] x, int xOff) {
        FloatVector m0 = FloatVector.fromArray(S, x, xOff + n - L);
        FloatVector m1 = m0;
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            m0 = m0.max(FloatVector.fromArray(S, x, xOff + i));
            m1 = m1.max(FloatVector.fromArray(S, x, xOff + i + L));
        }
        for (; i <= n - L; i += L) {
            m0 = m0.max(FloatVector.fromArray(S, x, xOff + i));
        }
        return m0.max(m1).reduceLanes(VectorOperators.MAX);
    }

    @Override
    void softmaxBackwardK(int n, float[] s, int sOff, float[] g, int gOff, float[] out, int outOff) {
        if (n < L) {
            super.softmaxBackwardK(n, s, sOff, g, gOff, out, outOff);
            return;
        }
        float sg = dotK(n, s, sOff, g, gOff);
        FloatVector vsg = FloatVector.broadcast(S, sg);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector sv = FloatVector.fromArray(S, s, sOff + i);
            sv.mul(FloatVector.fromArray(S, g, gOff + i).sub(vsg)).intoArray(out, outOff + i);
        }
        softmaxBackwardRange(i, n, sg, s, sOff, g, gOff, out, outOff);
    }
}
