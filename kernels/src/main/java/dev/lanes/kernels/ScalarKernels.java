package dev.lanes.kernels;

/**
 * Plain Java loops: the reference semantics, and the fallback on every JVM. Transcendental functions
 * go through {@link Math} in double, so they are within one rounding of the exact float result.
 *
 * <p>The static {@code *Range} methods are the scalar loops over a sub-range; the vector backend
 * uses them for tails and for sizes too small to pay for a vector setup.
 */
class ScalarKernels extends Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    // ---------------------------------------------------------------- level 1

    @Override
    float dotK(int n, float[] x, int xOff, float[] y, int yOff) {
        return dotRange(0, n, x, xOff, y, yOff, 0f);
    }

    static float dotRange(int from, int to, float[] x, int xOff, float[] y, int yOff, float acc) {
        for (int i = from; i < to; i++) {
            acc = Math.fma(x[xOff + i], y[yOff + i], acc);
        }
        return acc;
    }

    @Override
    void axpyK(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        axpyRange(0, n, alpha, x, xOff, y, yOff);
    }

    static void axpyRange(int from, int to, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = from; i < to; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    void scaleK(int n, float alpha, float[] x, int xOff) {
        scaleRange(0, n, alpha, x, xOff);
    }

    static void scaleRange(int from, int to, float alpha, float[] x, int xOff) {
        for (int i = from; i < to; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    void mulK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        mulRange(0, n, x, xOff, y, yOff, out, outOff);
    }

    static void mulRange(int from, int to, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            out[outOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    void addK(int n, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        addRange(0, n, x, xOff, y, yOff, out, outOff);
    }

    static void addRange(int from, int to, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            out[outOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    float squaredErrorK(int n, float[] pred, int predOff, float[] target, int targetOff) {
        return squaredErrorRange(0, n, pred, predOff, target, targetOff, 0f);
    }

    static float squaredErrorRange(int from, int to, float[] pred, int predOff, float[] target, int targetOff,
                                   float acc) {
        for (int i = from; i < to; i++) {
            float d = target[targetOff + i] - pred[predOff + i];
            acc = Math.fma(d, d, acc);
        }
        return acc;
    }

    @Override
    void squaredErrorGradientK(int n, float[] pred, int predOff, float[] target, int targetOff,
                               float[] out, int outOff) {
        squaredErrorGradientRange(0, n, pred, predOff, target, targetOff, out, outOff);
    }

    static void squaredErrorGradientRange(int from, int to, float[] pred, int predOff, float[] target,
                                          int targetOff, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            out[outOff + i] = 2f * (pred[predOff + i] - target[targetOff + i]);
        }
    }

    // ---------------------------------------------------------------- level 2

    @Override
    void gemvK(int m, int n, float alpha, float[] a, int aOff, int lda,
               float[] x, int xOff, float beta, float[] y, int yOff) {
        for (int i = 0; i < m; i++) {
            float s = dotRange(0, n, a, aOff + i * lda, x, xOff, 0f);
            y[yOff + i] = combine(alpha, s, beta, y[yOff + i]);
        }
    }

    /** {@code alpha * s + beta * old}, never reading {@code old} when beta is 0 (BLAS semantics). */
    static float combine(float alpha, float s, float beta, float old) {
        return beta == 0f ? alpha * s : Math.fma(beta, old, alpha * s);
    }

    @Override
    void gemvTK(int m, int n, float alpha, float[] a, int aOff, int lda,
                float[] x, int xOff, float beta, float[] y, int yOff) {
        prepareOutput(n, beta, y, yOff);
        for (int i = 0; i < m; i++) {
            axpyRange(0, n, alpha * x[xOff + i], a, aOff + i * lda, y, yOff);
        }
    }

    /** {@code y *= beta}, or {@code y = 0} when beta is 0 so that old NaNs do not leak. */
    static void prepareOutput(int n, float beta, float[] y, int yOff) {
        if (beta == 0f) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        } else if (beta != 1f) {
            scaleRange(0, n, beta, y, yOff);
        }
    }

    @Override
    void gerK(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        for (int i = 0; i < m; i++) {
            axpyRange(0, n, alpha * x[xOff + i], y, yOff, a, aOff + i * lda);
        }
    }

    // ---------------------------------------------------------------- level 3

    @Override
    void gemmK(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc) {
        scaleRows(m, n, beta, c, cOff, ldc);
        if (!transB) {
            // Row of C += (alpha * op(A)[i][p]) * row p of B: unit stride along B's and C's rows.
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    axpyRange(0, n, alpha * aip, b, bOff + p * ldb, c, cOff + i * ldc);
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    int bRow = bOff + j * ldb;
                    for (int p = 0; p < k; p++) {
                        float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        s = Math.fma(aip, b[bRow + p], s);
                    }
                    c[cOff + i * ldc + j] = Math.fma(alpha, s, c[cOff + i * ldc + j]);
                }
            }
        }
    }

    /** Each of the m rows of C: {@code *= beta}, or set to 0 when beta is 0 (old NaNs must not leak). */
    static void scaleRows(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            prepareOutput(n, beta, c, cOff + i * ldc);
        }
    }

    // ---------------------------------------------------------------- activations

    @Override
    void tanhK(int n, float[] x, int xOff, float[] out, int outOff) {
        tanhRange(0, n, x, xOff, out, outOff);
    }

    static void tanhRange(int from, int to, float[] x, int xOff, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            out[outOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    @Override
    void sech2K(int n, float[] x, int xOff, float[] out, int outOff) {
        sech2Range(0, n, x, xOff, out, outOff);
    }

    static void sech2Range(int from, int to, float[] x, int xOff, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            double e = Math.exp(-2.0 * Math.abs((double) x[xOff + i]));
            double d = 1.0 + e;
            out[outOff + i] = (float) (4.0 * e / (d * d));
        }
    }

    @Override
    void tanhGradFromOutputK(int n, float[] t, int tOff, float[] out, int outOff) {
        tanhGradFromOutputRange(0, n, t, tOff, out, outOff);
    }

    static void tanhGradFromOutputRange(int from, int to, float[] t, int tOff, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            float v = t[tOff + i];
            out[outOff + i] = Math.fma(-v, v, 1f);
        }
    }

    @Override
    void softmaxK(int n, float[] x, int xOff, float[] out, int outOff) {
        if (n == 0) {
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[xOff + i]);
        }
        if (Float.isInfinite(max)) {
            softmaxInfinite(n, max, x, xOff, out, outOff);
            return;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp((double) x[xOff + i] - max);
            out[outOff + i] = e;
            sum += e;
        }
        scaleRange(0, n, (float) (1.0 / sum), out, outOff);
    }

    /**
     * Softmax when the largest entry is infinite (NaN inputs never get here: Math.max returns NaN).
     * +Inf entries share the mass equally; if every entry is -Inf there is no limit, so NaN.
     */
    static void softmaxInfinite(int n, float max, float[] x, int xOff, float[] out, int outOff) {
        if (max < 0) {
            java.util.Arrays.fill(out, outOff, outOff + n, Float.NaN);
            return;
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (x[xOff + i] == Float.POSITIVE_INFINITY) {
                count++;
            }
        }
        float share = 1f / count;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] == Float.POSITIVE_INFINITY ? share : 0f;
        }
    }

    @Override
    void softmaxBackwardK(int n, float[] s, int sOff, float[] g, int gOff, float[] out, int outOff) {
        float sg = dotRange(0, n, s, sOff, g, gOff, 0f);
        softmaxBackwardRange(0, n, sg, s, sOff, g, gOff, out, outOff);
    }

    static void softmaxBackwardRange(int from, int to, float sg, float[] s, int sOff, float[] g, int gOff,
                                     float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            out[outOff + i] = s[sOff + i] * (g[gOff + i] - sg);
        }
    }
}
