package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lanes.data.Dataset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shuffler must give the orders of a Fisher-Yates shuffle drawing from {@code new Random(seed)}. */
class ShufflerTest {
    @Test
    void ordersAreThoseOfJavaUtilRandom() {
        // 70,000 samples redraw about once a shuffle (a draw is redrawn with probability bound / 2^31).
        for (int n : new int[] {1, 2, 3, 16, 17, 1000, 70_000}) {
            for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
                Random random = new Random(seed);
                Shuffler shuffler = new Shuffler(seed);
                int[] actual = new int[n];
                for (int epoch = 0; epoch < 3; epoch++) {
                    // The trainer's orders before the shuffler: Fisher-Yates on Random, as Dataset.permutation does.
                    int[] expected = Dataset.permutation(n, random);
                    shuffler.shuffle(actual, n);
                    assertArrayEquals(expected, actual, "n " + n + ", seed " + seed + ", epoch " + epoch);
                }
            }
        }
    }
}
