package dev.lanes.kernels;

import static dev.lanes.kernels.Checks.checkMatrix;
import static dev.lanes.kernels.Checks.checkSize;
import static dev.lanes.kernels.Checks.checkVector;

/**
 * Float32 kernels for dense linear algebra and neural-network layers.
 *
 * <p>Obtain an instance with {@link #get()} (the backend chosen once for this JVM), {@link #scalar()},
 * {@link #vector()} or {@link #named(String)}. Every backend computes the same operations with the
 * same argument checks; they differ only in speed and in rounding, within the bounds stated on each
 * method.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Vectors are given as {@code (array, offset)} and a length {@code n}; matrices are row-major
 *       {@code (array, offset, ld)} with leading dimension {@code ld >= columns}: element (i, j) is
 *       {@code a[offset + i * ld + j]}. Argument order follows BLAS where BLAS has the operation.</li>
 *   <li>Arguments are checked before anything is written: a null array is a
 *       {@link NullPointerException}, a negative size or a leading dimension smaller than the row
 *       length an {@link IllegalArgumentException}, an array too short for its offset and extent an
 *       {@link IndexOutOfBoundsException}. Each message names the argument.</li>
 *   <li>Elementwise operations may write their result over an input ({@code out == x} with equal
 *       offsets). Any other overlap between an output and an input is unsupported: the result is
 *       then unspecified (but no exception is thrown and no memory outside the arrays is touched).</li>
 *   <li>Instances hold no mutable state: every method may be called from any number of threads at
 *       once.</li>
 *   <li>No method allocates in steady state.</li>
 * </ul>
 *
 * <h2>Alpha zero and empty products</h2>
 * As in reference BLAS, {@code alpha == 0} means the product is not computed at all: {@link #axpy}
 * and {@link #ger} return at once, {@link #gemv}, {@link #gemvT} and {@link #gemm} set their output
 * to {@code beta} times its old value (0 for beta 0, untouched for beta 1), and the inputs of the
 * product are not read, so an infinity or NaN there does not turn the output into NaN. An empty
 * inner dimension (n = 0 for gemv, m = 0 for gemvT, k = 0 for gemm) does the same. A call with an
 * empty output (m or n = 0 for gemm) does nothing, whatever its leading dimensions. {@link #scale}
 * multiplies even by 0, so {@code Inf * 0} gives NaN there, as in BLAS's sscal.
 *
 * <h2>Accuracy</h2>
 * Reductions (dot, gemv, gemvT, the sums inside softmax) may associate their terms in any order; the
 * error of a sum of n products is at most {@code n * 2^-23 * sum|x_i * y_i|} (a factor 2 over the
 * classical bound for recursive summation, which covers blocked and lane-wise summation orders).
 * Elementwise transcendental functions state their own bounds.
 *
 * <h2>Reproducibility</h2>
 * Within one JVM a call's bits depend only on its arguments: not on the JIT's progress (a kernel's
 * first, interpreted call gives the bits of its compiled calls), not on {@link #withExecutor}'s
 * thread count, not on offsets or alignment. Across machines, what the results depend on is the
 * backend and, for the vector backend, its width (4 lanes on ARM NEON, 8 on AVX2, 16 on AVX-512;
 * {@code -Dlanes.vectorBits} sets it, see {@link Backends}):
 * <ul>
 *   <li>the same bits on every backend and at every width: {@link #scale}, {@link #mul},
 *       {@link #add}, {@link #axpy}, {@link #squaredErrorGradient}, {@link #tanhGradFromOutput},
 *       {@link #ger}, {@link #gemvT} (each element is rounded once per step, in one order);</li>
 *   <li>the same bits at every width of the vector backend (not the scalar backend's: other
 *       formulas or summation orders): {@link #tanh}, {@link #sech2}, {@link #gemm};</li>
 *   <li>bits that depend on the width, within the stated bounds: {@link #dot},
 *       {@link #squaredError}, {@link #gemv}, {@link #gerGemv}, {@link #softmax},
 *       {@link #softmaxBackward}. Their sums run in L lanes at once, so the lane count sets the
 *       order in which terms are added; on the vector backend vectors of up to 64 elements (below
 *       one vector for softmax) are summed in order by the scalar loop, whatever the width.</li>
 * </ul>
 * The vector backend uses only IEEE operations (add, multiply, divide, fused multiply-add,
 * comparisons), no platform math library, so a given width gives the same bits on any CPU and JDK:
 * results from a 16-lane server can be reproduced on any other machine with
 * {@code -Dlanes.vectorBits=512} (slowly, where the CPU is narrower). The scalar backend's
 * {@code tanh}, {@code sech2} and {@code softmax} call {@link Math}, whose last bit may vary
 * between JDKs and CPUs.
 */
