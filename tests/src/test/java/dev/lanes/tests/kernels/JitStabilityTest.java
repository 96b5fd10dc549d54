package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A kernel gives the same bits on its first call (interpreted) as after C2 has compiled it, so that
 * one seed gives one set of weights however far the JIT has got. Runs in a fresh JVM, where the
 * first calls really are interpreted. (JDK 25's compiled reduceLanes(ADD) once broke this.)
 */
public class JitStabilityTest {
    private static final String[] KERNELS = {"dot", "gemv", "gemvT", "ger", "gerGemv", "tanh", "sech2", "softmax",
        "softmaxShort", "softmaxBackward", "gemmNT", "gemmTN", "gemmNN", "squaredError"};

    /**
     * Softmax of one to two vectors (between L and 2L elements, for any lane count L) runs on the
     * vector backend's scalar twin for its first 2^20 calls and on the vector path after: so its
     * first call is the twin, interpreted, and its last ones the vector path.
     */
    private static final int SHORT_SOFTMAX_CALLS_BEFORE_THE_VECTOR_PATH = 1 << 20;

    private static int shortSoftmaxSize() {
        int lanes = dev.lanes.kernels.Backends.vectorBits().orElse(256) / Float.SIZE;
        return lanes + lanes / 2 + 1;
    }

    /** One kernel's output on fixed inputs, as a hash of its bits. */
    static int run(Kernels k, String kernel) {
        SplittableRandom r = new SplittableRandom(3);
        int m = 37;
        int n = 131;
        float[] a = new float[m * n];
        float[] x = new float[n];
        float[] u = new float[m];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble(-0.5, 0.5);
        }
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-0.5, 0.5);
        }
        for (int i = 0; i < m; i++) {
            u[i] = (float) r.nextDouble();
        }
        float[] o = new float[n * n];
        switch (kernel) {
            case "dot": o[0] = k.dot(n, x, 0, a, 5); break;
            case "gemv": k.gemv(m, n, 1.3f, a, 0, n, x, 0, 0f, o, 0); break;
            case "gemvT": k.gemvT(m, n, 1.3f, a, 0, n, u, 0, 0f, o, 0); break;
            case "ger": k.ger(m, n, 0.7f, u, 0, x, 0, a, 0, n); o = a; break;
            case "gerGemv": k.gerGemv(m, n, 0.7f, u, 0, x, 0, a, 0, n, x, 0, o, 0); break;
            case "tanh": k.tanh(n, x, 0, o, 0); break;
            case "sech2": k.sech2(n, x, 0, o, 0); break;
            case "softmax": k.softmax(n, a, 0, o, 0); break;
            case "softmaxShort":
                // Many inputs, since the sums of a few may round alike in another order.
                for (int s = 0, size = shortSoftmaxSize(); s < 64; s++) {
                    k.softmax(size, a, 3 + s * size, o, s * size);
                }
                break;
            case "softmaxBackward": k.softmaxBackward(n, x, 0, a, 0, o, 0); break;
            case "gemmNT": k.gemm(false, true, m, m, n, 1f, a, 0, n, a, 0, n, 0f, o, 0, m); break;
            case "gemmTN": k.gemm(true, false, n, n, m, 1f, a, 0, n, a, 0, n, 0f, o, 0, n); break;
            case "gemmNN": k.gemm(false, false, m, n, m, 1f, a, 0, n, a, 0, n, 0f, o, 0, n); break;
            default: o[0] = k.squaredError(n, x, 0, a, 0);
        }
        return Arrays.hashCode(o);
    }

    /** The probe: each kernel's hash on its first call and after 20,000 calls, one line each. */
    public static void main(String[] args) {
        Kernels k = Kernels.named(args[0]);
        System.out.println("width " + k.describe());
        for (String kernel : KERNELS) {
            int first = run(k, kernel);
            int last = first;
            if (kernel.equals("softmaxShort")) {
                int size = shortSoftmaxSize();
                float[] x = new float[size];
                float[] out = new float[size];
                for (int i = 0; i <= SHORT_SOFTMAX_CALLS_BEFORE_THE_VECTOR_PATH; i++) {
                    k.softmax(size, x, 0, out, 0);
                }
            }
            for (int i = 0; i < 20_000; i++) {
                last = run(k, kernel);
            }
            System.out.println(kernel + " " + first + " " + last);
        }
    }

    @Test
    void vectorResultsDoNotChangeWhenCompiled() throws Exception {
        Process p = new ProcessBuilder(Width.javaCommand(List.of("--add-modules", "jdk.incubator.vector"),
                JitStabilityTest.class, "vector")).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("width " + Kernels.vector().describe() + "\n"), "the probe ran at this JVM's width: " + out);
        Function<String, String[]> fields = line -> line.trim().split(" ");
        long checked = out.lines().map(fields).filter(f -> f.length == 3).peek(f ->
                assertEquals(f[1], f[2], f[0] + ": the first call and the compiled calls give different bits")).count();
        assertEquals(KERNELS.length, checked, out);
    }
}
