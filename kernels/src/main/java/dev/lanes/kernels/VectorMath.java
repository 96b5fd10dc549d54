package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorKernels.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Elementwise transcendental loops for {@link VectorKernels}, built only from plain lanewise
 * arithmetic (FMA, compare and blend, integer shifts on the float bits), so they compile to
 * straight-line SIMD code instead of calls to the JDK's short-vector math library, on any JDK.
 *
 * <p>Each function is a whole loop over arrays with its math written inline, and no method of ours
 * takes or returns a vector. That is deliberate: the Vector API's own methods are always inlined, but
 * a method of ours that passes vectors is inlined only while C2's budget lasts, and not at all once it
 * has been compiled on its own into a big method; a call left out of line boxes every vector it
 * touches, an allocation per vector. Every loop needs {@code n >= L}; it handles the tail with one
 * more pass over the last L elements, overlapping the previous block, whose already-written lanes
 * keep their values by a blend (so {@code out == x} stays correct). Each mask is built right where
 * it is used: a mask with two users was boxed on every pass.
 *
 * <p>The error bounds are measured by sweeping the float range against {@code Math} in double (see
 * {@code VectorMathTest}); they assume hardware FMA, which the vector backend requires.
 */
final class VectorMath {
    /** Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    private static final float ROUND_MAGIC = 0x1.8p23f;
    private static final float LOG2E = 0x1.715476p0f;
    /** ln 2 in two parts (Cody-Waite); the high part has few bits so k * LN2_HI is exact. */
    private static final float LN2_HI = 0x1.63p-1f;
    private static final float LN2_LO = -0x1.bd0106p-13f;
    private static final float LN2 = 0x1.62e43p-1f;
    private static final int MANTISSA_BITS = 23;
    private static final int EXPONENT_BIAS = 127;

    /*
     * exp(r) = 1 + r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * C6))))) on |r| <= ln2 / 2:
     * minimax for relative error, 2.0e-9 (0.03 ulp) before rounding.
     */
    private static final float EXP_C2 = 0x1.fffffcp-2f;
    private static final float EXP_C3 = 0x1.55541ap-3f;
    private static final float EXP_C4 = 0x1.555822p-5f;
    private static final float EXP_C5 = 0x1.126782p-7f;
    private static final float EXP_C6 = 0x1.6ae72ep-10f;

    /*
     * The same with one degree less, for softmax, whose documented bound (2^-20 per element and more)
     * leaves room: 1.76 ulp before rounding, at most 3 ulp measured. One FMA fewer in a loop of
     * about fifteen operations.
     */
    private static final float EXP5_C2 = 0x1.fffdfcp-2f;
    private static final float EXP5_C3 = 0x1.5557aep-3f;
    private static final float EXP5_C4 = 0x1.5729f0p-5f;
    private static final float EXP5_C5 = 0x1.106274p-7f;

    /*
     * tanh(a) = a P(u) / Q(u) with u = a^2, P and Q of degree 4 in u with P(0) = Q(0) = 1, on
     * 0 <= a <= TANH_ONE: minimax for relative error (0.36 ulp before rounding), then the three
     * highest coefficients nudged by a few float ulps so that the formula reaches 1 at TANH_ONE
     * itself, which lets one compare (t > 1) both saturate and keep |t| <= 1. Rounding in float
     * costs the rest: at most 5 ulp measured on every float. One division instead of the two of a
     * double-angle step, which is what bounds the loop on cores where division is slow.
     */
    private static final float TANH_P1 = 0x1.121a98p-3f;
    private static final float TANH_P2 = 0x1.ca9ec4p-9f;
    private static final float TANH_P3 = 0x1.5aa356p-16f;
    private static final float TANH_P4 = 0x1.cd19a0p-27f;
    private static final float TANH_Q1 = 0x1.de629ap-2f;
    private static final float TANH_Q2 = 0x1.a82f5ep-6f;
    private static final float TANH_Q3 = 0x1.591710p-12f;
    private static final float TANH_Q4 = 0x1.a30322p-21f;
    private static final int SIGN_BIT = 0x8000_0000;
    /**
     * The smallest float whose tanh rounds to 1 (9.010914, just above 13 ln 2). Arguments beyond are
     * clamped to it and give exactly 1.
     */
    private static final float TANH_ONE = 0x1.205968p3f;

    /**
     * 0, 1, ..., L - 1: which lanes of the last, overlapping block are new. Loaded from an array,
     * not built with {@code addIndex}: on JDK 17 C2 sometimes leaves addIndex's helper out of line
     * (it is just over the size limit for calls it deems cold), and the loop then allocated 96 bytes
     * per call at 4 lanes.
     */
    private static final float[] LANE_INDEX = new float[L];

    static {
        for (int i = 0; i < L; i++) {
            LANE_INDEX[i] = i;
        }
    }

    private VectorMath() {
    }

