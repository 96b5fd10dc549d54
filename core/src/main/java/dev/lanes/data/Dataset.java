package dev.lanes.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * A labelled classification dataset held in memory: {@code size()} samples of {@code features()}
 * floats each, stored row-major in one array, and an integer label in {@code [0, classes())} per
 * sample. Immutable after construction (the arrays are copied in and never handed out).
 */
public final class Dataset {
    private final String name;
    private final float[] x;
    private final int[] labels;
    private final int features;
    private final int classes;
    /** See {@link #featureBound}. */
    private final float featureBound;
    /** Tells the private constructor to find {@link #featureBound} itself. */
    private static final float MEASURE = -1f;

    /**
     * @param name a short description for messages (a file name, "digits", ...)
     * @param x row-major samples, {@code labels.length * features} floats
     * @param labels one label per sample, each in {@code [0, classes)}
     * @param features floats per sample, at least 1
     * @param classes number of classes, at least 1
     */
    public Dataset(String name, float[] x, int[] labels, int features, int classes) {
        this(name, x, labels, features, classes, false, MEASURE);
    }

    /**
     * With {@code owned}, the arrays are the caller's fresh ones and are kept, not copied: the
     * readers and the methods below build a data set from arrays nobody else holds. For
     * Fashion-MNIST each copy of the training images is 188 MB of fresh memory, and first touching
     * it cost about 0.8 s of page faults on the reference machine. {@code featureBound} is {@link
     * #MEASURE} or one that the caller knows to hold for every feature.
     */
    private Dataset(String name, float[] x, int[] labels, int features, int classes, boolean owned,
                    float featureBound) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(labels, "labels");
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        if ((long) labels.length * features != x.length) {
            throw new IllegalArgumentException("x has " + x.length + " floats, expected labels.length " + labels.length
                    + " * features " + features);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, " + classes + ")");
            }
        }
        this.x = owned ? x : x.clone();
        this.labels = owned ? labels : labels.clone();
        this.features = features;
        this.classes = classes;
        this.featureBound = featureBound == MEASURE ? largestMagnitude(this.x) : featureBound;
    }

    /** The largest {@code |v|} in {@code v}; NaN if some element is NaN. */
    static float largestMagnitude(float[] v) {
        float max = 0f;
        for (float e : v) {
            max = Math.max(max, Math.abs(e)); // keeps a NaN once met
        }
        return max;
    }

    /**
     * No feature's magnitude is above this: the largest {@code |x|} for data given as arrays, and for
     * data from a reader or derived from another data set an upper bound (a reader of 8-bit images
     * gives the largest value a byte could hold, a subset its parent's bound). NaN if some feature is
     * NaN. The trainer bounds a batch's gradient with it instead of reading the batch.
     */
    public float featureBound() {
        return featureBound;
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int features() {
        return features;
    }

    public int classes() {
        return classes;
    }

    public int label(int i) {
        return labels[Objects.checkIndex(i, labels.length)];
    }

    /** Copies sample {@code i} into {@code dst[dstOff .. dstOff + features())}. */
    public void copyFeatures(int i, float[] dst, int dstOff) {
        Objects.checkIndex(i, labels.length);
        System.arraycopy(x, i * features, dst, dstOff, features);
    }

    /** The underlying row-major feature array, for read-only use by hot loops (do not modify). */
    public float[] featuresArray() {
        return x;
    }

    /** Writes the one-hot encoding of sample {@code i}'s label into {@code dst[dstOff .. dstOff + classes())}. */
    public void oneHot(int i, float[] dst, int dstOff) {
        Arrays.fill(dst, dstOff, dstOff + classes, 0f);
        dst[dstOff + label(i)] = 1f;
    }

    /** The samples at the given indices, in that order. */
    public Dataset subset(String newName, int[] indices) {
        float[] nx = new float[indices.length * features];
        int[] nl = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], labels.length);
            System.arraycopy(x, i * features, nx, k * features, features);
            nl[k] = labels[i];
        }
        return owning(newName, nx, nl, features, classes, featureBound);
    }

    /** The check of a scale's {@code max}, shared by {@link #scaled} and the readers that scale as they read. */
    static void checkMax(float max) {
        if (!(max > 0) || Float.isInfinite(max)) {
            throw new IllegalArgumentException("max must be positive and finite, got " + max);
        }
    }

    /** A data set that keeps these arrays, which no one else may hold or change. */
    static Dataset owning(String name, float[] x, int[] labels, int features, int classes) {
        return new Dataset(name, x, labels, features, classes, true, MEASURE);
    }

    /** {@link #owning} where every feature is known to be at most {@code featureBound} in magnitude. */
    static Dataset owning(String name, float[] x, int[] labels, int features, int classes, float featureBound) {
        if (!(featureBound >= 0) && !Float.isNaN(featureBound)) {
            throw new IllegalArgumentException("featureBound must be >= 0 or NaN, got " + featureBound);
        }
        return new Dataset(name, x, labels, features, classes, true, featureBound);
    }

    /**
     * A seeded random split: the first part has {@code round(size * (1 - fraction))} samples, the
     * second the rest. The same seed gives the same split.
     */
    public Dataset[] split(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1), got " + fraction);
        }
        int[] order = permutation(size(), new Random(seed));
        int second = (int) Math.round(size() * fraction);
        int first = size() - second;
        return new Dataset[] {
            subset(name + " (train)", Arrays.copyOfRange(order, 0, first)),
            subset(name + " (held out)", Arrays.copyOfRange(order, first, size()))
        };
    }

    /** Scales every feature by {@code 1 / max} (for pixel data: 255 or 16), giving values in [0, 1]. */
    public Dataset scaled(float max) {
        checkMax(max);
        float[] nx = new float[x.length];
        float inv = 1f / max;
        for (int i = 0; i < nx.length; i++) {
            nx[i] = x[i] * inv;
        }
        // Rounding is monotonic, so |x| <= bound gives |x * inv| <= bound * inv, both rounded alike.
        return owning(name, nx, labels, features, classes, featureBound * inv);
    }

    /** Fisher-Yates permutation of {@code 0..n-1} from the given generator. */
    public static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public String toString() {
        return name + ": " + size() + " samples, " + features + " features, " + classes + " classes";
    }
}
