package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Multi-threaded kernels give bit-identical results to the single-threaded ones, whatever the executor does. */
class ParallelKernelsTest {
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "parallel-kernels-test");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    /** Runs the four split kernels on {@code k} and returns their outputs, concatenated per kernel. */
    private static float[][] runAll(Kernels k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[8][];
        int[][] gemmShapes = {{33, 129, 131}, {129, 33, 127}, {2, 1000, 300}, {1000, 7, 70}};
        int slot = 0;
        for (int[] s : gemmShapes) {
            int m = s[0];
            int n = s[1];
            int kk = s[2];
            boolean ta = slot % 2 == 1;
            boolean tb = slot == 2;
            float[] a = random(r, m * kk);
            float[] b = random(r, kk * n);
            float[] c = random(r, m * n);
            k.gemm(ta, tb, m, n, kk, 1.5f, a, 0, ta ? m : kk, b, 0, tb ? kk : n, 0.5f, c, 0, n);
            out[slot++] = c;
        }
        int m = 1001;
        int n = 1003;
        float[] a = random(r, m * n);
        float[] x = random(r, n);
        float[] y = random(r, m);
        k.gemv(m, n, 1f, a, 0, n, x, 0, 0.25f, y, 0);
        out[slot++] = y;
        float[] xt = random(r, m);
        float[] yt = random(r, n);
        k.gemvT(m, n, 1f, a, 0, n, xt, 0, 0f, yt, 0);
        out[slot++] = yt;
        k.ger(m, n, 0.5f, xt, 0, yt, 0, a, 0, n);
        out[slot++] = a;
        out[slot] = new float[0];
        return out;
    }

    private static void assertSameResults(float[][] want, float[][] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i], got[i], what + ": output " + i + " differs from the single-threaded result");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bitIdenticalToSingleThreaded(Kernels k) {
        float[][] want = runAll(k, 42);
        for (int threads : new int[] {2, 3, 4, 7}) {
            assertSameResults(want, runAll(k.withExecutor(pool, threads), 42), k + " on " + threads + " threads");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void callerFinishesWhenTheExecutorRejectsOrDropsTasks(Kernels k) {
        float[][] want = runAll(k, 7);
        Executor rejecting = task -> {
            throw new RejectedExecutionException("full");
        };
        Executor dropping = task -> { };
        assertSameResults(want, runAll(k.withExecutor(rejecting, 4), 7), "rejecting executor");
        assertSameResults(want, runAll(k.withExecutor(dropping, 4), 7), "dropping executor");
    }

    @Test
    void callsFromInsideThePoolDoNotDeadlock() throws Exception {
        Kernels k = Kernels.vector().withExecutor(pool, 3);
        float[][] want = runAll(Kernels.vector(), 3);
        Future<?>[] fs = new Future<?>[3];
        for (int i = 0; i < fs.length; i++) {
            fs[i] = pool.submit(() -> assertSameResults(want, runAll(k, 3), "nested"));
        }
        for (Future<?> f : fs) {
            f.get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(NullPointerException.class, () -> Kernels.scalar().withExecutor(null, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.scalar().withExecutor(pool, 0));
        assertTrue(e.getMessage().startsWith("parallelism"));
        assertSame(Kernels.scalar(), Kernels.scalar().withExecutor(pool, 1));
        assertSame(Kernels.vector(), Kernels.vector().withExecutor(pool, 4).withExecutor(pool, 1));
        assertTrue(Kernels.vector().withExecutor(pool, 2).describe().contains("2 threads"));
    }
}
