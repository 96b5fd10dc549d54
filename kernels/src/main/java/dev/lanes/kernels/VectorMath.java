package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorWidth.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Elementwise transcendental loops for {@link VectorKernels}, built only from plain lanewise
 * arithmetic (FMA, compare and blend, integer shifts, adds and minima on the float bits), so they
 * compile to straight-line SIMD code instead of calls to the JDK's short-vector math library, on any
 * JDK.
 *
 * <p>Each function is a whole loop over arrays with its math written inline, and no method of ours
 * takes or returns a vector. That is deliberate: the Vector API's own methods are always inlined, but
 * a method of ours that passes vectors is inlined only while C2's budget lasts, and not at all once it
 * has been compiled on its own into a big method; a call left out of line boxes every vector it
 * touches, an allocation per vector. Every loop needs {@code n >= L}; it handles the tail with one
 * more pass over the last L elements, overlapping the previous block, whose already-written lanes
 * keep their values by a blend (so {@code out == x} stays correct). That pass is written out after
 * the loop, not folded into it as a last iteration: a loop that chose per pass between a plain store
 * and the blend kept its index on the stack and ran 20% slower (tanh at 16 and 4 lanes on JDK 17 and
 * 25). Each mask is built right where it is used: a mask with two users was boxed on every pass. A
 * lane count is compared as a float: {@code compare(op, int)} takes the {@code long} overload, whose
 * range check C2 compiles to a conversion and a call.
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
     * 2^f = 1 + f * (C1 + f * (C2 + f * (C3 + f * (C4 + f * C5)))) on |f| <= 1/2, for softmax:
     * minimax for relative error, then each coefficient moved by up to two float ulps to the best
     * rounded set: 1.02e-7 (1.7 ulp) before the rounding of the evaluation. Degree 4 cannot meet
     * softmax's 2^-20 (about 2^-18.5 on this interval), so degree 5 is the least that can.
     */
    private static final float EXP2_C1 = 0x1.62e42ap-1f;
    private static final float EXP2_C2 = 0x1.ebf9bep-3f;
    private static final float EXP2_C3 = 0x1.c6b74ep-5f;
    private static final float EXP2_C4 = 0x1.3cea8cp-7f;
    private static final float EXP2_C5 = 0x1.5bba12p-10f;

    /**
     * Softmax folds its shift into one FMA per element, {@code t = x log2(e) - shift log2(e)}; the
     * rounding of the constant {@code shift log2(e)} is the same for every element and cancels in the
     * normalisation, provided it is small: below this magnitude of the shift it is at most 1/4 (the
     * constant is below 2^23, where a float's ulp is at most 1/2), so 2^t cannot overflow.
     */
    static final float SHIFT_LIMIT = 0x1p22f;

    /*
     * tanh(a) = a P(u) / Q(u) with u = a^2, P and Q of degree 4 in u with P(0) = Q(0) = 1, on
     * 0 <= a <= TANH_CAP: minimax for relative error (0.36 ulp before rounding), then the three
     * highest coefficients nudged by a few float ulps so that the formula reaches 1 near the end of
     * the range. Rounding in float costs the rest: at most 5 ulp measured on every float. One division
     * instead of the two of a double-angle step, which is what bounds the loop on cores where
     * division is slow.
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
     * Where the formula above is clamped: 8.095449, the largest float below which the formula,
     * evaluated in float with FMA exactly as the loops do, never exceeds 1, and at which it gives
     * exactly 1 (found by evaluating it on every float of [0, 9.01]; from 8.09546 rounding lifts it
     * to 1 + 2^-23 at times). So clamping the argument alone both saturates and keeps |t| <= 1, with
     * no compare and blend on the result: those two operations ran on the multiply pipes that the
     * polynomials already fill, about 15% of the loop's time. Beyond the cap the result is exactly 1,
     * within 3.2 ulp of tanh, which rounds to 1 only from 9.010914.
     */
    private static final float TANH_CAP = 0x1.030decp3f;
    /**
     * The vector loop clamps |x| to {@link #TANH_CAP} with one signed integer minimum on the float's
     * bits, which order like the values for non-negative floats. Adding this first wraps exactly the
     * NaNs (bits above 0x7f800000) to negative integers, so the minimum keeps them and NaN still gives
     * NaN; subtracting it after restores their bits. Three integer operations instead of a compare and
     * a blend: JDK 17 turns the compare's mask into a vector and back before the blend (two more
     * operations and two constant loads on the loop's critical path). In one JVM, alternating the two
     * loops at n = 1000 and 16 lanes, this one ran 16% faster on JDK 17 and 4% on JDK 25, with the same
     * bits.
     */
    private static final int NAN_WRAP = 0x007f_ffff;

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
     * {@code |x| >= 8.095449} (tanh rounds to 1 from 9.010914; in between the error is at most 3.2 ulp)
     * and never beyond, {@code tanh(±0) = ±0}, tiny and subnormal x unchanged, {@code tanh(±Inf) = ±1},
     * NaN to NaN.
     *
     * <p>With {@code a = min(|x|, 8.095449)}: {@code t = a P(a^2) / Q(a^2)}, which is at most 1 there
     * (see {@link #TANH_CAP}; the clamp is integer, see {@link #NAN_WRAP}), and the sign of x.
     * Seventeen vector operations between load and store, one of them a division. Full blocks are
     * stored as they are; only the last, overlapping block is blended with what the previous block
     * wrote (so {@code out == x} stays correct).
     */
    static void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        IntVector capWrapped = FloatVector.broadcast(S, Float.intBitsToFloat(Float.floatToRawIntBits(TANH_CAP) + NAN_WRAP))
                .reinterpretAsInts();
        FloatVector p1 = FloatVector.broadcast(S, TANH_P1);
        FloatVector p2 = FloatVector.broadcast(S, TANH_P2);
        FloatVector p3 = FloatVector.broadcast(S, TANH_P3);
        FloatVector p4 = FloatVector.broadcast(S, TANH_P4);
        FloatVector q1 = FloatVector.broadcast(S, TANH_Q1);
        FloatVector q2 = FloatVector.broadcast(S, TANH_Q2);
        FloatVector q3 = FloatVector.broadcast(S, TANH_Q3);
        FloatVector q4 = FloatVector.broadcast(S, TANH_Q4);
        int i = 0;
        for (; i <= n - L; i += L) {
            IntVector xb = FloatVector.fromArray(S, x, xOff + i).reinterpretAsInts();
            FloatVector a = xb.lanewise(VectorOperators.AND, ~SIGN_BIT).add(NAN_WRAP).min(capWrapped).sub(NAN_WRAP)
                    .reinterpretAsFloats();
            FloatVector u = a.mul(a);
            FloatVector pu = u.fma(p4, p3).fma(u, p2).fma(u, p1).fma(u, one);
            FloatVector qu = u.fma(q4, q3).fma(u, q2).fma(u, q1).fma(u, one);
            FloatVector t = a.mul(pu).div(qu);
            // t >= 0 (or NaN): the sign bit of x makes the result exactly odd and keeps tanh(-0) = -0.
            t.reinterpretAsInts().lanewise(VectorOperators.OR, xb.lanewise(VectorOperators.AND, SIGN_BIT))
                    .reinterpretAsFloats().intoArray(out, outOff + i);
        }
        if (i < n) {
            // The same formula on the last L elements, kept only on the lanes the loop did not write.
            int p = n - L;
            IntVector xb = FloatVector.fromArray(S, x, xOff + p).reinterpretAsInts();
            FloatVector a = xb.lanewise(VectorOperators.AND, ~SIGN_BIT).add(NAN_WRAP).min(capWrapped).sub(NAN_WRAP)
                    .reinterpretAsFloats();
            FloatVector u = a.mul(a);
            FloatVector pu = u.fma(p4, p3).fma(u, p2).fma(u, p1).fma(u, one);
            FloatVector qu = u.fma(q4, q3).fma(u, q2).fma(u, q1).fma(u, one);
            FloatVector t = a.mul(pu).div(qu);
            t = t.reinterpretAsInts().lanewise(VectorOperators.OR, xb.lanewise(VectorOperators.AND, SIGN_BIT))
                    .reinterpretAsFloats();
            FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
            FloatVector.fromArray(S, out, outOff + p).blend(t, lane.compare(VectorOperators.GE, (float) (i - p)))
                    .intoArray(out, outOff + p);
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
            a = a > TANH_CAP ? TANH_CAP : a;
            float u = a * a;
            float pu = Math.fma(Math.fma(Math.fma(Math.fma(u, TANH_P4, TANH_P3), u, TANH_P2), u, TANH_P1), u, 1f);
            float qu = Math.fma(Math.fma(Math.fma(Math.fma(u, TANH_Q4, TANH_Q3), u, TANH_Q2), u, TANH_Q1), u, 1f);
            float t = a * pu / qu;
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
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector y = FloatVector.fromArray(S, x, xOff + i).abs().mul(-2f);
            // NaN fails the compare and propagates through the arithmetic.
            y = y.blend(lowest, y.compare(VectorOperators.LT, lowest));
            FloatVector t = y.fma(log2e, vmagic);
            FloatVector k = t.sub(vmagic);
            FloatVector r = k.fma(ln2hi, y);
            r = k.fma(ln2lo, r);
            FloatVector q = r.fma(c6, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
            FloatVector e4 = q.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats());
            FloatVector d = e4.fma(quarter, one);
            e4.div(d.mul(d)).intoArray(out, outOff + i);
        }
        if (i < n) {
            // The same formula on the last L elements, kept only on the lanes the loop did not write.
            int p = n - L;
            FloatVector y = FloatVector.fromArray(S, x, xOff + p).abs().mul(-2f);
            y = y.blend(lowest, y.compare(VectorOperators.LT, lowest));
            FloatVector t = y.fma(log2e, vmagic);
            FloatVector k = t.sub(vmagic);
            FloatVector r = k.fma(ln2hi, y);
            r = k.fma(ln2lo, r);
            FloatVector q = r.fma(c6, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
            FloatVector e4 = q.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats());
            FloatVector d = e4.fma(quarter, one);
            FloatVector s = e4.div(d.mul(d));
            FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
            FloatVector.fromArray(S, out, outOff + p).blend(s, lane.compare(VectorOperators.GE, (float) (i - p)))
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
     * {@code out[i] = exp(x[i] - shift)} for {@code i < n}, {@code n >= L}, where no {@code x[i]} is
     * NaN, every {@code x[i] - shift <= 0} (softmax subtracts the maximum) and {@code |shift| <}
     * {@link #SHIFT_LIMIT}; returns the sum of the outputs (lane sums, then across lanes in the fixed
     * order of {@link VectorWidth#LANE_SUM}).
     *
     * <p>As {@code 2^t} with {@code t = fma(x, log2(e), -(shift log2(e)))}: one FMA instead of a
     * subtraction and a two-constant reduction. Relative error at most
     * {@code |x - shift| * 1.25 * 2^-24} (the rounding of t, {@code |x - shift| 2^-24}, and of
     * log2(e) to a float, {@code |x - shift| 2^-26.2}) plus 3 ulp (the polynomial, and the
     * rounding of {@code t - 1} below, which counts near {@code x = shift}), apart from a
     * factor common to every element (the rounding of {@code shift log2(e)}), which softmax's
     * normalisation removes. Results below 2^-126 ({@code t < -126}) are inexact, an absolute error
     * below half of 2^-126, and 0 from {@code t <= -127}; -Inf gives 0.
     *
     * <p>Only the polynomial's five FMAs use the multiply pipes (two of the four FP pipes on x86 cores
     * of this decade): the clamp of t is an integer minimum on its bits, and 2^k is added to the
     * exponent field of the polynomial's value as an integer. That needs t < 0 for every element,
     * hence the exponent is computed one lower, {@code t - 1}, and the 1 given back in the exponent
     * field; and it needs no NaN, since the integer minimum would turn one into -128 (the callers
     * check). A negative float's bits, read as an int, grow as the float falls, so the minimum with
     * -128's bits raises every t below -128 (and -Inf) to -128, where the exponent field comes out 0:
     * exactly 0. Full blocks are stored and added as they are; only the last, overlapping block is
     * blended with the previous block's lanes.
     */
    static float expShiftedAndSum(int n, float[] x, int xOff, float shift, float[] out, int outOff) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        // t - 1 <= -3/4 < 0; subtracting 1 from a constant below 2^23 in magnitude is exact.
        FloatVector vshift = FloatVector.broadcast(S, -(shift * LOG2E) - 1f);
        // (t - 1) + magic rounds to an integer k - 1 in the low mantissa bits, offset by 1 so that
        // those bits shifted into the exponent field add k: the 1 is given back here.
        FloatVector vmagic = FloatVector.broadcast(S, ROUND_MAGIC + 1f);
        IntVector lowest = FloatVector.broadcast(S, -EXPONENT_BIAS - 1f).reinterpretAsInts();
        FloatVector c1 = FloatVector.broadcast(S, EXP2_C1);
        FloatVector c2 = FloatVector.broadcast(S, EXP2_C2);
        FloatVector c3 = FloatVector.broadcast(S, EXP2_C3);
        FloatVector c4 = FloatVector.broadcast(S, EXP2_C4);
        FloatVector c5 = FloatVector.broadcast(S, EXP2_C5);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector sum = zero;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector t = FloatVector.fromArray(S, x, xOff + i).fma(log2e, vshift);
            t = t.reinterpretAsInts().min(lowest).reinterpretAsFloats();
            FloatVector kk = t.add(vmagic);
            // Both subtractions are exact: f = t - k with |f| <= 1/2.
            FloatVector f = t.sub(kk.sub(vmagic));
            FloatVector q = f.fma(c5, c4).fma(f, c3).fma(f, c2).fma(f, c1).fma(f, one);
            FloatVector e = q.reinterpretAsInts().add(kk.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS))
                    .reinterpretAsFloats();
            e.intoArray(out, outOff + i);
            sum = sum.add(e);
        }
        if (i < n) {
            // The last block overlaps the previous one: the same formula, blended and counted only on its new lanes.
            int p = n - L;
            FloatVector t = FloatVector.fromArray(S, x, xOff + p).fma(log2e, vshift);
            t = t.reinterpretAsInts().min(lowest).reinterpretAsFloats();
            FloatVector kk = t.add(vmagic);
            FloatVector f = t.sub(kk.sub(vmagic));
            FloatVector q = f.fma(c5, c4).fma(f, c3).fma(f, c2).fma(f, c1).fma(f, one);
            FloatVector e = q.reinterpretAsInts().add(kk.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS))
                    .reinterpretAsFloats();
            FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
            FloatVector.fromArray(S, out, outOff + p).blend(e, lane.compare(VectorOperators.GE, (float) (i - p)))
                    .intoArray(out, outOff + p);
            sum = sum.add(e.blend(zero, FloatVector.fromArray(S, LANE_INDEX, 0).compare(VectorOperators.LT, (float) (i - p))));
        }
        for (VectorShuffle<Float> step : VectorWidth.LANE_SUM) {
            sum = sum.add(sum.rearrange(step));
        }
        return sum.lane(0);
    }

    /**
     * The whole softmax one element at a time, for {@code n < L} (see {@code VectorKernels}, "Tiny
     * shapes"): the exponential of {@link #expShiftedAndSum} with the same operations (the one-FMA
     * exponent, the integer clamp on its bits, the degree-5 polynomial, 2^k added into the exponent
     * field as an integer), so each exponential has the same bits as a lane of the vector loop; the
     * sum runs in order and the outputs are scaled by one reciprocal, as the vector path does. Plain
     * scalar code: it compiles quickly and never boxes, unlike a vector method that runs cold. Returns
     * false, having written nothing, under the same conditions as {@link #softmaxUpToTwoVectors} (a
     * NaN, or a maximum not finite or not below {@link #SHIFT_LIMIT} in magnitude).
     */
    static boolean softmaxOneByOne(int n, float[] x, int xOff, float[] out, int outOff) {
        if (!expShiftedOneByOne(n, x, xOff, out, outOff)) {
            return false;
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += out[outOff + i];
        }
        ScalarKernels.scaleRange(0, n, 1f / sum, out, outOff);
        return true;
    }

    /**
     * {@link #softmaxUpToTwoVectors} one element at a time, with its bits: the same exponentials (those
     * of {@link #softmaxOneByOne}), added in the vector path's order (lane j holds element j plus, on
     * the lanes the second block adds, element {@code n - L + j}; then the lanes meet in the pairwise
     * tree of {@link VectorWidth#LANE_SUM}), and the same scaling. For {@code L <= n <= 2L}. It lets
     * the vector backend choose between the two paths on grounds of speed alone (see {@code
     * VectorKernels}, "Cold start"): whichever runs, a call gives the same bits. Returns false, having
     * written nothing, where {@link #softmaxUpToTwoVectors} does.
     */
    static boolean softmaxUpToTwoVectorsOneByOne(int n, float[] x, int xOff, float[] out, int outOff) {
        if (!expShiftedOneByOne(n, x, xOff, out, outOff)) {
            return false;
        }
        ScalarKernels.scaleRange(0, n, 1f / laneTreeSum(n, out, outOff, 0, L), out, outOff);
        return true;
    }

    /**
     * The sum that {@link #softmaxUpToTwoVectors} forms from its two blocks of exponentials {@code
     * e[0 .. L)} and {@code e[n - L .. n)}, over the lanes {@code [from, from + width)}: lane j is
     * {@code e[j]}, plus {@code e[n - L + j]} where the second block is new ({@code j >= 2L - n});
     * halves are summed first, as the steps of {@link VectorWidth#LANE_SUM} pair them.
     */
    private static float laneTreeSum(int n, float[] e, int eOff, int from, int width) {
        if (width == 1) {
            return from < 2 * L - n ? e[eOff + from] : e[eOff + from] + e[eOff + n - L + from];
        }
        int half = width >>> 1;
        return laneTreeSum(n, e, eOff, from, half) + laneTreeSum(n, e, eOff, from + half, half);
    }

    /**
     * {@code out[i] = exp(x[i] - max)} for {@code i < n} with the bits of a lane of {@link
     * #expShiftedAndSum}, or false, having written nothing, if an element is NaN or the maximum is
     * not finite or not below {@link #SHIFT_LIMIT} in magnitude.
     */
    private static boolean expShiftedOneByOne(int n, float[] x, int xOff, float[] out, int outOff) {
        // Compare and select instead of Math.max (whose NaN and -0 rules cost C2 several instructions
        // in the dependency chain); a running sum of the elements finds the NaNs, as maxVector does.
        float max = Float.NEGATIVE_INFINITY;
        float all = 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            max = xi > max ? xi : max;
            all += xi;
        }
        // NaN fails this compare, as do the infinities (+Inf and -Inf together sum to NaN).
        if (!(Math.abs(max) < SHIFT_LIMIT) || all != all) {
            return false;
        }
        float shift = -(max * LOG2E) - 1f;
        float magic = ROUND_MAGIC + 1f;
        int lowest = Float.floatToRawIntBits(-EXPONENT_BIAS - 1f);
        for (int i = 0; i < n; i++) {
            float t = Math.fma(x[xOff + i], LOG2E, shift);
            t = Float.intBitsToFloat(Math.min(Float.floatToRawIntBits(t), lowest));
            float kk = t + magic;
            float f = t - (kk - magic);
            float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(f, EXP2_C5, EXP2_C4), f, EXP2_C3), f, EXP2_C2),
                    f, EXP2_C1), f, 1f);
            out[outOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(q) + (Float.floatToRawIntBits(kk) << MANTISSA_BITS));
        }
        return true;
    }

    /**
     * The whole softmax for {@code L <= n <= 2L}, the size of a classifier's output layer at 8 lanes:
     * two overlapping vectors, the first and the last L elements, held in registers from load to
     * store, with no loop and no blend against the output. Returns false, having written nothing, if
     * an element is NaN or the maximum is not finite or not below {@link #SHIFT_LIMIT} in magnitude
     * (the caller then runs the scalar loop). The formula, the sum (the first block, then the new
     * lanes of the second) and the scaling are those of {@link #expShiftedAndSum} and
     * {@code VectorKernels.scaleVector}, so the bits are the same as the general path's; the lanes in
     * both vectors get the same value twice.
     */
    static boolean softmaxUpToTwoVectors(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatVector lo = FloatVector.fromArray(S, x, xOff);
        FloatVector hi = FloatVector.fromArray(S, x, xOff + n - L);
        float max = lo.blend(hi, hi.compare(VectorOperators.GT, lo)).reduceLanes(VectorOperators.MAX);
        // NaN where either is NaN (or +Inf meets -Inf, where the maximum is +Inf anyway).
        FloatVector both = lo.add(hi);
        if (!(Math.abs(max) < SHIFT_LIMIT) || both.compare(VectorOperators.NE, both).anyTrue()) {
            return false;
        }
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector vshift = FloatVector.broadcast(S, -(max * LOG2E) - 1f);
        FloatVector vmagic = FloatVector.broadcast(S, ROUND_MAGIC + 1f);
        IntVector lowest = FloatVector.broadcast(S, -EXPONENT_BIAS - 1f).reinterpretAsInts();
        FloatVector c1 = FloatVector.broadcast(S, EXP2_C1);
        FloatVector c2 = FloatVector.broadcast(S, EXP2_C2);
        FloatVector c3 = FloatVector.broadcast(S, EXP2_C3);
        FloatVector c4 = FloatVector.broadcast(S, EXP2_C4);
        FloatVector c5 = FloatVector.broadcast(S, EXP2_C5);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector t0 = lo.fma(log2e, vshift).reinterpretAsInts().min(lowest).reinterpretAsFloats();
        FloatVector t1 = hi.fma(log2e, vshift).reinterpretAsInts().min(lowest).reinterpretAsFloats();
        FloatVector kk0 = t0.add(vmagic);
        FloatVector kk1 = t1.add(vmagic);
        FloatVector f0 = t0.sub(kk0.sub(vmagic));
        FloatVector f1 = t1.sub(kk1.sub(vmagic));
        FloatVector q0 = f0.fma(c5, c4).fma(f0, c3).fma(f0, c2).fma(f0, c1).fma(f0, one);
        FloatVector q1 = f1.fma(c5, c4).fma(f1, c3).fma(f1, c2).fma(f1, c1).fma(f1, one);
        FloatVector e0 = q0.reinterpretAsInts().add(kk0.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS))
                .reinterpretAsFloats();
        FloatVector e1 = q1.reinterpretAsInts().add(kk1.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS))
                .reinterpretAsFloats();
        // Lanes of hi below 2L - n repeat lanes of lo: counted once.
        FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
        FloatVector sum = e0.add(e1.blend(FloatVector.zero(S), lane.compare(VectorOperators.LT, (float) (2 * L - n))));
        for (VectorShuffle<Float> step : VectorWidth.LANE_SUM) {
            sum = sum.add(sum.rearrange(step));
        }
        FloatVector inv = FloatVector.broadcast(S, 1f / sum.lane(0));
        e0.mul(inv).intoArray(out, outOff);
        e1.mul(inv).intoArray(out, outOff + n - L);
        return true;
    }
}
