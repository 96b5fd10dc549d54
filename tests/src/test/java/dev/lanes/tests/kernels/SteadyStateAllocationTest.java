package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lanes.kernels.Kernels;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once compiled, no kernel allocates. Counts the bytes a thread allocates over many calls (not a
 * timing test); rounds are repeated until the JIT has compiled the loops, so a slow machine only
 * takes longer. A kernel whose vectors escape (for example a call that C2 did not inline) allocates
 * on every call and fails here.
 *
 * <p>The probes run at this JVM's vector width (see {@link Width}); at a width wider than the CPU's
 * the Vector API's Java emulation allocates by design, so the vector probe is skipped there.
 *
 * <p>Each backend is measured in a fresh JVM, as a service that calls lanes would run it: in the test
 * JVM, the hundreds of earlier tests leave C2 with profiles and compiled code from every backend and
 * shape, and the Vector API's allocation-free code depends on C2 inlining every vector operation.
 *
 * <p>The probe JVMs run with {@code -XX:PerMethodTrapLimit=1000}, as the library asks on JDK 17
 * (it logs one line where the limit is lower; {@code ./lanes} passes it). With the default of 100, a
 * few fresh JDK 17 JVMs in a hundred compile a large kernel (softmax, gemv, gerGemv, the dot product
 * were seen) so that it allocates a constant 64 to 768 bytes per call. The cause is C2's budget of
 * class-check traps: a compilation adds up the class_check trap counts of every method it inlines,
 * once per inlined copy, and past the limit it stops guarding its type-profile inlines with traps.
 * The Vector API's operations inline shared helpers ({@code VectorOperators.opCode} and
 * {@code opKind}, the lanewise templates, {@code ImplCache.find}) that pick up a few such traps
 * while the kernels warm up, so every operation adds about 4 and a kernel of a few dozen operations
 * passes 100. From there a vector's type is no longer exact, its species no longer a constant, and
 * an intrinsic late in the method fails ("missing constant: vclass=DecodeN"): the vector is boxed.
 * Measured on 2026-12-07 at 256 bits on JDK 17: 8 fresh JVMs in 100 allocated with the default
 * limit (such a probe used to be run once more), none in 100 with 1000; at 512 and 128 bits none in
 * 40 with 1000; at a limit of 40 every JVM allocates, which shows what this test catches. So there is
 * no retry.
 *
 * <p>On failure the probe records JFR's allocation stacks once it sees a call allocate. Those
 * stacks are of limited use: starting a recording in a running JVM makes HotSpot discard its
 * compiled code, so they show the call warming up again. A recording started before the first call
 * instead (tried on 2026-12-07) made the probe itself fail far more often: 23 fresh JVMs in 80 at
 * 256 bits on JDK 17, against 2 in 80 without it, nearly all in softmax.
 */
