package dev.lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Checks VectorMath against {@code Math} in double, rounded to float. Each sweep also evaluates the
 * negated arguments, for the symmetry of tanh and sech2 and the negative half of exp.
 *
 * <p>The loops run at the vector backend's species ({@code -Dlanes.vectorBits}, else the preferred one). What is swept: tanh
 * at every 16th bit pattern of all non-negative floats up to +Inf (2^27
 * values, and their negations), plus every float of [2^-13, 2^-12] (where x^3 starts to count),
 * [3.9, 4.1] (the largest error) and [7.5, 9.5] (the clamp and saturation). The exp of
 * softmax (x <= 0) at every 16th pattern with 2^-25 <= |x| <= 105, every float of [-90, -86] (the
 * flush to 0), and every 1021st pattern elsewhere. sech2 at every
 * 16th pattern of [0, 53], every float of [43, 45] (where it goes subnormal), every 1021st beyond.
 * Special values and branch boundaries are checked mixed, so that neighbouring lanes take
 * different branches.
 */
class VectorMathTest {
    private static final int STRIDE = 16;
    /** A prime, so that a sparse sweep still visits all mantissa patterns modulo small powers of two. */
    private static final int SPARSE_STRIDE = 1021;
    private static final int POSITIVE_INFINITY_BITS = 0x7f80_0000;
    /** ln(Float.MAX_VALUE): exp overflows above. */
    private static final double EXP_OVERFLOW = Math.log(Float.MAX_VALUE);
    /** ln(2^-150): exp rounds to 0 at and below (half the smallest subnormal). */
    private static final double EXP_UNDERFLOW = -150 * Math.log(2);
    /** atanh(1 - 2^-25): tanh rounds to 1 at and above (ties to even). */
    private static final double TANH_ONE = 13 * Math.log(2);

    /** Error of got in ulps of the correctly rounded float of the exact value. */
    private static double ulps(float got, double exact) {
        return Math.abs(got - exact) / Math.ulp((float) exact);
    }

    /**
     * Applies f to every stride-th float with bits in [from, to] and to its negation, and hands the
     * results to check.
     */
    private static void sweep(Function f, int from, int to, int stride, Check check) {
        int n = VectorKernels.L * 1024;
        float[] in = new float[n];
        float[] out = new float[n];
        float[] outNegated = new float[n];
        float[] negated = new float[n];
        long bits = from;
        while (bits <= to) {
            int m = 0;
            for (; m < n && bits <= to; m++, bits += stride) {
                in[m] = Float.intBitsToFloat((int) bits);
            }
            for (int i = 0; i < n; i++) {
                negated[i] = -in[i];
            }
            f.apply(n, in, out);
            f.apply(n, negated, outNegated);
            for (int i = 0; i < m; i++) {
                check.accept(in[i], out[i], outNegated[i]);
            }
        }
    }

    /** The loops under test, as VectorKernels calls them (they need at least one vector of input). */
    private enum Function {
        TANH, EXP_NON_POSITIVE, SECH2;

        void apply(int n, float[] in, float[] out) {
            switch (this) {
                case TANH:
                    VectorMath.tanh(n, in, 0, out, 0);
                    break;
                case EXP_NON_POSITIVE:
                    VectorMath.expShiftedAndSum(n, in, 0, 0f, out, 0);
                    break;
                default:
                    VectorMath.sech2(n, in, 0, out, 0);
            }
        }
    }

    private interface Check {
        void accept(float x, float fx, float fNegatedX);
    }

    private static int bits(float x) {
        return Float.floatToRawIntBits(x);
    }

    /** Largest error seen by a sweep, with its argument, to report a failure usefully. */
    private static final class Worst {
        double error;
        float at;

        void see(float x, double e) {
            if (!(e <= error)) {
                error = e;
                at = x;
            }
        }

        void assertAtMost(double bound, String what) {
            assertTrue(error <= bound, what + ": " + error + " at x = " + at + " (" + Float.toHexString(at)
                    + "), bound " + bound);
        }
    }

    // ---------------------------------------------------------------- tanh

