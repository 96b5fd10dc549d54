package dev.lanes.kernels;

import static dev.lanes.kernels.VectorWidth.LANE_SUM;
import static dev.lanes.kernels.VectorWidth.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The Vector API backend: the level-1 loops, the activations and softmax. The matrix-vector kernels
 * live in {@link VectorLevel2}, the matrix product in {@link VectorGemm}, the transcendental loops
 * in {@link VectorMath}; the checks are inherited from {@link Kernels}, and sizes too small for a
 * vector fall through to the scalar loops of {@link ScalarKernels}.
 *
 * <p>Loaded only through {@link Backends}, which first makes sure that the incubator module is
 * present and the platform can run it. The loops call {@code FloatVector.fma} directly rather than
 * through a helper: the Vector API's own methods are always inlined, while a method of ours that
 * takes or returns vectors could be left out of line once C2's node budget runs out in a large
 * caller, and then every vector it touches is boxed, an allocation per call. No method of this
 * package has a vector parameter or result ({@code NoVectorParametersTest} checks).
 *
 * <h2>Width</h2>
 * One species ({@link VectorWidth#S}) of {@link #L} lanes, fixed for the JVM's lifetime so that C2 folds it into
 * every loop: {@code -Dlanes.vectorBits} when set, else the CPU's preferred width, rounded down to
 * 128, 256 or 512 bits. Loops are written against {@code S} and {@code L}, never against a lane
 * count; where the width changes the best shape (the gemm register tile) the shape is a constant
 * derived from {@code L}, so a forced width runs exactly the code that a CPU of that width runs.
 *
 * <h2>Cut-overs</h2>
 * Below one vector a loop cannot run at all (the elementwise loops end with one overlapping block of
 * L, which needs n >= L), and reductions would pay the log2(L) steps of the lane sum for a few FMAs;
 * but every kernel except softmax already stays scalar up to {@value #TINY} elements, more than two
 * vectors at any width (see "Tiny shapes"). Elementwise kernels give the same bits either side of a
 * cut-over (the scalar side computes the same formula), so their results do not depend on the width;
 * the reductions' do (see {@link Kernels}, "Reproducibility").
 *
 * <h2>Tiny shapes</h2>
 * Vectors of at most {@value #TINY} elements (the length that a dot product, a row of gemv or of
 * gerGemv, or an elementwise kernel runs over) go to the scalar loops at every width, except softmax.
 * At such sizes a warm vector loop saves a few nanoseconds a call (the embedded digits' 64-32-10
 * network trains no faster warm on this backend than on the scalar one), while running it cold costs
 * a JVM seconds: until C2 has compiled a kernel, every Vector API operation in it is a boxed object
 * and a call through the API's Java fallback, and the compiler's time on those fallbacks and on the
 * kernels competes with the work. The choice depends on the shape alone, never on timing, so one
 * seed still gives one set of bits. For the kernels that give the same bits on every backend and for
 * tanh, sech2 and softmaxBackward (whose scalar side runs the vector formula one element at a time)
 * nothing changes but speed; dot, squaredError, gemv and gerGemv sum such sizes in order, as the
 * scalar backend does. Below one vector softmax runs the vector exponential one element at a time
 * ({@code VectorMath.softmaxOneByOne}), which replaces {@link Math#exp} with the bits of a lane of the
 * vector exponential. A gemm whose rows of C and sums are both at most {@value #TINY} long (n and k)
 * and that has at most 4 {@value #TINY} rows runs {@code VectorGemm.multiplyOneByOne}, the register
 * tile's order of additions one element of C at a time, with its bits (never the scalar backend's
 * loops, whose order differs): so the digits network's evaluation, which multiplies blocks of 64
 * rows, runs no vector loop either. With more rows the product is no longer small (a weight
 * gradient into a 32-column panel of a 784-input layer took 0.27 ms one element at a time against 11
 * µs in the register tile).
 *
 * <h2>Cold start</h2>
 * Softmax of one to two vectors (a classifier's 10 outputs at 8 lanes) keeps a vector path, a
 * loop-free two-vector method that warm takes about 60% of the time of a lanewise(EXP) softmax at
 * n = 10, where a scalar loop is level with it. Cold that method is the costliest code of a small
 * network: C2 compiled it only after about 15,000 calls, and until then it ran boxed (about 30 µs a
 * call measured here, against about 0.03 µs warm), with the JIT queue full of the
 * Vector API's fallback methods. So the first {@link #SHORT_SOFTMAX_SCALAR_CALLS} calls of that size
 * run {@code VectorMath.softmaxUpToTwoVectorsOneByOne}, a scalar twin that gives the vector path's
 * bits (the same exponentials, added in the same lane tree, the same scaling; {@code VectorMathTest}
 * checks every size at every width), and later calls the vector method. The choice depends on a
 * count, but never changes a result: a JVM whose softmax calls never reach the count (a digits or a
 * Fashion-MNIST training) runs no vector code at that size and loads none of the Vector API's vector
 * classes for it, and a service or a benchmark that makes millions of calls gets the vector path once
 * the count is passed, paying its cold start then, once (in a JMH run on a busy 2-core machine, about
 * 2 s of boxed calls until C2 had compiled it, as from the first call before).
 */
final class VectorKernels extends ScalarKernels {
    /** The width that {@code -Dlanes.vectorBits} forces, or 0. */
    static final int FORCED_BITS = Backends.forcedVectorBits();
    /** The width the Vector API prefers on this CPU with this VM's flags. */
    static final int PREFERRED_BITS = Platform.preferredVectorBits();
    /** The width the loops run at: the forced one, else the preferred one rounded down to 128, 256 or 512 bits. */
    static final int BITS = FORCED_BITS != 0 ? FORCED_BITS : Math.min(512, Integer.highestOneBit(PREFERRED_BITS));
    static final int L = BITS / Float.SIZE;
    /** Sizes up to this many elements run the scalar loops (see the class comment, "Tiny shapes"). */
    static final int TINY = 64;

    /**
     * How many softmax calls of one to two vectors run the scalar twin of the vector path before the
     * vector path takes over (see the class comment, "Cold start"): about 2^20, the calls it takes
     * the vector path's saving of about 15 ns a call to repay the fraction of a second it costs to
     * compile it.
     */
    static final int SHORT_SOFTMAX_SCALAR_CALLS = 1 << 20;

    /**
     * Softmax calls of one to two vectors so far, counted up to {@link #SHORT_SOFTMAX_SCALAR_CALLS}
     * and then only read. Neither atomic nor volatile on purpose: a lost increment only delays the
     * change of path, which never changes a result, and a counter that every thread wrote on every
     * call would bounce its cache line between cores.
     */
    static int shortSoftmaxCalls;

    static final VectorKernels INSTANCE = new VectorKernels();

    private VectorKernels() {
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    int vectorBits() {
        return BITS;
    }

    @Override
    public String describe() {
        String width = BITS + "-bit, " + L + " lanes";
        if (FORCED_BITS == 0) {
            return "vector(" + width + ", the CPU's preferred width)";
        }
        String forced = "forced by -D" + Backends.VECTOR_BITS_PROPERTY + "=" + FORCED_BITS;
        if (FORCED_BITS > PREFERRED_BITS) {
            return "vector(" + width + ", " + forced + "; wider than this JVM's " + PREFERRED_BITS
                    + "-bit vectors, so emulated in Java and many times slower than scalar)";
        }
        return "vector(" + width + ", " + forced + ")";
    }

    // ---------------------------------------------------------------- level 1

    @Override
    float dotK(int n, float[] x, int xOff, float[] y, int yOff) {
        if (n <= TINY) {
            return dotRange(0, n, x, xOff, y, yOff, 0f);
        }
        return dotVector(n, x, xOff, y, yOff);
    }

    /** Four independent accumulators hide the FMA latency; one lane sum after the loop. */
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
        FloatVector acc = a0.add(a1).add(a2.add(a3));
        for (VectorShuffle<Float> step : LANE_SUM) {
            acc = acc.add(acc.rearrange(step));
        }
        return dotRange(i, n, x, xOff, y, yOff, acc.lane(0));
    }

    @Override
    void axpyK(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        if (n <= TINY) {
            axpyRange(0, n, alpha, x, xOff, y, yOff);
            return;
        }
        axpyVector(n, alpha, x, xOff, y, yOff);
    }

    /** {@code y += alpha * x} with one FMA per element, as {@link #axpyRange}: the same bits at any width. */
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
        if (n <= TINY) {
            scaleRange(0, n, alpha, x, xOff);
            return;
        }
        scaleVector(n, alpha, x, xOff);
    }

    static void scaleVector(int n, float alpha, float[] x, int xOff) {
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
        if (n <= TINY) {
            mulRange(0, n, x, xOff, y, yOff, out, outOff);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
        }
        mulRange(i, n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    void addK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        if (n <= TINY) {
            addRange(0, n, x, xOff, y, yOff, out, outOff);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
        }
        addRange(i, n, x, xOff, y, yOff, out, outOff);
    }

    @Override
    float squaredErrorK(int n, float[] pred, int predOff, float[] target, int targetOff) {
        if (n <= TINY) {
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
        FloatVector acc = a0.add(a1);
        for (VectorShuffle<Float> step : LANE_SUM) {
            acc = acc.add(acc.rearrange(step));
        }
        return squaredErrorRange(i, n, pred, predOff, target, targetOff, acc.lane(0));
    }

    @Override
    void squaredErrorGradientK(int n, float[] pred, int predOff, float[] target, int targetOff,
                               float[] out, int outOff) {
        if (n <= TINY) {
            squaredErrorGradientRange(0, n, pred, predOff, target, targetOff, out, outOff);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, pred, predOff + i).sub(FloatVector.fromArray(S, target, targetOff + i))
                    .mul(2f).intoArray(out, outOff + i);
        }
        squaredErrorGradientRange(i, n, pred, predOff, target, targetOff, out, outOff);
    }

    // ---------------------------------------------------------------- level 2: see VectorLevel2

    @Override
    void gemvK(int m, int n, float alpha, float[] a, int aOff, int lda,
               float[] x, int xOff, float beta, float[] y, int yOff) {
        if (n <= TINY) {
            super.gemvK(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        } else {
            VectorLevel2.gemv(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        }
    }

    @Override
    void gemvTK(int m, int n, float alpha, float[] a, int aOff, int lda,
                float[] x, int xOff, float beta, float[] y, int yOff) {
        if (n <= TINY) {
            super.gemvTK(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        } else {
            VectorLevel2.gemvT(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        }
    }

    @Override
    void gerK(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        if (n <= TINY) {
            super.gerK(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
        } else {
            VectorLevel2.ger(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
        }
    }

    @Override
    void gerGemvK(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                  float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        if (n <= TINY) {
            // ger then gemv: both scalar at tiny n, the vector ger otherwise.
            super.gerGemvK(m, n, alpha, u, uOff, v, vOff, a, aOff, lda, x, xOff, y, yOff);
        } else {
            VectorLevel2.gerGemv(m, n, alpha, u, uOff, v, vOff, a, aOff, lda, x, xOff, y, yOff);
        }
    }

    // ---------------------------------------------------------------- level 3

    @Override
    void gemmK(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc) {
        // Never the scalar backend's loops: a column range split off by ParallelKernels must get the
        // same bits as the whole, so every shape goes through the one summation order of VectorGemm,
        // tiny ones (rows of C and sums of at most TINY) one element at a time.
        if (n <= TINY && k <= TINY && m <= 4 * TINY) {
            VectorGemm.multiplyOneByOne(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            VectorGemm.multiply(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    // ---------------------------------------------------------------- activations

    /*
     * The transcendental loops live in VectorMath, each with its math inline (see why there). Below
     * one vector they run the same formula one element at a time, so that the bits of an element do
     * not depend on the width or on n.
     */

    @Override
    void tanhK(int n, float[] x, int xOff, float[] out, int outOff) {
        if (n <= TINY) {
            VectorMath.tanhOneByOne(n, x, xOff, out, outOff);
        } else {
            VectorMath.tanh(n, x, xOff, out, outOff);
        }
    }

    @Override
    void sech2K(int n, float[] x, int xOff, float[] out, int outOff) {
        if (n <= TINY) {
            VectorMath.sech2OneByOne(n, x, xOff, out, outOff);
        } else {
            VectorMath.sech2(n, x, xOff, out, outOff);
        }
    }

    @Override
    void tanhGradFromOutputK(int n, float[] t, int tOff, float[] out, int outOff) {
        int i = 0;
        if (n > TINY) {
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
        if (n <= 2 * L) {
            boolean done;
            if (n < L) {
                done = VectorMath.softmaxOneByOne(n, x, xOff, out, outOff);
            } else if (shortSoftmaxCalls < SHORT_SOFTMAX_SCALAR_CALLS) {
                // The same bits as the vector path below (see the class comment, "Cold start").
                shortSoftmaxCalls++;
                done = VectorMath.softmaxUpToTwoVectorsOneByOne(n, x, xOff, out, outOff);
            } else {
                done = VectorMath.softmaxUpToTwoVectors(n, x, xOff, out, outOff);
            }
            if (!done) {
                // NaN, infinities or a huge maximum: the scalar loop states the semantics.
                super.softmaxK(n, x, xOff, out, outOff);
            }
            return;
        }
        float max = maxVector(n, x, xOff);
        if (!(Math.abs(max) < VectorMath.SHIFT_LIMIT)) {
            // Infinite, NaN, or so large that the exponential loop's folded shift could overflow:
            // rare, and the scalar loop states the semantics (it subtracts in double).
            super.softmaxK(n, x, xOff, out, outOff);
            return;
        }
        float total = VectorMath.expShiftedAndSum(n, x, xOff, max, out, outOff);
        scaleVector(n, 1f / total, out, outOff);
    }

    /**
     * The largest element, or NaN if some element is NaN (or the elements include both infinities,
     * whose sum is NaN): the exponential loop takes no NaN. Compare and blend instead of lanewise
     * MAX: Java's max (NaN and -0 rules) costs C2 five instructions a vector on x86, in the loop's
     * dependency chain; four chains hide the rest. A running sum of the elements, on the adder pipes
     * the compare and blend leave idle, finds the NaNs.
     */
    private static float maxVector(int n, float[] x, int xOff) {
        FloatVector m0 = FloatVector.fromArray(S, x, xOff + n - L);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        FloatVector s0 = m0;
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = s1;
        FloatVector s3 = s1;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
            FloatVector v1 = FloatVector.fromArray(S, x, xOff + i + L);
            FloatVector v2 = FloatVector.fromArray(S, x, xOff + i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, x, xOff + i + 3 * L);
            m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
            m1 = m1.blend(v1, v1.compare(VectorOperators.GT, m1));
            m2 = m2.blend(v2, v2.compare(VectorOperators.GT, m2));
            m3 = m3.blend(v3, v3.compare(VectorOperators.GT, m3));
            s0 = s0.add(v0);
            s1 = s1.add(v1);
            s2 = s2.add(v2);
            s3 = s3.add(v3);
        }
        for (; i <= n - L; i += L) {
            FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
            m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
            s0 = s0.add(v0);
        }
        FloatVector sum = s0.add(s1).add(s2.add(s3));
        if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
            return Float.NaN;
        }
        // MAX is exact, so the order in which the lanes meet does not matter.
        return m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
    }

    @Override
    void softmaxBackwardK(int n, float[] s, int sOff, float[] g, int gOff, float[] out, int outOff) {
        if (n <= TINY) {
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
