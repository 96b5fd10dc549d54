package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Dataset#featureBound}: no feature above it, kept through subsets, splits and scaling. */
class DatasetTest {
    @Test
    void featureBoundIsTheLargestMagnitudeOrNan() {
        float[] x = {0.5f, -7.25f, 3f, 0f, -0f, 7f};
        Dataset d = new Dataset("d", x, new int[] {0, 1, 0}, 2, 2);
        assertEquals(7.25f, d.featureBound());
        x[1] = 0f;
        assertEquals(7.25f, d.featureBound(), "the data set holds its own copy");
        assertEquals(0f, new Dataset("zeros", new float[4], new int[] {0, 0}, 2, 1).featureBound());
        assertEquals(Float.POSITIVE_INFINITY, new Dataset("inf", new float[] {1f, Float.NEGATIVE_INFINITY},
                new int[] {0}, 2, 1).featureBound());
        for (int at = 0; at < 3; at++) {
            float[] withNan = {1f, 100f, 2f};
            withNan[at] = Float.NaN;
            assertTrue(Float.isNaN(new Dataset("nan", withNan, new int[] {0, 0, 0}, 1, 1).featureBound()),
                    "NaN at " + at);
        }
    }

    @Test
    void subsetsAndScalingKeepABoundThatHolds() {
        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[300 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 1e3);
        }
        int[] labels = new int[300];
        Dataset all = new Dataset("all", x, labels, 5, 1);
        for (Dataset part : all.split(0.3, 9)) {
            assertEquals(all.featureBound(), part.featureBound(), part.name());
            assertHolds(part);
        }
        for (float max : new float[] {1f, 3f, 255f, 0.1f, 7e-30f}) {
            Dataset scaled = all.scaled(max);
            assertEquals(all.featureBound() * (1f / max), scaled.featureBound(), "max " + max);
            assertHolds(scaled);
            assertTrue(scaled.featureBound() < Float.POSITIVE_INFINITY || max < 1e-20f, "max " + max);
        }
    }

    private static void assertHolds(Dataset d) {
        for (float v : d.featuresArray()) {
            assertTrue(Math.abs(v) <= d.featureBound(), d.name() + ": " + v + " above " + d.featureBound());
        }
    }
}
