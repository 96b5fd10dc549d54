package dev.lanes.kernels;

import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Elementwise math on whole vectors for {@link VectorKernels}, built only from plain lanewise
 * arithmetic (FMA, compare and blend, integer shifts on the float bits), so it works for any species
 * and compiles to straight-line SIMD code instead of calls to the JDK's short-vector math library.
 *
 * <p>Every function takes the species of its argument; constants are broadcast per call, which C2
 * hoists out of loops. The error bounds below assume hardware FMA ({@link #FMA}); they are measured
 * by sweeping the float range against {@code Math} in double (see {@code VectorMathTest}).
 */
final class VectorMath {
    /** Whether the CPU has fused multiply-add; without it, Vector API fma is emulated and very slow. */
    static final boolean FMA = detectFma();

    /** Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    private static final float ROUND_MAGIC = 0x1.8p23f;
    private static final float LOG2E = 0x1.715476p0f;
    /** ln 2 in two parts (Cody-Waite); the high part has few bits so k * LN2_HI is exact even without FMA. */
    private static final float LN2_HI = 0x1.63p-1f;
    private static final float LN2_LO = -0x1.bd0106p-13f;
    /** The exponent bits of 1.0f. */
    private static final int ONE_BITS = 0x3f80_0000;
    private static final int MANTISSA_BITS = 23;
    private static final int EXPONENT_BIAS = 127;
    private static final float LN2 = 0x1.62e43p-1f;

    /*
     * exp(r) = 1 + r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * C6))))) on |r| <= ln2 / 2:
     * minimax for relative error, 2.0e-9 (0.03 ulp) before rounding.
     */
    private static final float EXP_C2 = 0x1.fffffcp-2f;
    private static final float EXP_C3 = 0x1.55541ap-3f;
    private static final float EXP_C4 = 0x1.555822p-5f;
    private static final float EXP_C5 = 0x1.126782p-7f;
    private static final float EXP_C6 = 0x1.6ae72ep-10f;
    /** Below this exp rounds to 0 (exp(-104) < 2^-150); also keeps k = round(x log2 e) >= -150. */
    private static final float EXP_MIN = -104f;
    /** Above this exp overflows (ln(Float.MAX_VALUE) = 88.7228); also keeps k <= 129. */
    private static final float EXP_MAX = 89f;

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

    private VectorMath() {
    }

    private static boolean detectFma() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null || !"false".equals(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    private static FloatVector fma(FloatVector a, FloatVector b, float c) {
        return FMA ? a.fma(b, a.broadcast(c)) : a.mul(b).add(c);
    }

    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return FMA ? a.fma(a.broadcast(b), c) : a.mul(b).add(c);
    }

    private static FloatVector fma(FloatVector a, float b, float c) {
        return FMA ? a.fma(a.broadcast(b), a.broadcast(c)) : a.mul(b).add(c);
    }

    /**
     * tanh of each lane: at most 4 ulp from the correctly rounded result over all floats (measured
     * every float from 2^-14 to 9.2: at most 2.46 ulp, the worst near 0.0625); exactly odd, {@code ±1} from {@code |x| >= 9.010914} (where
     * tanh rounds to 1), {@code tanh(±0) = ±0}, tiny and subnormal x unchanged, {@code tanh(±Inf) = ±1},
     * NaN to NaN.
     *
     * <p>With {@code a = min(|x|, 9.010914)}: {@code h = 2 tanh(a/2)} from a small rational, then the
     * double-angle formula {@code tanh(a) = h / (1 + h^2/4)} and the sign of x. No exp; eighteen
     * vector operations, two of them divisions.
     */
    static FloatVector tanh(FloatVector x) {
        // NaN fails the compare and propagates.
        FloatVector a = x.abs();
        a = a.blend(TANH_ONE, a.compare(VectorOperators.GT, TANH_ONE));
        FloatVector u = a.mul(a);
        FloatVector g = fma(fma(u, TANH_A2, TANH_A1), u, TANH_A0).div(fma(fma(u, TANH_B2, TANH_B1), u, 1f));
        // The a^3 term is small against a where it is least accurate (small a), and the double-angle
        // step damps the error of h by (1 - t^2) / (1 + t^2) where it is not (large a).
        FloatVector h = fma(a.mul(u), g, a);
        FloatVector t = h.div(fma(h.mul(0.25f), h, 1f));
        // At 9.010914, 2 tanh(a/2) is halfway between two floats, so the formula alone can give 1 - 2^-24.
        t = t.blend(1f, a.compare(VectorOperators.GE, TANH_ONE));
        // t >= 0 (or NaN): the sign bit of x makes the result exactly odd and keeps tanh(-0) = -0.
        return t.reinterpretAsInts()
                .lanewise(VectorOperators.OR, x.reinterpretAsInts().lanewise(VectorOperators.AND, SIGN_BIT))
                .reinterpretAsFloats();
    }

    /**
     * e^x of each lane: at most 2 ulp from the correctly rounded result (measured over every float:
     * at most 1.06 ulp), subnormal results included; {@code +Inf} from {@code x > 88.7228}, 0 below about -103.97,
     * {@code exp(-Inf) = 0}, {@code exp(+Inf) = +Inf}, NaN to NaN.
     *
     * <p>{@code x = k ln2 + r} with {@code |r| <= ln2 / 2}, a polynomial for e^r, and the scale 2^k
     * applied as two normal factors 2^(k/2) so that overflow and gradual underflow round once.
     */
    static FloatVector exp(FloatVector x) {
        // NaN fails both compares and propagates through the arithmetic.
        x = x.blend(EXP_MIN, x.compare(VectorOperators.LT, EXP_MIN));
        x = x.blend(EXP_MAX, x.compare(VectorOperators.GT, EXP_MAX));
        FloatVector t = fma(x, LOG2E, ROUND_MAGIC);
        FloatVector k = t.sub(ROUND_MAGIC);
        FloatVector r = fma(k, -LN2_HI, x);
        r = fma(k, -LN2_LO, r);
        // The low mantissa bits of t hold k (plus an even constant that the shifts drop).
        IntVector kBits = t.reinterpretAsInts();
        IntVector halfK = kBits.lanewise(VectorOperators.ASHR, 1).lanewise(VectorOperators.LSHL, MANTISSA_BITS);
        IntVector fullK = kBits.lanewise(VectorOperators.LSHL, MANTISSA_BITS);
        FloatVector scaleLow = halfK.add(ONE_BITS).reinterpretAsFloats();
        FloatVector scaleHigh = fullK.sub(halfK).add(ONE_BITS).reinterpretAsFloats();
        return expPolynomial(r).mul(scaleLow).mul(scaleHigh);
    }

    /**
     * e^x of each lane for {@code x <= 0}, as softmax needs: at most 2 ulp from the correctly rounded
     * result where that is a normal float (measured over every float: at most 1.05 ulp); results below the smallest
     * normal float 2^-126 (x below about -87.3) may be flushed to +0, an absolute error below 1.2e-38.
     * {@code exp(-Inf) = 0}, NaN to NaN; positive x above 1 are outside the contract.
     *
     * <p>Cheaper than {@link #exp}: no upper clamp and the scale 2^k applied as one factor.
     */
    static FloatVector expNonPositive(FloatVector x) {
        return expTimesPowerOfTwo(x, 0);
    }

    /**
     * sech^2 of each lane, {@code e4 / (1 + e4 / 4)^2} with {@code e4 = 4 exp(-2|x|)}: absolute error at
     * most 2^-21, relative error at most 2^-19 where the result is a normal float (measured over every
     * 4th float: 2^-22.5 and 2^-21.7); 0 for large |x|, NaN to NaN.
     */
    static FloatVector sech2(FloatVector x) {
        // 4 e^-2|x| rather than e^-2|x|: the flush to 0 then only hits results that are not normal floats.
        FloatVector e4 = expTimesPowerOfTwo(x.abs().mul(-2f), 2);
        FloatVector d = fma(e4, 0.25f, 1f);
        return e4.div(d.mul(d));
    }

    /**
     * e^x * 2^j for x <= 0 (and a little above), 0 where that is below 2^-126. The rounding constant
     * carries the exponent bias 127 + j, so the low bits of t are the biased exponent of 2^(k + j); the
     * clamp keeps that at least 0, and at 0 the scale factor is +0.
     */
    private static FloatVector expTimesPowerOfTwo(FloatVector x, int j) {
        float magic = ROUND_MAGIC + (EXPONENT_BIAS + j);
        float lowest = -(EXPONENT_BIAS + j) * LN2;
        // NaN fails the compare and propagates through the arithmetic.
        x = x.blend(lowest, x.compare(VectorOperators.LT, lowest));
        FloatVector t = fma(x, LOG2E, magic);
        FloatVector k = t.sub(magic);
        FloatVector r = fma(k, -LN2_HI, x);
        r = fma(k, -LN2_LO, r);
        FloatVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats();
        return expPolynomial(r).mul(scale);
    }

    /** e^r for |r| <= ln2 / 2 (a little beyond is harmless). */
    private static FloatVector expPolynomial(FloatVector r) {
        FloatVector q = fma(r, EXP_C6, EXP_C5);
        q = fma(q, r, EXP_C4);
        q = fma(q, r, EXP_C3);
        q = fma(q, r, EXP_C2);
        q = fma(q, r, 1f);
        return fma(q, r, 1f);
    }
}
