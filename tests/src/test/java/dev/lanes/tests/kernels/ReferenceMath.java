package dev.lanes.tests.kernels;

/** Double-precision references and the error bounds that the kernels document. */
final class ReferenceMath {
    /** 2^-23: the float machine epsilon, as the bounds in Kernels' Javadoc use it. */
    static final double EPS = Math.ulp(1f);

    private ReferenceMath() {
    }

    static double dot(int n, float[] x, int xo, float[] y, int yo) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xo + i] * y[yo + i];
        }
        return s;
    }

    static double absDot(int n, float[] x, int xo, float[] y, int yo) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs((double) x[xo + i] * y[yo + i]);
        }
        return s;
    }

    /** Distance in units in the last place between two floats of the same sign (or both zero). */
    static long ulpDistance(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        int ia = Float.floatToRawIntBits(a);
        int ib = Float.floatToRawIntBits(b);
        long la = ia < 0 ? -(long) (ia & 0x7fffffff) : ia;
        long lb = ib < 0 ? -(long) (ib & 0x7fffffff) : ib;
        return Math.abs(la - lb);
    }
}