public abstract class Kernels {

    Kernels() {
    }

    /**
     * The backend chosen once for this JVM; see {@link Backends} for how it is chosen.
     *
     * @throws IllegalArgumentException if {@code -Dlanes.backend} or {@code -Dlanes.vectorBits} has a
     *     bad value
     * @throws VectorBackendUnavailableException if {@code -Dlanes.backend=vector} was given and the
     *     vector backend cannot run
     */
    public static Kernels get() {
        return Backends.chosen();
    }

    /** The scalar backend: plain Java loops, the reference semantics. Available on every JVM. */
    public static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /**
     * The Vector API backend.
     *
     * @throws VectorBackendUnavailableException (an {@link UnsupportedOperationException}) if it
     *     cannot run in this JVM; the message says why and which flag to pass
     * @throws IllegalArgumentException if {@code -Dlanes.vectorBits} has a value other than 128, 256
     *     or 512
     */
    public static Kernels vector() {
        return Backends.vector();
    }

    /**
     * A backend by name: {@code "scalar"}, {@code "vector"} or {@code "auto"} (the same as {@link
     * #get()}). Case-insensitive.
     *
     * @throws IllegalArgumentException for any other name, or a bad {@code -Dlanes.vectorBits}
     * @throws VectorBackendUnavailableException for {@code "vector"} where it cannot run
     */
    public static Kernels named(String name) {
        return Backends.named(name);
    }

    /**
     * This backend, with its large matrix kernels (gemm, gemv, gemvT, ger) split across threads of
     * {@code executor}; {@code parallelism} is the most threads one call uses, the caller's included.
     * Calls below about 2^18 multiply-adds, and all other kernels, stay on the caller's thread.
     * Results are bit-identical to this backend's single-threaded results (the output is split,
     * never a reduction). The executor is the caller's: lanes never starts or stops threads. A
     * parallel call allocates a few small objects; single-threaded calls allocate nothing.
     *
     * @throws NullPointerException if executor is null
     * @throws IllegalArgumentException if parallelism is below 1
     */
    public Kernels withExecutor(java.util.concurrent.Executor executor, int parallelism) {
        java.util.Objects.requireNonNull(executor, "executor");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        Kernels base = this instanceof ParallelKernels ? ((ParallelKernels) this).base() : this;
        return parallelism == 1 ? base : new ParallelKernels(base, executor, parallelism);
    }

    /** The backend's name: {@code "scalar"} or {@code "vector"}. */
    public abstract String name();

    /**
     * A short description: the name and, for vector, the width and whether it was forced (for example
     * {@code vector(256-bit, 8 lanes, the CPU's preferred width)}).
     */
    public String describe() {
        return name();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** The width of this backend's vectors in bits; 0 for the scalar backend. */
    int vectorBits() {
        return 0;
    }

    // ---------------------------------------------------------------- level 1

    /**
     * Dot product {@code sum_i x[i] * y[i]} over {@code n} elements.
     * Error: at most {@code n * 2^-23 * sum|x_i y_i|} against the exact sum.
     */
    public final float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        return dotK(n, x, xOff, y, yOff);
    }

