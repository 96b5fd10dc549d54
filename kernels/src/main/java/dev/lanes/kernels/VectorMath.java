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
     * 2 tanh(a/2) = a + a^3 G(a^2) with G = (A0 + A1 u + A2 u^2) / (1 + B1 u + B2 u^2) on 0 <= a <= TANH_ONE:
     * fitted for the error it causes in tanh(a) after the double-angle step (the relative error of G
     * weighted by the share of the a^3 term and by the damping of that step), 0.23 ulp before rounding.
     */
    private static final float TANH_A0 = -0x1.555544p-4f;
    private static final float TANH_A1 = -0x1.ff0112p-11f;
    private static final float TANH_A2 = -0x1.2af3f4p-24f;
    private static final float TANH_B1 = 0x1.c980e4p-4f;
    private static final float TANH_B2 = 0x1.13a81ep-10f;
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
     * {@code out[i] = tanh(x[i])} for {@code i < n}, {@code n >= L}: at most 4 ulp from the correctly
     * rounded result over all floats (measured on every float from 2^-14 to 9.2: at most 2.46 ulp,
     * the worst near 0.0625); exactly odd, {@code ±1} from {@code |x| >= 9.010914} (where tanh rounds
     * to 1), {@code tanh(±0) = ±0}, tiny and subnormal x unchanged, {@code tanh(±Inf) = ±1}, NaN to NaN.
     *
     * <p>With {@code a = min(|x|, 9.010914)}: {@code h = 2 tanh(a/2)} from a small rational, then the
     * double-angle formula {@code tanh(a) = h / (1 + h^2/4)} and the sign of x. No exp; eighteen
     * vector operations, two of them divisions.
     */
    static void tanh(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector quarter = FloatVector.broadcast(S, 0.25f);
        FloatVector cap = FloatVector.broadcast(S, TANH_ONE);
        FloatVector a0 = FloatVector.broadcast(S, TANH_A0);
        FloatVector a1 = FloatVector.broadcast(S, TANH_A1);
        FloatVector a2 = FloatVector.broadcast(S, TANH_A2);
        FloatVector b1 = FloatVector.broadcast(S, TANH_B1);
        FloatVector b2 = FloatVector.broadcast(S, TANH_B2);
        for (int i = 0; i < n; i += L) {
            int p = Math.min(i, n - L);
            FloatVector xv = FloatVector.fromArray(S, x, xOff + p);
            // NaN fails the compare and propagates.
            FloatVector a = xv.abs();
            a = a.blend(cap, a.compare(VectorOperators.GT, cap));
            FloatVector u = a.mul(a);
            FloatVector g = u.fma(a2, a1).fma(u, a0).div(u.fma(b2, b1).fma(u, one));
            // The a^3 term is small against a where it is least accurate (small a), and the
            // double-angle step damps the error of h by (1 - t^2) / (1 + t^2) where it is not (large a).
            FloatVector h = a.mul(u).fma(g, a);
            FloatVector t = h.div(h.mul(quarter).fma(h, one));
            // At 9.010914, 2 tanh(a/2) is halfway between two floats: the formula alone can give 1 - 2^-24.
            t = t.blend(one, a.compare(VectorOperators.GE, cap));
            // t >= 0 (or NaN): the sign bit of x makes the result exactly odd and keeps tanh(-0) = -0.
            t = t.reinterpretAsInts()
                    .lanewise(VectorOperators.OR, xv.reinterpretAsInts().lanewise(VectorOperators.AND, SIGN_BIT))
                    .reinterpretAsFloats();
            FloatVector.fromArray(S, out, outOff + p).blend(t, lane.compare(VectorOperators.GE, i - p))
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
            a = a > TANH_ONE ? TANH_ONE : a;
            float u = a * a;
            float g = Math.fma(Math.fma(u, TANH_A2, TANH_A1), u, TANH_A0)
                    / Math.fma(Math.fma(u, TANH_B2, TANH_B1), u, 1f);
            float h = Math.fma(a * u, g, a);
            float t = h / Math.fma(h * 0.25f, h, 1f);
            t = a >= TANH_ONE ? 1f : t;
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
     * sums, then across lanes). At most 2 ulp from the correctly rounded result (measured: 1.05 ulp);
     * results below 2^-126 (arguments below about -87.34) flush to 0, an absolute error below 1.2e-38;
     * NaN to NaN.
     */
    static float expShiftedAndSum(int n, float[] x, int xOff, float shift, float[] out, int outOff) {
        FloatVector lane = FloatVector.fromArray(S, LANE_INDEX, 0);
        FloatVector zero = FloatVector.zero(S);
        FloatVector vshift = FloatVector.broadcast(S, shift);
        // The exponent bias is folded into the rounding constant, so t's bits shifted are 2^k itself.
        float magic = ROUND_MAGIC + EXPONENT_BIAS;
        FloatVector vmagic = FloatVector.broadcast(S, magic);
        FloatVector lowest = FloatVector.broadcast(S, -EXPONENT_BIAS * LN2);
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI);
        FloatVector ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector c2 = FloatVector.broadcast(S, EXP_C2);
        FloatVector c3 = FloatVector.broadcast(S, EXP_C3);
        FloatVector c4 = FloatVector.broadcast(S, EXP_C4);
        FloatVector c5 = FloatVector.broadcast(S, EXP_C5);
        FloatVector c6 = FloatVector.broadcast(S, EXP_C6);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector sum = zero;
        for (int i = 0; i < n; i += L) {
            int p = Math.min(i, n - L);
            FloatVector y = FloatVector.fromArray(S, x, xOff + p).sub(vshift);
            // NaN fails the compare and propagates through the arithmetic.
            y = y.blend(lowest, y.compare(VectorOperators.LT, lowest));
            FloatVector t = y.fma(log2e, vmagic);
            FloatVector k = t.sub(vmagic);
            FloatVector r = k.fma(ln2hi, y);
            r = k.fma(ln2lo, r);
            FloatVector q = r.fma(c6, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one);
            FloatVector e = q.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats());
            FloatVector.fromArray(S, out, outOff + p).blend(e, lane.compare(VectorOperators.GE, i - p))
                    .intoArray(out, outOff + p);
            // Lanes the previous block already counted are zeroed before adding.
            sum = sum.add(e.blend(zero, lane.compare(VectorOperators.LT, i - p)));
        }
        for (VectorShuffle<Float> step : VectorKernels.LANE_SUM) {
            sum = sum.add(sum.rearrange(step));
        }
        return sum.lane(0);
    }
}
