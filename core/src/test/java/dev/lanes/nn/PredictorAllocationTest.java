package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernels.Kernels;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A predictor's calls allocate nothing once warm when the caller passes the output arrays: single
 * rows, top-k, and rows in blocks (flat and one array per row). Runs in the allocation test's own JVM
 * (see the pom), like {@link AllocationTest}.
 */
class PredictorAllocationTest {
    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void allocationCounting() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "this JVM does not count allocated bytes");
        threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
    }

    private static long allocated() {
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void callsWithOutputArraysAllocateNothing(String backend) {
        int n = 40;
        int k = 7;
        int m = Predictor.BLOCK_ROWS + 9;
        Predictor p = Predictor.of(PredictorTest.network(new int[] {n, 24, k}, "tanh,softmax", 1), 255f,
                Kernels.named(backend));
        float[] x = PredictorTest.rawRows(m, n, 2);
        float[][] rows = new float[m][];
        for (int r = 0; r < m; r++) {
            rows[r] = java.util.Arrays.copyOfRange(x, r * n, r * n + n);
        }
        float[] out = new float[m * k];
        float[][] outRows = new float[m][k];
        int[] classes = new int[m];
        int[] top = new int[3];
        float[] scores = new float[3];
        long least = Long.MAX_VALUE;
        int sink = 0;
        // Steady state begins once C2 has compiled every kernel on the way, the gemm tile's epilogue
        // last (until then it boxes vectors: 18 KB per call here, after 400 rounds on a busy machine),
        // so rounds go on until one is clean or a minute has passed.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (least != 0 && System.nanoTime() < deadline) {
            long before = allocated();
            for (int r = 0; r < m; r++) {
                p.predict(x, r * n, out, r * k);
                p.predict(rows[r], outRows[r]);
                sink += p.classify(rows[r]) + p.classify(x, r * n);
                p.topK(rows[r], 3, top, scores);
            }
            p.predictRows(m, x, 0, out, 0);
            p.predictRows(rows, outRows);
            p.classifyRows(m, x, 0, classes, 0);
            p.classifyRows(rows, classes);
            least = Math.min(least, allocated() - before);
        }
        assertTrue(sink >= 0);
        assertEquals(0, least, "bytes allocated by " + m + " rows of every call");
    }
}
