package dev.lanes.nn;

/**
 * Upper bounds on the norm of a step's summed gradient that read only the errors, for the trainer's
 * check that the step stays far from float overflow. Layer by layer, {@code |Delta^T X| <= |Delta|
 * |X|} (Cauchy-Schwarz, Frobenius norms) and the bias gradient's norm is at most {@code sqrt(rows)
 * |Delta|}. The inputs are not read: the first layer's are bounded by the data set's {@link
 * dev.lanes.data.Dataset#featureBound}, {@code |X|^2 <= rows in bound^2}, and a hidden layer's by
 * its activation where that keeps them within 2 ({@link Activation#outputsWithinOne}); only the
 * others are read. The bound is looser than one measured from the inputs, which matters only near
 * the end of the float range.
 */
final class NormBounds {
    private NormBounds() {
    }

    /**
     * The bound for {@code rows} samples, their errors {@code delta[l]} and hidden activations {@code
     * a[l]} stored row-major from index 0, the first layer's inputs at most {@code featureBound} in
     * magnitude. Infinite or NaN where none is found (a NaN feature bound, a NaN error), and infinite
     * where a layer's squared error or input norm reaches {@code factorLimit}: a caller that measures
     * those two factors as separate float dot products needs each of them finite too.
     */
    static double quick(Network net, int rows, float featureBound, float[][] delta, float[][] a, double factorLimit) {
        double sum = 0;
        for (int l = 0; l < net.layers(); l++) {
            int in = net.width(l);
            double d = squares(rows * net.width(l + 1), delta[l]);
            double x;
            if (l == 0) {
                x = (double) rows * in * featureBound * featureBound;
            } else if (net.activation(l - 1).outputsWithinOne()) {
                x = (double) rows * in * 4;
            } else {
                x = squares(rows * in, a[l - 1]);
            }
            if (!(d < factorLimit && x < factorLimit)) {
                return Double.POSITIVE_INFINITY;
            }
            sum += d * x + rows * d;
        }
        return Math.sqrt(sum);
    }

    /**
     * At least {@code v[0 .. n)}'s squared norm: summed in double on this thread, then enlarged by
     * {@code (n + 1) 2^-51}. Each square is exact in double (a float's 24 significant bits squared
     * take 48), the additions of non-negative terms lose at most {@code n 2^-53} of the sum, and the
     * margin's own multiplication rounds by at most {@code 2^-53}. Four sums side by side keep the adds
     * from waiting on each other.
     */
    static double squares(int n, float[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i <= n - 4; i += 4) {
            double v0 = v[i];
            double v1 = v[i + 1];
            double v2 = v[i + 2];
            double v3 = v[i + 3];
            s0 += v0 * v0;
            s1 += v1 * v1;
            s2 += v2 * v2;
            s3 += v3 * v3;
        }
        for (; i < n; i++) {
            double v0 = v[i];
            s0 += v0 * v0;
        }
        return ((s0 + s1) + (s2 + s3)) * (1 + (n + 1) * 0x1p-51);
    }
}
