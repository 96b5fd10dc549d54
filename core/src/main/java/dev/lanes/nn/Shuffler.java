package dev.lanes.nn;

/**
 * The epochs' sample orders: a Fisher-Yates shuffle drawing from the generator that {@link
 * java.util.Random} documents (a 48-bit linear congruential generator, its seed scrambled the same
 * way, {@code nextInt(bound)} with the same rejection), so a seed gives the orders that {@code new
 * Random(seed)} gave before, bit for bit. It is written out here, in one small loop with no calls,
 * because the first epoch shuffles before anything has compiled it: through {@code Random}'s own
 * methods (an atomic update per draw) the interpreter took 5-13 ms for Fashion-MNIST's 60,000
 * samples, written out about 2.
 */
final class Shuffler {
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;
    private long seed;

    Shuffler(long seed) {
        this.seed = (seed ^ MULTIPLIER) & MASK;
    }

    /** Fills {@code order[0 .. n)} with {@code 0 .. n-1} in the generator's next random order. */
    void shuffle(int[] order, int n) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long s = seed;
        for (int i = n - 1; i > 0; i--) {
            int bound = i + 1;
            s = (s * MULTIPLIER + ADDEND) & MASK;
            int bits = (int) (s >>> 17);
            int j;
            if ((bound & -bound) == bound) {
                j = (int) ((bound * (long) bits) >> 31);
            } else {
                // Draws whose remainder would favour the small values are drawn again.
                for (int u = bits; u - (j = u % bound) + (bound - 1) < 0; u = (int) (s >>> 17)) {
                    s = (s * MULTIPLIER + ADDEND) & MASK;
                }
            }
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        seed = s;
    }
}
