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
     * tanh(x) = x + x^3 * (T3 + x^2 * (T5 + x^2 * (T7 + x^2 * (T9 + x^2 * T11)))) for |x| < TANH_SMALL:
     * minimax for relative error, 4.4e-9 (0.07 ulp) before rounding.
     */
    private static final float TANH_SMALL = 0.625f;
    private static final float TANH_T3 = -3.333328068e-01f;
    private static final float TANH_T5 = 1.333144158e-01f;
    private static final float TANH_T7 = -5.373971164e-02f;
    private static final float TANH_T9 = 2.063907497e-02f;
    private static final float TANH_T11 = -5.704974290e-03f;
    /**
     * tanh rounds to 1 from |x| = 13 ln 2 = 9.0109; clamping a little above keeps exp(2|x|) finite and
     * 2 / (exp(2|x|) + 1) below half an ulp of 1.
     */
    private static final float TANH_SATURATE = 9.1f;

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
     * over every float: at most 1.37 ulp, the worst just above 0.625); exactly odd, {@code ±1} from {@code |x| >= 9.0109},
     * {@code tanh(±0) = ±0}, {@code tanh(±Inf) = ±1}, NaN to NaN.
     *
     * <p>Below {@code |x| = 0.625} an odd polynomial {@code x * (1 + x^2 P(x^2))}, which returns tiny
     * and subnormal x unchanged; above, {@code 1 - 2 / (exp(2|x|) + 1)} with |x| clamped at 9.1, then
     * the sign of x.
     */
    static FloatVector tanh(FloatVector x) {
        // The polynomial on x itself is exactly odd, and x * (1 + ...) keeps tanh(-0) = -0.
        FloatVector x2 = x.mul(x);
        FloatVector p = fma(x2, TANH_T11, TANH_T9);
        p = fma(p, x2, TANH_T7);
        p = fma(p, x2, TANH_T5);
        p = fma(p, x2, TANH_T3);
        FloatVector small = fma(x2, p, 1f).mul(x);

        FloatVector a = x.abs();
        FloatVector y = a.blend(TANH_SATURATE, a.compare(VectorOperators.GT, TANH_SATURATE));
        // exp(2y) = 2^k * exp(r), k in [2, 27]: no range handling needed.
        FloatVector t = fma(y, 2 * LOG2E, ROUND_MAGIC);
        FloatVector k = t.sub(ROUND_MAGIC);
        FloatVector r = fma(k, -LN2_HI, y.add(y));
        r = fma(k, -LN2_LO, r);
        FloatVector e = expPolynomial(r).mul(powerOfTwo(t));
        FloatVector large = x.broadcast(-2f).div(e.add(1f)).add(1f);
        // Sign by blend rather than by bits: large is never a zero, and NaN fails the compare.
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        return large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
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
     * sech^2 of each lane, {@code 4e / (1 + e)^2} with {@code e = exp(-2|x|)}: absolute error at most
     * 2^-21, relative error at most 2^-19 where the result is a normal float (measured over every float:
     * 2^-22.5 and 2^-21.6); 0 for large |x|, NaN to NaN.
     */
    static FloatVector sech2(FloatVector x) {
        FloatVector e = exp(x.abs().mul(-2f));
        FloatVector d = e.add(1f);
        return e.mul(4f).div(d.mul(d));
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

    /** 2^k as a float from t = k + ROUND_MAGIC, for k in the normal exponent range. */
    private static FloatVector powerOfTwo(FloatVector t) {
        return t.reinterpretAsInts().lanewise(VectorOperators.LSHL, MANTISSA_BITS).add(ONE_BITS).reinterpretAsFloats();
    }
}
