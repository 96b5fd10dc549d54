package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.BITS;
import static dev.lanes.kernels.VectorKernels.L;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API objects of the vector backend's width: its species {@link #S} and the lane-sum
 * steps. Apart from {@link VectorKernels} so that choosing the backend, and running only kernels that
 * stay scalar at their sizes (the embedded digits' 64-32-10 network), loads and initialises none of the
 * Vector API's vector classes: {@link VectorKernels#L} and {@link VectorKernels#BITS} are plain ints,
 * and this class is initialised by the first vector loop that runs.
 */
final class VectorWidth {
    /** One species of {@link VectorKernels#L} lanes, fixed for the JVM's lifetime so that C2 folds it into every loop. */
    static final VectorSpecies<Float> S = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));

    /**
     * The one order in which the vector backend adds the lanes of an accumulator, for any lane
     * count: a balanced pairwise tree over the lane indices. At 4 lanes {@code (l0 + l1) + (l2 + l3)};
     * at 8 {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))}; at 16 the two 8-lane trees of
     * lanes 0-7 and 8-15, added. Step k adds to every lane the lane {@code 2^k} places away (lane
     * {@code i ^ 2^k}); after log2(L) steps every lane holds the tree's sum. Each site reads it as
     *
     * <pre>{@code
     * for (VectorShuffle<Float> step : LANE_SUM) acc = acc.add(acc.rearrange(step));
     * float sum = acc.lane(0);
     * }</pre>
     *
     * written out there rather than in a method of ours, which would take a vector (see {@link
     * VectorKernels}). The same pairs are added whether the code is interpreted or compiled, so a
     * kernel's bits never depend on the JIT; {@code reduceLanes(ADD)} gives no such promise, and JDK 25's C2
     * adds in another order than its interpreter.
     */
    static final VectorShuffle<Float>[] LANE_SUM = laneSumSteps();

    private VectorWidth() {
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] laneSumSteps() {
        VectorShuffle<Float>[] steps = new VectorShuffle[Integer.numberOfTrailingZeros(L)];
        for (int k = 0; k < steps.length; k++) {
            int distance = 1 << k;
            steps[k] = VectorShuffle.fromOp(S, i -> i ^ distance);
        }
        return steps;
    }
}
