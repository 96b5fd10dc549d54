package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
                int[] expected = new int[n];
                int[] actual = new int[n];
                for (int epoch = 0; epoch < 3; epoch++) {
                    for (int i = 0; i < n; i++) {
                        expected[i] = i;
                    }
                    for (int i = n - 1; i > 0; i--) {
                        int j = random.nextInt(i + 1);
                        int t = expected[i];
                        expected[i] = expected[j];
                        expected[j] = t;
                    }
                    shuffler.shuffle(actual, n);
                    assertArrayEquals(expected, actual, "n " + n + ", seed " + seed + ", epoch " + epoch);
                }
            }
        }
    }
}