    /** Below this, tanh(x) = x - x^3/3 rounds to x; above TANH_ONE it rounds to 1. */
    private static final float TANH_IDENTITY = 0x1p-13f;

    /** Where VectorMath clamps the argument; from here on the result is exactly 1. */
    private static final float TANH_CAP = 0x1.030decp3f;

    private static void checkTanh(float x, float y, float yNegated, Worst worst) {
        assertEquals(bits(-y), bits(yNegated), () -> "tanh(-x) vs -tanh(x) at x = " + x);
        // The rounding of the rational can exceed 1 by an ulp or two; the clamp must keep it out.
        assertTrue(y <= 1f, () -> "tanh(" + x + ") = " + y + " > 1");
        if (x >= TANH_CAP) {
            assertEquals(1f, y, () -> "tanh(" + x + ") beyond the clamp");
        }
        if (x <= TANH_IDENTITY) {
            assertEquals(bits(x), bits(y), () -> "tanh(" + x + ")");
        } else if (x >= TANH_ONE) {
            assertEquals(1f, y, () -> "saturated tanh(" + x + ")");
        } else {
            worst.see(x, ulps(y, Math.tanh(x)));
        }
    }

    @Test
    void tanhWithin5UlpOverTheWholeRange() {
        Worst worst = new Worst();
        sweep(Function.TANH, 0, POSITIVE_INFINITY_BITS, STRIDE, (x, y, yn) -> checkTanh(x, y, yn, worst));
        worst.assertAtMost(5.01, "tanh every 16th float");
    }

    @Test
    void tanhWithin5UlpOnEveryFloatOfTheDenseRegions() {
        Worst worst = new Worst();
        Check check = (x, y, yn) -> checkTanh(x, y, yn, worst);
        // Near zero, where x^3 starts to count against x.
        sweep(Function.TANH, bits(TANH_IDENTITY), bits(2 * TANH_IDENTITY), 1, check);
        // Where the sweep of every float found the largest errors (5.00 ulp near 3.96 and 3.99).
        sweep(Function.TANH, bits(3.9f), bits(4.1f), 1, check);
        // Across the clamp at 8.0954 (beyond 8.0954 the unclamped rational rounds above 1 at times)
        // and saturation at 9.0109.
        sweep(Function.TANH, bits(7.5f), bits(9.5f), 1, check);
        worst.assertAtMost(5.01, "tanh dense regions");
    }

