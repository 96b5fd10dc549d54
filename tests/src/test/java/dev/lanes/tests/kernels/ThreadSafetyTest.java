package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Kernels hold no mutable state: many threads at once get exactly the single-threaded results. */
class ThreadSafetyTest {
    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    /** One task's inputs and the results computed alone on the main thread. */
    private static final class Task {
        final int m;
        final int n;
        final float[] a;
        final float[] x;
        final float[] gemv;
        final float[] softmax;
        final float[] tanh;
        final float dot;

        Task(Kernels k, int seed) {
            SplittableRandom r = new SplittableRandom(seed);
            m = 1 + r.nextInt(40);
            n = 1 + r.nextInt(300);
            a = new float[m * n];
            x = new float[n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextDouble(-1, 1);
            }
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextDouble(-3, 3);
            }
            gemv = new float[m];
            softmax = new float[n];
            tanh = new float[n];
            run(k, gemv, softmax, tanh);
            dot = k.dot(n, x, 0, x, 0);
        }

        void run(Kernels k, float[] g, float[] s, float[] t) {
            k.gemv(m, n, 1f, a, 0, n, x, 0, 0f, g, 0);
            k.softmax(n, x, 0, s, 0);
            k.tanh(n, x, 0, t, 0);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void concurrentCallsMatchSequentialResults(Kernels k) throws Exception {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            tasks.add(new Task(k, i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int start = t;
                Callable<Integer> job = () -> {
                    int checked = 0;
                    for (int rep = 0; rep < 50; rep++) {
                        Task task = tasks.get((start * 7 + rep) % tasks.size());
                        float[] g = new float[task.m];
                        float[] s = new float[task.n];
                        float[] th = new float[task.n];
                        task.run(k, g, s, th);
                        assertArrayEquals(task.gemv, g);
                        assertArrayEquals(task.softmax, s);
                        assertArrayEquals(task.tanh, th);
                        assertEquals(task.dot, k.dot(task.n, task.x, 0, task.x, 0));
                        checked++;
                    }
                    return checked;
                };
                futures.add(pool.submit(job));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            assertEquals(8 * 50, total);
        } finally {
            pool.shutdownNow();
        }
    }
}