public class SteadyStateAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void kernelsAllocateNothingOnceCompiled(Kernels k) throws Exception {
        assumeFalse(k.name().equals("vector") && Width.emulated(), "the vector width is forced beyond this CPU's, so"
                + " the Vector API emulates it in Java and allocates on every operation: allocation is checked at the"
                + " widths this CPU runs natively");
        String out = probe(k);
        assertTrue(out.contains("width " + k.describe() + "\n"), "the probe ran at this JVM's width, "
                + k.describe() + ":\n" + out);
        assertTrue(out.contains(CLEAN), "allocates once compiled:\n" + out);
    }

    private static final String CLEAN = "all kernels allocation-free";

    /** The JIT flag the library asks for on JDK 17 (see the class comment), given to every probe. */
    static final String TRAP_LIMIT_FLAG = "-XX:PerMethodTrapLimit=1000";

    /** Runs {@link #main} for one backend in a fresh JVM; returns its output. */
    private static String probe(Kernels k) throws Exception {
        List<String> flags = List.of("--add-modules", "jdk.incubator.vector", TRAP_LIMIT_FLAG);
        Process p = new ProcessBuilder(Width.javaCommand(flags, SteadyStateAllocationTest.class, k.name()))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "probe finished");
        return "exit " + p.exitValue() + "\n" + out;
    }

    /** The probe, run in a fresh JVM: exits non-zero and names the call that still allocates. */
    public static void main(String[] args) {
        Kernels k = Kernels.named(args[0]);
        System.out.println("width " + k.describe());
        try {
            measure(k);
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
        // A classifier's output layer: softmax for one to two vectors at 8 lanes, first on the vector
        // backend's scalar twin, then (below) on its straight-line vector path.
        calls.add(() -> k.softmax(10, x, 0, out, 0));
        int shortSoftmaxOnTheVectorPath = calls.size();
        calls.add(() -> k.softmax(10, x, 0, out, 0));
        calls.add(() -> k.softmaxBackward(n, y, 0, x, 0, out, 0));
        calls.add(() -> k.gemv(m, n, 1f, a, 0, n, x, 0, 0f, col, 0));
        calls.add(() -> k.gemvT(m, n, 1f, a, 0, n, col, 0, 0.5f, out, 0));
        calls.add(() -> k.ger(m, n, 1e-9f, col, 0, y, 0, a, 0, n));
        calls.add(() -> k.gerGemv(m, n, 1e-9f, col, 0, y, 0, a, 0, n, x, 0, col, 0));
        calls.add(() -> k.gemm(false, true, m, m, n, 1f, a, 0, n, a, 0, n, 0f, c, 0, m));
        // A layer's forward product at batch 32: at 16 lanes its weights are read in place and the
        // batch is gathered into transposed panels.
        float[] batch = new float[32 * n];
        float[] weights = new float[128 * n];
        float[] outputs = new float[32 * 128];
        calls.add(() -> k.gemm(false, true, 32, 128, n, 1f, batch, 0, n, weights, 0, n, 0f, outputs, 0, 128));
        calls.add(() -> k.gemm(true, false, n, n - 7, m, 1f, a, 0, n, a, 0, n, 0f, new float[0], 0, 1));
        calls.remove(calls.size() - 1); // keep only calls whose outputs are preallocated
        for (int op = 0; op < calls.size(); op++) {
            Runnable call = calls.get(op);
            if (op == shortSoftmaxOnTheVectorPath) {
                // The vector backend hands softmax of one to two vectors to its vector path after
                // 2^20 calls (VectorKernels.SHORT_SOFTMAX_SCALAR_CALLS); spend them.
                for (int i = 0; i < (1 << 21); i++) {
                    call.run();
                }
            }
            long perRound = -1;
            for (int round = 0; round < 60 && perRound != 0; round++) {
                long before = allocated();
                for (int i = 0; i < 5_000; i++) {
                    call.run();
                }
                perRound = allocated() - before;
            }
            if (perRound != 0) {
                System.out.println(allocationStacks(call));
            }
            assertEquals(0, perRound, k + ": call " + op + " still allocates after warm-up");
        }
    }

    /** Where a call that still allocates allocates: the top frames of JFR's TLAB events over more calls. */
    private static String allocationStacks(Runnable call) {
        try (Recording r = new Recording()) {
            r.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            r.start();
            for (int i = 0; i < 500_000; i++) {
                call.run();
            }
            r.stop();
            Path file = Files.createTempFile("lanes-alloc", ".jfr");
            try {
                r.dump(file);
                StringBuilder sb = new StringBuilder("allocation samples:\n");
                int shown = 0;
                for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                    if (shown++ == 5) {
                        break;
                    }
                    sb.append(e.getClass("objectClass").getName()).append('\n');
                    List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
                    for (RecordedFrame f : frames.subList(0, Math.min(8, frames.size()))) {
                        sb.append("    at ").append(f.getMethod().getType().getName()).append('.')
                                .append(f.getMethod().getName()).append(" line ").append(f.getLineNumber())
                                .append(' ').append(f.getType()).append('\n');
                    }
                }
                return sb.toString();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (Exception | LinkageError e) {
            return "no allocation samples: " + e;
        }
    }
}
