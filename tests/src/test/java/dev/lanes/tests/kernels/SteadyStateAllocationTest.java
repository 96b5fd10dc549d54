package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.kernels.Kernels;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once compiled, no kernel allocates. Counts the bytes a thread allocates over many calls (not a
 * timing test); rounds are repeated until the JIT has compiled the loops, so a slow machine only
 * takes longer. A kernel whose vectors escape (for example a call that C2 did not inline) allocates
 * on every call and fails here.
 *
 * <p>Each backend is measured in a fresh JVM, as a service that calls lanes would run it: in the test
 * JVM, the hundreds of earlier tests leave C2 with profiles and compiled code from every backend and
 * shape, and the Vector API's allocation-free code depends on C2 inlining every vector operation.
 */
public class SteadyStateAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static Stream<Kernels> backends() {
        return Backs.stream();
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void kernelsAllocateNothingOnceCompiled(Kernels k) throws Exception {
        java.nio.file.Path javaBin = java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), SteadyStateAllocationTest.class.getName(), k.name())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), out);
        org.junit.jupiter.api.Assertions.assertTrue(out.contains("all kernels allocation-free"), out);
    }

    /** The probe, run in a fresh JVM: exits non-zero and names the call that still allocates. */
    public static void main(String[] args) {
        try {
            measure(Kernels.named(args[0]));
        } catch (AssertionError e) {
            System.out.println("FAILED: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("all kernels allocation-free");
    }

    private static void measure(Kernels k) {
        int n = 77;
        float[] x = new float[n];
        float[] y = new float[n];
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i - 38) / 7f;
            y[i] = 1f / (i + 1);
        }
        int m = 13;
        float[] a = new float[m * n];
        float[] col = new float[m];
        float[] c = new float[m * m];
        List<Runnable> calls = new ArrayList<>();
        calls.add(() -> k.dot(n, x, 0, y, 0));
        calls.add(() -> k.axpy(n, 1e-9f, x, 0, out, 0));
        calls.add(() -> k.mul(n, x, 0, y, 0, out, 0));
        calls.add(() -> k.add(n, x, 0, y, 0, out, 0));
        calls.add(() -> k.scale(n, 1f, out, 0));
        calls.add(() -> k.squaredError(n, x, 0, y, 0));
        calls.add(() -> k.squaredErrorGradient(n, x, 0, y, 0, out, 0));
        calls.add(() -> k.tanh(n, x, 0, out, 0));
        calls.add(() -> k.tanh(n, out, 0, out, 0));
        calls.add(() -> k.sech2(n, x, 0, out, 0));
        calls.add(() -> k.tanhGradFromOutput(n, y, 0, out, 0));
        calls.add(() -> k.softmax(n, x, 0, out, 0));
        calls.add(() -> k.softmaxBackward(n, y, 0, x, 0, out, 0));
        calls.add(() -> k.gemv(m, n, 1f, a, 0, n, x, 0, 0f, col, 0));
        calls.add(() -> k.gemvT(m, n, 1f, a, 0, n, col, 0, 0.5f, out, 0));
        calls.add(() -> k.ger(m, n, 1e-9f, col, 0, y, 0, a, 0, n));
        calls.add(() -> k.gerGemv(m, n, 1e-9f, col, 0, y, 0, a, 0, n, x, 0, col, 0));
        calls.add(() -> k.gemm(false, true, m, m, n, 1f, a, 0, n, a, 0, n, 0f, c, 0, m));
        calls.add(() -> k.gemm(true, false, n, n - 7, m, 1f, a, 0, n, a, 0, n, 0f, new float[0], 0, 1));
        calls.remove(calls.size() - 1); // keep only calls whose outputs are preallocated
        for (int op = 0; op < calls.size(); op++) {
            Runnable call = calls.get(op);
            long perRound = -1;
            for (int round = 0; round < 60 && perRound != 0; round++) {
                long before = allocated();
                for (int i = 0; i < 5_000; i++) {
                    call.run();
                }
                perRound = allocated() - before;
            }
            assertEquals(0, perRound, k + ": call " + op + " still allocates after warm-up");
        }
    }
}
