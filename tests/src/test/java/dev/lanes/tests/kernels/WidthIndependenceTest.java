package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What Kernels' class comment promises across machines ("Reproducibility"): elementwise kernels,
 * gemvT and ger give the same bits on every backend and at every vector width; tanh, sech2 and
 * gemm give the same bits at every width of the vector backend. The vector backend runs in child
 * JVMs at 128, 256 and 512 bits, over every size up to past four 16-lane vectors (so each width
 * meets sizes below, at and above its cut-overs), and their results are compared bit for bit.
 */
public class WidthIndependenceTest {
    /** Kernels whose bits the scalar backend shares. */
    private static final List<String> EVERY_BACKEND = List.of("scale", "mul", "add", "axpy",
            "squaredErrorGradient", "tanhGradFromOutput", "ger", "gemvT");
    /** Kernels whose bits every width of the vector backend shares. */
    private static final List<String> EVERY_WIDTH = List.of("tanh", "sech2", "gemmNN", "gemmNT", "gemmTN", "gemmTT");

    private static float[] random(SplittableRandom r, int n, double range) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-range, range);
        }
        return v;
    }

    /** A hash of each kernel's outputs over all sizes from 0 to 70 (matrix kernels: several row counts). */
    static Map<String, Integer> hashes(Kernels k) {
        Map<String, Integer> h = new LinkedHashMap<>();
        for (String kernel : EVERY_BACKEND) {
            h.put(kernel, 1);
        }
        for (String kernel : EVERY_WIDTH) {
            h.put(kernel, 1);
        }
        SplittableRandom r = new SplittableRandom(17);
        for (int n = 0; n <= 70; n++) {
            float[] x = random(r, n, 12);
            float[] y = random(r, n, 2);
            float[] out = new float[n];
            mix(h, "tanh", out, () -> k.tanh(x.length, x, 0, out, 0));
            mix(h, "sech2", out, () -> k.sech2(x.length, x, 0, out, 0));
            mix(h, "mul", out, () -> k.mul(x.length, x, 0, y, 0, out, 0));
            mix(h, "add", out, () -> k.add(x.length, x, 0, y, 0, out, 0));
            mix(h, "squaredErrorGradient", out, () -> k.squaredErrorGradient(x.length, x, 0, y, 0, out, 0));
            mix(h, "tanhGradFromOutput", out, () -> k.tanhGradFromOutput(x.length, y, 0, out, 0));
            float[] acc = y.clone();
            mix(h, "axpy", acc, () -> k.axpy(x.length, 0.37f, x, 0, acc, 0));
            mix(h, "scale", acc, () -> k.scale(x.length, -1.3f, acc, 0));
            for (int m : new int[] {1, 3, 6}) {
                float[] a = random(r, m * n, 1);
                float[] u = random(r, m, 1);
                float[] yt = random(r, n, 1);
                mix(h, "gemvT", yt, () -> k.gemvT(m, x.length, 0.7f, a, 0, Math.max(1, x.length), u, 0, 0.5f, yt, 0));
                mix(h, "ger", a, () -> k.ger(m, x.length, -0.3f, u, 0, y, 0, a, 0, Math.max(1, x.length)));
            }
        }
        // {7, 40, 600}, {32, 48, 77} and {32, 200, 100} (A B^T) take the 16-lane tile's paths that read
        // U in place and gather V's transposed panels: the other widths copy both, with the same bits.
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {9, 17, 33}, {13, 70, 29}, {35, 33, 65}, {7, 40, 600}, {32, 48, 77},
            {32, 200, 100}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int kk = s[2];
            float[] a = random(r, m * kk, 1);
            float[] b = random(r, kk * n, 1);
            float[] c = random(r, m * n, 1);
            mix(h, "gemmNN", c, () -> k.gemm(false, false, m, n, kk, 0.9f, a, 0, kk, b, 0, n, 0.5f, c, 0, n));
            mix(h, "gemmNT", c, () -> k.gemm(false, true, m, n, kk, 0.9f, a, 0, kk, b, 0, kk, 0.5f, c, 0, n));
            mix(h, "gemmTN", c, () -> k.gemm(true, false, m, n, kk, 0.9f, a, 0, m, b, 0, n, 0.5f, c, 0, n));
            mix(h, "gemmTT", c, () -> k.gemm(true, true, m, n, kk, 0.9f, a, 0, m, b, 0, kk, 0f, c, 0, n));
        }
        return h;
    }

    private static void mix(Map<String, Integer> h, String kernel, float[] out, Runnable call) {
        call.run();
        h.merge(kernel, Arrays.hashCode(out), (old, add) -> 31 * old + add);
    }

    /** The probe: the vector backend's width, then one line per kernel. */
    public static void main(String[] args) {
        Kernels k = Kernels.vector();
        System.out.println("width " + k.describe());
        hashes(k).forEach((kernel, hash) -> System.out.println(kernel + " " + hash));
    }

    private static Map<String, Integer> probe(int bits) throws Exception {
        Process p = new ProcessBuilder(Width.javaCommand(List.of("--add-modules", "jdk.incubator.vector",
                "-Dlanes.vectorBits=" + bits), WidthIndependenceTest.class)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("width vector(" + bits + "-bit"), out);
        Map<String, Integer> h = new LinkedHashMap<>();
        out.lines().map(l -> l.split(" ")).filter(f -> f.length == 2).forEach(f -> h.put(f[0], Integer.parseInt(f[1])));
        return h;
    }

    @Test
    void elementwiseKernelsGemvTGerAndGemmGiveTheSameBitsAtEveryWidth() throws Exception {
        Map<String, Integer> scalar = hashes(Kernels.scalar());
        Map<String, Integer> at256 = probe(256);
        for (int bits : new int[] {128, 512}) {
            Map<String, Integer> other = probe(bits);
            for (String kernel : EVERY_WIDTH) {
                assertEquals(at256.get(kernel), other.get(kernel), kernel + " at " + bits + " bits vs 256");
            }
            for (String kernel : EVERY_BACKEND) {
                assertEquals(scalar.get(kernel), other.get(kernel), kernel + " at " + bits + " bits vs scalar");
            }
        }
        for (String kernel : EVERY_BACKEND) {
            assertEquals(scalar.get(kernel), at256.get(kernel), kernel + " at 256 bits vs scalar");
        }
    }
}