    /** Branch boundaries and special values, mixed so that neighbouring lanes take different branches. */
    private static final float[] SPECIALS = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 0x1p-13f,
        0.0625f, -0.0625f, 1f, -3f, 9.1f, -9.1f, Math.nextUp(9.1f), (float) TANH_ONE, -88.03f, -89.5f, TANH_CAP,
        -Math.nextDown(TANH_CAP), Math.nextUp(TANH_CAP), 8.09546f,
        Math.nextDown((float) TANH_ONE), -(float) TANH_ONE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0.5f, 20f, (float) EXP_OVERFLOW,
        Math.nextUp((float) EXP_OVERFLOW), 89f, -87.33f, -100f, (float) EXP_UNDERFLOW,
        Math.nextUp((float) EXP_UNDERFLOW), -104f, -105f, 1e-30f, -1e-30f, 44f, -52f, -60f};

    @Test
    void tanhSpecialsAndBranchBoundaries() {
        {
            float[] y = apply(Function.TANH, SPECIALS);
            for (int i = 0; i < SPECIALS.length; i++) {
                float x = SPECIALS[i];
                String what = "tanh(" + x + ") = " + y[i];
                if (Float.isNaN(x)) {
                    assertTrue(Float.isNaN(y[i]), what);
                } else if (Math.abs(x) >= TANH_ONE) {
                    assertEquals(Math.copySign(1f, x), y[i], what);
                } else if (Math.abs(x) <= TANH_IDENTITY) {
                    assertEquals(bits(x), bits(y[i]), what);
                } else {
                    assertTrue(ulps(y[i], Math.tanh(x)) <= 5.01, what);
                }
            }
        }
    }

    // ---------------------------------------------------------------- exp

    /** The largest float whose exp rounds to 0. */
    private static final float EXP_ZERO = (float) EXP_UNDERFLOW <= EXP_UNDERFLOW
            ? (float) EXP_UNDERFLOW : Math.nextDown((float) EXP_UNDERFLOW);
    /** Below this in magnitude, exp rounds to 1. */
    private static final float EXP_ONE = 0x1p-25f;

    /**
     * The documented bound of expShiftedAndSum's exponential, in units of itself: 3 ulp for the
     * polynomial plus {@code |x| * 1.25 * 2^-24} relative for the rounding of {@code t = x log2(e)}
     * and of log2(e). With a shift of 0 there is no common factor to cancel, so this is the whole
     * error.
     */
    private static double expBound(float x, double exact) {
        return 3 * Math.ulp((float) exact) + Math.abs(x) * 0x1.4p-24 * exact;
    }

    /**
     * expNonPositive on x <= 0 (not NaN): within its bound where e^x is a normal float, within 2^-126
     * below, 0 where e^x rounds to 0. {@code bounds} sees the error as a fraction of the
     * bound, {@code ulps} the error in ulps on [-1, 0], where the polynomial's share dominates.
     */
    private static void checkExpNonPositive(float x, float y, Worst bounds, Worst ulps, Worst absolute) {
        double exact = Math.exp(x);
        if (Float.isNaN(x)) {
            // Not in the contract: softmax checks for NaN before the exponential loop.
            return;
        } else if (x <= EXP_ZERO) {
            assertEquals(0, bits(y), () -> "expNonPositive(" + x + ") = " + y);
        } else if (exact < Float.MIN_NORMAL) {
            absolute.see(x, Math.abs(y - exact));
        } else {
            bounds.see(x, Math.abs(y - exact) / expBound(x, exact));
            if (x >= -1) {
                ulps.see(x, ulps(y, exact));
            }
        }
    }

    @Test
    void expNonPositiveWithinItsBoundAndFlushesBelowTheSmallestNormal() {
        Worst bounds = new Worst();
        Worst ulps = new Worst();
        Worst absolute = new Worst();
        // The sweep hands over x and the result for -x: only the second is in the contract.
        Check check = (x, y, yn) -> checkExpNonPositive(-x, yn, bounds, ulps, absolute);
        sweep(Function.EXP_NON_POSITIVE, bits(EXP_ONE), bits(105f), STRIDE, check);
        sweep(Function.EXP_NON_POSITIVE, 0, bits(EXP_ONE), SPARSE_STRIDE, check);
        sweep(Function.EXP_NON_POSITIVE, bits(105f), POSITIVE_INFINITY_BITS, SPARSE_STRIDE, check);
        // Every float around the flush to 0.
        sweep(Function.EXP_NON_POSITIVE, bits(86f), bits(90f), 1, check);
        System.getLogger(VectorMathTest.class.getName()).log(System.Logger.Level.INFO,
                "expNonPositive: " + bounds.error + " of its bound at " + bounds.at + ", " + ulps.error
                + " ulp on [-1, 0] at " + ulps.at);
        bounds.assertAtMost(1, "expNonPositive, as a fraction of its bound");
        ulps.assertAtMost(3, "expNonPositive on [-1, 0]");
        absolute.assertAtMost(Float.MIN_NORMAL, "expNonPositive below the smallest normal");
    }

    @Test
    void expNonPositiveSpecialsAndBranchBoundaries() {
        Worst bounds = new Worst();
        Worst ulps = new Worst();
        Worst absolute = new Worst();
        {
            float[] y = apply(Function.EXP_NON_POSITIVE, SPECIALS);
            for (int i = 0; i < SPECIALS.length; i++) {
                if (!(SPECIALS[i] > 0)) {
                    checkExpNonPositive(SPECIALS[i], y[i], bounds, ulps, absolute);
                }
            }
        }
        bounds.assertAtMost(1, "expNonPositive specials, as a fraction of the bound");
        absolute.assertAtMost(Float.MIN_NORMAL, "expNonPositive specials below the smallest normal");
    }

    // ---------------------------------------------------------------- sech2

    private static double sech2(double x) {
        double c = Math.cosh(x);
        return 1 / (c * c);
    }

    /** From here 4 e^(-2x) is below half the smallest subnormal. */
    private static final float SECH2_ZERO = 53f;

    @Test
    void sech2WithinItsAbsoluteAndRelativeBounds() {
        Worst absolute = new Worst();
        Worst relative = new Worst();
        Check check = (x, y, yn) -> {
            assertEquals(bits(y), bits(yn), () -> "sech2(-x) vs sech2(x) at x = " + x);
            if (x >= SECH2_ZERO) {
                assertEquals(0, bits(y), () -> "sech2(" + x + ")");
            } else {
                // Below 2^-13, 1 - x^2 is sech^2 to within 2^-52 and saves the slow cosh.
                double exact = x <= TANH_IDENTITY ? 1 - (double) x * x : sech2(x);
                double error = Math.abs(y - exact);
                absolute.see(x, error);
                if (exact >= Float.MIN_NORMAL) {
                    relative.see(x, error / exact);
                }
            }
        };
        sweep(Function.SECH2, 0, bits(SECH2_ZERO), STRIDE, check);
        sweep(Function.SECH2, bits(SECH2_ZERO), POSITIVE_INFINITY_BITS, SPARSE_STRIDE, check);
        // Every float where 4e / (1 + e)^2 goes subnormal.
        sweep(Function.SECH2, bits(43f), bits(45f), 1, check);
        absolute.assertAtMost(0x1p-21, "sech2 absolute error");
        relative.assertAtMost(0x1p-19, "sech2 relative error");
    }

    @Test
    void sech2SpecialsAndBranchBoundaries() {
        {
            float[] y = apply(Function.SECH2, SPECIALS);
            for (int i = 0; i < SPECIALS.length; i++) {
                float x = SPECIALS[i];
                String what = "sech2(" + x + ") = " + y[i];
                if (Float.isNaN(x)) {
                    assertTrue(Float.isNaN(y[i]), what);
                } else {
                    double exact = sech2(x);
                    assertTrue(Math.abs(y[i] - exact) <= Math.max(0x1p-19 * exact, Float.MIN_NORMAL), what);
                }
            }
        }
    }

    /**
     * Below one vector the backend runs tanh and sech2 one element at a time; that copy of the
     * formula must give the vector loop's bits, or an element's result would depend on n and on the
     * width (Kernels promises it does not).
     */
    @Test
    void theOneByOneFormulasGiveTheVectorLoopsBits() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] xs = java.util.Arrays.copyOf(SPECIALS, SPECIALS.length + 100_000);
        for (int i = SPECIALS.length; i < xs.length; i++) {
            xs[i] = (float) (r.nextBoolean() ? r.nextDouble(-12, 12) : Math.scalb(r.nextDouble(-1, 1), r.nextInt(-30, 8)));
        }
        float[] one = new float[xs.length];
        VectorMath.tanhOneByOne(xs.length, xs, 0, one, 0);
        float[] vec = apply(Function.TANH, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(bits(vec[i]), bits(one[i]), "tanh(" + xs[i] + ")");
        }
        VectorMath.sech2OneByOne(xs.length, xs, 0, one, 0);
        vec = apply(Function.SECH2, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(bits(vec[i]), bits(one[i]), "sech2(" + xs[i] + ")");
        }
    }

    /**
     * Softmax's straight-line path for one to two vectors promises the bits of the general path (the
     * exponential loop, then the scaling by the reciprocal of its sum), so that nothing depends on
     * which path a size takes.
     */
    @Test
    void theShortSoftmaxGivesTheGeneralPathsBits() {
        int l = VectorKernels.L;
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int n = l; n <= 2 * l; n++) {
            for (int trial = 0; trial < 200; trial++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) r.nextDouble(-trial, trial + 1);
                }
                float max = Float.NEGATIVE_INFINITY;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                float[] general = new float[n];
                float total = VectorMath.expShiftedAndSum(n, x, 0, max, general, 0);
                VectorKernels.scaleVector(n, 1f / total, general, 0);
                float[] shortPath = new float[n];
                assertTrue(VectorMath.softmaxUpToTwoVectors(n, x, 0, shortPath, 0), "finite maximum");
                for (int i = 0; i < n; i++) {
                    assertEquals(bits(general[i]), bits(shortPath[i]), "n=" + n + " i=" + i + " x=" + x[i]);
                }
            }
        }
    }

    /**
     * The scalar twin of the short softmax promises the vector path's bits, so that the vector backend
     * may pick either on grounds of speed: every size from L to 2L, inputs whose exponentials span the
     * normal and subnormal range and reach 0, -Inf elements; and the same refusals (nothing written).
     */
    @Test
    void theShortSoftmaxTwinGivesTheVectorPathsBits() {
        int l = VectorKernels.L;
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        for (int n = l; n <= 2 * l; n++) {
            for (int trial = 0; trial < 300; trial++) {
                float[] x = new float[n];
                double spread = trial < 100 ? trial + 1 : trial < 200 ? 100 : 200;
                for (int i = 0; i < n; i++) {
                    x[i] = (float) r.nextDouble(-spread, spread);
                }
                if (trial % 7 == 6) {
                    x[r.nextInt(n)] = Float.NEGATIVE_INFINITY;
                }
                float[] vector = new float[n];
                float[] twin = new float[n];
                assertTrue(VectorMath.softmaxUpToTwoVectors(n, x, 0, vector, 0), "finite maximum");
                assertTrue(VectorMath.softmaxUpToTwoVectorsOneByOne(n, x, 0, twin, 0), "finite maximum");
                for (int i = 0; i < n; i++) {
                    assertEquals(bits(vector[i]), bits(twin[i]), "n=" + n + " i=" + i + " x=" + java.util.Arrays.toString(x));
                }
            }
        }
        float[][] refused = {{Float.NaN}, {Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY}, {VectorMath.SHIFT_LIMIT}};
        for (float[] special : refused) {
            for (int n = l; n <= 2 * l; n++) {
                float[] x = new float[n];
                x[n / 2] = special[0];
                if (special[0] == Float.NEGATIVE_INFINITY) {
                    java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
                }
                float[] vector = new float[n];
                float[] twin = new float[n];
                java.util.Arrays.fill(vector, 7f);
                java.util.Arrays.fill(twin, 7f);
                String at = "n=" + n + " " + special[0];
                assertEquals(false, VectorMath.softmaxUpToTwoVectors(n, x, 0, vector, 0), at);
                assertEquals(false, VectorMath.softmaxUpToTwoVectorsOneByOne(n, x, 0, twin, 0), at);
                for (int i = 0; i < n; i++) {
                    assertEquals(7f, twin[i], "nothing written, " + at);
                }
            }
        }
    }

    /**
     * The vector backend runs the short softmax on the scalar twin for its first calls and on the
     * vector path after: both paths are taken, and they give the same bits.
     */
    @Test
    void theShortSoftmaxGivesTheSameBitsOnEitherSideOfTheChangeOfPath() {
        int l = VectorKernels.L;
        int saved = VectorKernels.shortSoftmaxCalls;
        try {
            java.util.SplittableRandom r = new java.util.SplittableRandom(7);
            for (int n = l; n <= 2 * l; n++) {
                float[] x = new float[n + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextDouble(-20, 20);
                }
                VectorKernels.shortSoftmaxCalls = 0;
                float[] early = new float[n + 5];
                VectorKernels.INSTANCE.softmax(n, x, 3, early, 5);
                assertEquals(1, VectorKernels.shortSoftmaxCalls, "the scalar twin ran and was counted");
                VectorKernels.shortSoftmaxCalls = VectorKernels.SHORT_SOFTMAX_SCALAR_CALLS;
                float[] late = new float[n + 5];
                VectorKernels.INSTANCE.softmax(n, x, 3, late, 5);
                assertEquals(VectorKernels.SHORT_SOFTMAX_SCALAR_CALLS, VectorKernels.shortSoftmaxCalls,
                        "the vector path ran, counting nothing");
                for (int i = 0; i < early.length; i++) {
                    assertEquals(bits(late[i]), bits(early[i]), "n=" + n + " i=" + i);
                }
            }
        } finally {
            VectorKernels.shortSoftmaxCalls = saved;
        }
    }

    /**
     * The scalar softmax for small sizes runs the vector exponential one element at a time: each
     * exponential has the bits of a lane of {@link VectorMath#expShiftedAndSum}, summed in order and
     * scaled by one reciprocal; and the result keeps the documented bound of {@code Kernels.softmax}.
     * Sizes 1 to 65, so across every width's cut-over and TINY.
     */
    @Test
    void theOneByOneSoftmaxRunsTheVectorExponential() {
        int l = VectorKernels.L;
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int n = 1; n <= VectorKernels.TINY + 1; n++) {
            for (int trial = 0; trial < 100; trial++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) r.nextDouble(-trial - 1, trial + 1) * (trial % 10 == 9 ? 1e4f : 1f);
                }
                float max = Float.NEGATIVE_INFINITY;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                // The vector loop needs one vector: -Inf pads to exponentials of 0.
                float[] padded = java.util.Arrays.copyOf(x, Math.max(n, l));
                java.util.Arrays.fill(padded, n, padded.length, Float.NEGATIVE_INFINITY);
                float[] exps = new float[padded.length];
                VectorMath.expShiftedAndSum(padded.length, padded, 0, max, exps, 0);
                float sum = 0f;
                for (int i = 0; i < n; i++) {
                    sum += exps[i];
                }
                float inv = 1f / sum;
                float[] got = new float[n];
                assertTrue(VectorMath.softmaxOneByOne(n, x, 0, got, 0), "finite maximum");
                double exactSum = 0;
                for (float v : x) {
                    exactSum += Math.exp((double) v - max);
                }
                for (int i = 0; i < n; i++) {
                    String at = "n=" + n + " i=" + i + " x=" + x[i];
                    assertEquals(bits(exps[i] * inv), bits(got[i]), at);
                    double exact = Math.exp((double) x[i] - max) / exactSum;
                    double bound = 0x1p-20 + n * 0x1p-23 + Math.abs((double) x[i] - max) * 1.25 * 0x1p-24;
                    if (exact >= 0x1p-126) {
                        assertTrue(Math.abs(got[i] - exact) <= bound * exact, at + " got " + got[i] + " exact " + exact);
                    } else {
                        assertTrue(Math.abs(got[i] - exact) < 1.2e-38, at);
                    }
                }
            }
        }
    }

    /** The special values go to the scalar backend's loop: the scalar path writes nothing and says so. */
    @Test
    void theOneByOneSoftmaxDeclinesSpecialValues() {
        float[][] cases = {
            {1f, Float.NaN, 2f}, {Float.NaN}, {0f, Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY, 3f, Float.POSITIVE_INFINITY},
            {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, {VectorMath.SHIFT_LIMIT, 0f}, {-VectorMath.SHIFT_LIMIT, -1e30f},
        };
        for (float[] x : cases) {
            float[] out = new float[x.length];
            java.util.Arrays.fill(out, 7f);
            assertEquals(false, VectorMath.softmaxOneByOne(x.length, x, 0, out, 0), java.util.Arrays.toString(x));
            for (float v : out) {
                assertEquals(7f, v, "nothing written for " + java.util.Arrays.toString(x));
            }
        }
        float[] below = {Math.nextDown(VectorMath.SHIFT_LIMIT), 0f};
        float[] out = new float[2];
        assertTrue(VectorMath.softmaxOneByOne(2, below, 0, out, 0), "just below the limit");
        assertEquals(1f, out[0]);
        assertEquals(0f, out[1]);
    }

    /** f over xs, padded with NaN to at least one vector (the loops need one). */
    private static float[] apply(Function f, float[] xs) {
        int n = Math.max(xs.length, VectorKernels.L);
        float[] in = java.util.Arrays.copyOf(xs, n);
        java.util.Arrays.fill(in, xs.length, n, Float.NaN);
        float[] out = new float[n];
        f.apply(n, in, out);
        return java.util.Arrays.copyOf(out, xs.length);
    }
}