    /**
     * {@code y[i] += alpha * x[i]} for {@code i < n} (BLAS saxpy), one rounding per element (a fused
     * multiply-add). With {@code alpha == 0} y is left as it is and x is not read, as in BLAS: an
     * infinite or NaN x does not make y NaN.
     */
    public final void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        if (alpha == 0f) {
            return;
        }
        axpyK(n, alpha, x, xOff, y, yOff);
    }

    /** {@code x[i] *= alpha} for {@code i < n} (BLAS sscal). Exact to one rounding; {@code alpha == 0} still multiplies (Inf and NaN give NaN). */
    public final void scale(int n, float alpha, float[] x, int xOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        scaleK(n, alpha, x, xOff);
    }

    /** Elementwise product {@code out[i] = x[i] * y[i]}. Exact to one rounding; {@code out} may be {@code x} or {@code y}. */
    public final void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        checkVector("out", out, outOff, n);
        mulK(n, x, xOff, y, yOff, out, outOff);
    }

    /** Elementwise sum {@code out[i] = x[i] + y[i]} (a bias add). Exact to one rounding; {@code out} may be {@code x} or {@code y}. */
    public final void add(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        checkVector("out", out, outOff, n);
        addK(n, x, xOff, y, yOff, out, outOff);
    }

    /**
     * Sum of squared differences {@code sum_i (target[i] - pred[i])^2}: the squared-error loss of one
     * sample. Error at most {@code (n + 2) * 2^-23 * sum_i (target[i] - pred[i])^2}: the bound of
     * {@link #dot} over the squared differences, plus twice the rounding of each difference, which
     * squaring doubles (at n = 1 the error can reach 3 * 2^-24 of the result, beyond the 2^-23 that
     * the bound of dot alone would give).
     */
    public final float squaredError(int n, float[] pred, int predOff, float[] target, int targetOff) {
        checkSize("n", n);
        checkVector("pred", pred, predOff, n);
        checkVector("target", target, targetOff, n);
        return squaredErrorK(n, pred, predOff, target, targetOff);
    }

    /**
     * Gradient of {@link #squaredError} with respect to {@code pred}:
     * {@code out[i] = 2 * (pred[i] - target[i])}. {@code out} may be {@code pred} or {@code target}.
     */
    public final void squaredErrorGradient(int n, float[] pred, int predOff, float[] target, int targetOff,
                                           float[] out, int outOff) {
        checkSize("n", n);
        checkVector("pred", pred, predOff, n);
        checkVector("target", target, targetOff, n);
        checkVector("out", out, outOff, n);
        squaredErrorGradientK(n, pred, predOff, target, targetOff, out, outOff);
    }

    // ---------------------------------------------------------------- level 2

    /**
     * {@code y = alpha * A * x + beta * y} with A m-by-n row-major (BLAS sgemv, no transpose, on
     * row-major storage). {@code x} has n elements, {@code y} has m. With {@code beta == 0} the old
     * contents of y are not read (a NaN there does not leak), as in BLAS. With {@code alpha == 0} or
     * {@code n == 0}, A and x are not read and y becomes {@code beta * y} (see the class comment).
     * Each y[i] carries the {@link Kernels reduction bound} over n terms.
     */
    public final void gemv(int m, int n, float alpha, float[] a, int aOff, int lda,
                           float[] x, int xOff, float beta, float[] y, int yOff) {
        checkSize("m", m);
        checkSize("n", n);
        checkMatrix("a", a, aOff, lda, m, n);
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, m);
        if (alpha == 0f || n == 0) {
            ScalarKernels.prepareOutput(m, beta, y, yOff);
            return;
        }
        gemvK(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    /**
     * {@code y = alpha * A^T * x + beta * y} with A m-by-n row-major: the backward pass of a dense
     * layer. {@code x} has m elements, {@code y} has n. With {@code beta == 0} the old contents of y
     * are not read; with {@code alpha == 0} or {@code m == 0}, A and x are not read and y becomes
     * {@code beta * y}. Each y[j] carries the reduction bound over m terms.
     */
    public final void gemvT(int m, int n, float alpha, float[] a, int aOff, int lda,
                            float[] x, int xOff, float beta, float[] y, int yOff) {
        checkSize("m", m);
        checkSize("n", n);
        checkMatrix("a", a, aOff, lda, m, n);
        checkVector("x", x, xOff, m);
        checkVector("y", y, yOff, n);
        if (alpha == 0f || m == 0) {
            ScalarKernels.prepareOutput(n, beta, y, yOff);
            return;
        }
        gemvTK(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    /**
     * Rank-1 update {@code A += alpha * x * y^T} with A m-by-n row-major (BLAS sger): the outer
     * product that gives a dense layer's weight gradient. {@code x} has m elements, {@code y} has n.
     * Each element is updated with at most two roundings. With {@code alpha == 0} A is left as it is
     * and x and y are not read, as in BLAS.
     */
    public final void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff,
                          float[] a, int aOff, int lda) {
        checkSize("m", m);
        checkSize("n", n);
        checkVector("x", x, xOff, m);
        checkVector("y", y, yOff, n);
        checkMatrix("a", a, aOff, lda, m, n);
        if (alpha == 0f) {
            return;
        }
        gerK(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
    }

    /**
     * The rank-1 update {@code A += alpha * u * v^T} followed by the product {@code y = A * x} with the
     * updated A, in one pass over A: bit-identical to {@link #ger} then {@link #gemv} (alpha 1, beta 0),
     * but A is read and written once instead of read twice. This is per-sample gradient descent's
     * inner step: apply one sample's weight gradient, then run the next sample's forward product.
     * u has m elements, v and x have n, y has m; y must not overlap A, u, v or x. With
     * {@code alpha == 0} A is left as it is (u and v are not read) and y = A x.
     */
    public final void gerGemv(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                              float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        checkSize("m", m);
        checkSize("n", n);
        checkVector("u", u, uOff, m);
        checkVector("v", v, vOff, n);
        checkMatrix("a", a, aOff, lda, m, n);
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, m);
        if (alpha == 0f || n == 0) {
            gemv(m, n, 1f, a, aOff, lda, x, xOff, 0f, y, yOff);
            return;
        }
        gerGemvK(m, n, alpha, u, uOff, v, vOff, a, aOff, lda, x, xOff, y, yOff);
    }

    // ---------------------------------------------------------------- level 3

    /**
     * Matrix product {@code C = alpha * op(A) * op(B) + beta * C} on row-major matrices (BLAS sgemm
     * with row-major storage): op(A) is m-by-k, op(B) is k-by-n, C is m-by-n.
     * {@code op(A) = A} (m-by-k, {@code lda >= k}) or, with {@code transA}, {@code A^T} where A is
     * k-by-m ({@code lda >= m}); likewise op(B) with B k-by-n ({@code ldb >= n}) or, with
     * {@code transB}, n-by-k ({@code ldb >= k}). With {@code beta == 0} the old contents of C are not
     * read. Each element carries the {@link Kernels reduction bound} over k terms. As in BLAS, with
     * m or n = 0 nothing is read or written (whatever the leading dimensions), and with k = 0 or
     * {@code alpha == 0} A and B are not read and C becomes {@code beta * C}.
     *
     * <p>A dense layer's three products are {@code gemm(false, true, ...)} for the forward pass
     * Z = X·Wᵀ, {@code gemm(true, false, ...)} for the weight gradient dW = δᵀ·X and
     * {@code gemm(false, false, ...)} for the error sent back δ·W; these are the fast paths.
     * C must not overlap A or B.
     *
     * <p>On the vector backend every element of C is, for each block of at most 512 consecutive terms
     * of k in increasing order (the blocks depend on k alone), a sequential FMA sum s added as {@code
     * c = fma(alpha, s, c)}, with {@code beta * c} (or 0 for beta 0) in place of c for the first
     * block. So for {@code k <= 512} a call with {@code beta == 1} gives the bits of a call with
     * {@code alpha == 1} and {@code beta == 0} into a buffer followed by {@link #axpy} of alpha times
     * that buffer into C: a gradient step can be taken inside the product. The scalar backend adds
     * alpha times each term into C as it goes where B is not transposed.
     */
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        checkSize("m", m);
        checkSize("n", n);
        checkSize("k", k);
        if (transA) {
            checkMatrix("a", a, aOff, lda, k, m);
        } else {
            checkMatrix("a", a, aOff, lda, m, k);
        }
        if (transB) {
            checkMatrix("b", b, bOff, ldb, n, k);
        } else {
            checkMatrix("b", b, bOff, ldb, k, n);
        }
        checkMatrix("c", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            ScalarKernels.scaleRows(m, n, beta, c, cOff, ldc);
            return;
        }
        gemmK(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    // ---------------------------------------------------------------- activations

    /**
     * {@code out[i] = tanh(x[i])}. Error at most 5 ulp of the correctly rounded result over the whole
     * float range; odd ({@code tanh(-x) == -tanh(x)}), exactly {@code ±1} where tanh rounds to ±1,
     * {@code tanh(±0) = ±0}, {@code tanh(±Inf) = ±1}, NaN gives NaN. {@code out} may be {@code x}.
     */
    public final void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("out", out, outOff, n);
        tanhK(n, x, xOff, out, outOff);
    }

    /**
     * The derivative of tanh from its argument: {@code out[i] = sech^2(x[i]) = 1 / cosh^2(x[i])}.
     * Computed as {@code 4e / (1 + e)^2} with {@code e = exp(-2|x|)}, so it keeps its relative accuracy
     * where tanh saturates; absolute error at most {@code 2^-21}, relative error at most
     * {@code 2^-19} while the result is a normal float. {@code out} may be {@code x}.
     */
    public final void sech2(int n, float[] x, int xOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("out", out, outOff, n);
        sech2K(n, x, xOff, out, outOff);
    }

    /**
     * The derivative of tanh from its output t = tanh(x): {@code out[i] = 1 - t[i]^2} (one rounding,
     * by FMA). This is what backpropagation has at hand. {@code out} may be {@code t}.
     */
    public final void tanhGradFromOutput(int n, float[] t, int tOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("t", t, tOff, n);
        checkVector("out", out, outOff, n);
        tanhGradFromOutputK(n, t, tOff, out, outOff);
    }

    /**
     * Numerically stable softmax {@code out[i] = exp(x[i] - max) / sum_j exp(x[j] - max)}.
     *
     * <p>For finite inputs of any size and magnitude the result is finite, in [0, 1], and sums to 1
     * within {@code n * 2^-22}. Element i has relative error at most
     * {@code 2^-20 + n * 2^-23 + |x[i] - max| * 1.25 * 2^-24}: the last term is the rounding in
     * float of the exponent {@code (x[i] - max) log2(e)}, which the vector backend computes in one
     * fused multiply-add ({@code |x[i] - max| 2^-24}), and of log2(e) itself ({@code |x[i] - max|
     * 2^-26.2}); the exponential turns them into a relative error of the same size (the scalar
     * backend subtracts in double and stays within the first two terms). It exceeds the others only
     * for {@code |x[i] - max| > 12.8}, where the result is below {@code e^-12.8} (about 2.8e-6)
     * times the largest, an absolute error below 1e-11.
     * Special values: a NaN anywhere gives NaN everywhere; {@code -Inf} entries get 0; if some entries
     * are {@code +Inf}, they share the mass equally (the limit as they grow) and all others get 0; if
     * every entry is {@code -Inf} the result is NaN (there is no limit). {@code n == 0} does nothing.
     * Entries below 2^-126 (the smallest normal float) may be inexact or flushed to 0, an absolute
     * error below 1.2e-38; the vector backend's are. {@code out} may be {@code x}.
     */
    public final void softmax(int n, float[] x, int xOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("x", x, xOff, n);
        checkVector("out", out, outOff, n);
        softmaxK(n, x, xOff, out, outOff);
    }

    /**
     * Backward pass of softmax: given its output s and the gradient g with respect to s, writes the
     * gradient with respect to softmax's input, the Jacobian-vector product
     * {@code out[i] = s[i] * (g[i] - <s, g>)} (the Jacobian is {@code diag(s) - s s^T}, never built).
     * {@code out} may be {@code s} or {@code g}.
     */
    public final void softmaxBackward(int n, float[] s, int sOff, float[] g, int gOff, float[] out, int outOff) {
        checkSize("n", n);
        checkVector("s", s, sOff, n);
        checkVector("g", g, gOff, n);
        checkVector("out", out, outOff, n);
        softmaxBackwardK(n, s, sOff, g, gOff, out, outOff);
    }

    // ---------------------------------------------------------------- the loops, checked above

    abstract float dotK(int n, float[] x, int xOff, float[] y, int yOff);

    abstract void axpyK(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    abstract void scaleK(int n, float alpha, float[] x, int xOff);

    abstract void mulK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff);

    abstract void addK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff);

    abstract float squaredErrorK(int n, float[] pred, int predOff, float[] target, int targetOff);

    abstract void squaredErrorGradientK(int n, float[] pred, int predOff, float[] target, int targetOff,
                                        float[] out, int outOff);

    abstract void gemvK(int m, int n, float alpha, float[] a, int aOff, int lda,
                        float[] x, int xOff, float beta, float[] y, int yOff);

    abstract void gemvTK(int m, int n, float alpha, float[] a, int aOff, int lda,
                         float[] x, int xOff, float beta, float[] y, int yOff);

    abstract void gerK(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff,
                       float[] a, int aOff, int lda);

    void gerGemvK(int m, int n, float alpha, float[] u, int uOff, float[] v, int vOff,
                  float[] a, int aOff, int lda, float[] x, int xOff, float[] y, int yOff) {
        gerK(m, n, alpha, u, uOff, v, vOff, a, aOff, lda);
        gemvK(m, n, 1f, a, aOff, lda, x, xOff, 0f, y, yOff);
    }

    abstract void gemmK(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float beta, float[] c, int cOff, int ldc);

    abstract void tanhK(int n, float[] x, int xOff, float[] out, int outOff);

    abstract void sech2K(int n, float[] x, int xOff, float[] out, int outOff);

    abstract void tanhGradFromOutputK(int n, float[] t, int tOff, float[] out, int outOff);

    abstract void softmaxK(int n, float[] x, int xOff, float[] out, int outOff);

    abstract void softmaxBackwardK(int n, float[] s, int sOff, float[] g, int gOff, float[] out, int outOff);
}