    /**
     * {@code out[i] = tanh(x[i])} for {@code i < n}, {@code n >= L}: at most 5 ulp from the correctly
     * rounded float (measured on every float: 5.008 ulp of the exact value, near 3.99); exactly odd, {@code ±1} from
     * {@code |x| >= 9.010914} (where tanh rounds to 1) and never beyond, {@code tanh(±0) = ±0}, tiny
     * and subnormal x unchanged, {@code tanh(±Inf) = ±1}, NaN to NaN.
     *
     * <p>With {@code a = min(|x|, 9.010914)}: {@code t = a P(a^2) / Q(a^2)}, then {@code min(t, 1)} and
     * the sign of x. Fifteen vector operations between load and store, one of them a division. Full
     * blocks are stored as they are; only the last, overlapping block is blended with what the
     * previous block wrote (so {@code out == x} stays correct), which keeps a load, a compare and a
     * blend out of the main loop.
     */
    static void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector cap = FloatVector.broadcast(S, TANH_ONE);
        FloatVector p1 = FloatVector.broadcast(S, TANH_P1);
        FloatVector p2 = FloatVector.broadcast(S, TANH_P2);
        FloatVector p3 = FloatVector.broadcast(S, TANH_P3);
        FloatVector p4 = FloatVector.broadcast(S, TANH_P4);
        FloatVector q1 = FloatVector.broadcast(S, TANH_Q1);
        FloatVector q2 = FloatVector.broadcast(S, TANH_Q2);
        FloatVector q3 = FloatVector.broadcast(S, TANH_Q3);
        FloatVector q4 = FloatVector.broadcast(S, TANH_Q4);
        for (int i = 0; i < n; i += L) {
            int p = Math.min(i, n - L);
            FloatVector xv = FloatVector.fromArray(S, x, xOff + p);
            // NaN fails both compares and propagates.
            FloatVector a = xv.abs();
            a = a.blend(cap, a.compare(VectorOperators.GT, cap));
            FloatVector u = a.mul(a);
            FloatVector pu = u.fma(p4, p3).fma(u, p2).fma(u, p1).fma(u, one);
            FloatVector qu = u.fma(q4, q3).fma(u, q2).fma(u, q1).fma(u, one);
            FloatVector t = a.mul(pu).div(qu);
            t = t.blend(one, t.compare(VectorOperators.GT, one));
            // t >= 0 (or NaN): the sign bit of x makes the result exactly odd and keeps tanh(-0) = -0.
            t = t.reinterpretAsInts()
                    .lanewise(VectorOperators.OR, xv.reinterpretAsInts().lanewise(VectorOperators.AND, SIGN_BIT))
                    .reinterpretAsFloats();
            if (p == i) {
                t.intoArray(out, outOff + p);
            } else {
                FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
                FloatVector.fromArray(S, out, outOff + p).blend(t, lane.compare(VectorOperators.GE, i - p))
                        .intoArray(out, outOff + p);
            }
        }
    }

    /**
     * {@link #tanh} one element at a time, for {@code n < L}: the same operations in the same order,
     * so the same bits; an element's tanh does not depend on the width or on which call it is in.
     */
    static void tanhOneByOne(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            float a = Math.abs(xi);
            a = a > TANH_ONE ? TANH_ONE : a;
            float u = a * a;
            float pu = Math.fma(Math.fma(Math.fma(Math.fma(u, TANH_P4, TANH_P3), u, TANH_P2), u, TANH_P1), u, 1f);
            float qu = Math.fma(Math.fma(Math.fma(Math.fma(u, TANH_Q4, TANH_Q3), u, TANH_Q2), u, TANH_Q1), u, 1f);
            float t = a * pu / qu;
            t = t > 1f ? 1f : t;
            out[outOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(t) | (Float.floatToRawIntBits(xi) & SIGN_BIT));
        }
    }

    /**
     * {@code out[i] = sech^2(x[i]) = 4e / (1 + e)^2} with {@code e = exp(-2|x|)}, as
     * {@code e4 / (1 + e4/4)^2} with {@code e4 = 4e}, for {@code i < n}, {@code n >= L}: absolute error
     * at most 2^-21, relative error at most 2^-19 where the result is a normal float (measured: 2^-22.55
     * and 2^-21.73); results below 2^-126 flush to 0; NaN to NaN.
     */
    static void sech2(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
        // 4 e^-2|x| = 2^(k + 2) e^r: the 2 is folded into the exponent bias of the scale.
        float magic = ROUND_MAGIC + (EXPONENT_BIAS + 2);
        FloatVector vmagic = FloatVector.broadcast(S, magic);
        FloatVector lowest = FloatVector.broadcast(S, -(EXPONENT_BIAS + 2) * LN2);
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI);
        FloatVector ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector c2 = FloatVector.broadcast(S, EXP_C2);
        FloatVector c3 = FloatVector.broadcast(S, EXP_C3);
        FloatVector c4 = FloatVector.broadcast(S, EXP_C4);
        FloatVector c5 = FloatVector.broadcast(S, EXP_C5);
        FloatVector c6 = FloatVector.broadcast(S, EXP_C6);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector quarter = FloatVector.broadcast(S, 0.25f);
        for (int i = 0; i < n; i += L) {
            int p = Math.min(i, n - L);
            FloatVector y = FloatVector.fromArray(S, x, xOff + p).abs().mul(-2f);
            // NaN fails the compare and propagates through the arithmetic.
            y = y.blend(lowest, y.compare(VectorOperators.LT, lowest));
            FloatVector t = y.fma(log2e, vmagic);
            FloatVector k = t.sub(vmagic);
            FloatVector r = k.fma(ln2hi, y);
            r = k.fma(ln2lo, r);
            FloatVector q = r.fma(c6, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
            FloatVector e4 = q.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats());
            FloatVector d = e4.fma(quarter, one);
            FloatVector s = e4.div(d.mul(d));
            FloatVector.fromArray(S, out, outOff + p).blend(s, lane.compare(VectorOperators.GE, i - p))
                    .intoArray(out, outOff + p);
        }
    }

    /** {@link #sech2} one element at a time, for {@code n < L}: the same operations, so the same bits. */
    static void sech2OneByOne(int n, float[] x, int xOff, float[] out, int outOff) {
        float magic = ROUND_MAGIC + (EXPONENT_BIAS + 2);
        float lowest = -(EXPONENT_BIAS + 2) * LN2;
        for (int i = 0; i < n; i++) {
            float y = Math.abs(x[xOff + i]) * -2f;
            y = y < lowest ? lowest : y;
            float t = Math.fma(y, LOG2E, magic);
            float k = t - magic;
            float r = Math.fma(k, -LN2_HI, y);
            r = Math.fma(k, -LN2_LO, r);
            float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, EXP_C6, EXP_C5), r, EXP_C4), r, EXP_C3),
                    r, EXP_C2), r, 1f), r, 1f);
            float e4 = q * Float.intBitsToFloat(Float.floatToRawIntBits(t) << MANTISSA_BITS);
            float d = Math.fma(e4, 0.25f, 1f);
            out[outOff + i] = e4 / (d * d);
        }
    }

    /**
     * {@code out[i] = exp(x[i] - shift)} for {@code i < n}, {@code n >= L}, where every
     * {@code x[i] - shift <= 0} (softmax subtracts the maximum); returns the sum of the outputs (lane
     * sums, then across lanes in the fixed order of {@link VectorKernels#LANE_SUM}). At most 3 ulp
     * from the correctly rounded result (a degree-5 polynomial after Cody-Waite reduction); results
     * below 2^-126 (arguments below about -87.34) flush to 0, an absolute error below 1.2e-38; NaN
     * to NaN. Full blocks are stored and added as they are; only the last, overlapping block is
     * blended with the previous block's lanes.
     */
    static float expShiftedAndSum(int n, float[] x, int xOff, float shift, float[] out, int outOff) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector vshift = FloatVector.broadcast(S, shift);
        // The exponent bias is folded into the rounding constant, so t's bits shifted are 2^k itself.
        float magic = ROUND_MAGIC + EXPONENT_BIAS;
        FloatVector vmagic = FloatVector.broadcast(S, magic);
        FloatVector lowest = FloatVector.broadcast(S, -EXPONENT_BIAS * LN2);
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI);
        FloatVector ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector c2 = FloatVector.broadcast(S, EXP5_C2);
        FloatVector c3 = FloatVector.broadcast(S, EXP5_C3);
        FloatVector c4 = FloatVector.broadcast(S, EXP5_C4);
        FloatVector c5 = FloatVector.broadcast(S, EXP5_C5);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector sum = zero;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector y = FloatVector.fromArray(S, x, xOff + i).sub(vshift);
            // NaN fails the compare and propagates through the arithmetic.
            y = y.blend(lowest, y.compare(VectorOperators.LT, lowest));
            FloatVector t = y.fma(log2e, vmagic);
            FloatVector k = t.sub(vmagic);
            FloatVector r = k.fma(ln2hi, y);
            r = k.fma(ln2lo, r);
            FloatVector q = r.fma(c5, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
            FloatVector e = q.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats());
            e.intoArray(out, outOff + i);
            sum = sum.add(e);
        }
        if (i < n) {
            // The last block overlaps the previous one: the same formula, blended and counted only on its new lanes.
            int p = n - L;
            FloatVector y = FloatVector.fromArray(S, x, xOff + p).sub(vshift);
            y = y.blend(lowest, y.compare(VectorOperators.LT, lowest));
            FloatVector t = y.fma(log2e, vmagic);
            FloatVector k = t.sub(vmagic);
            FloatVector r = k.fma(ln2hi, y);
            r = k.fma(ln2lo, r);
            FloatVector q = r.fma(c5, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
            FloatVector e = q.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats());
            FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
            FloatVector.fromArray(S, out, outOff + p).blend(e, lane.compare(VectorOperators.GE, i - p))
                    .intoArray(out, outOff + p);
            sum = sum.add(e.blend(zero, FloatVector.fromArray(S, LANE_INDEX, 0).compare(VectorOperators.LT, i - p)));
        }
        for (VectorShuffle<Float> step : VectorKernels.LANE_SUM) {
            sum = sum.add(sum.rearrange(step));
        }
        return sum.lane(0);
    }
}
