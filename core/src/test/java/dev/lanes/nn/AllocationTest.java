package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Steady-state training and inference allocate nothing per sample or batch: after warm-up, the bytes
 * this thread allocates over a whole epoch stay below a small constant (the epoch's result record),
 * far below one byte per sample. The widths are above the vector backend's scalar cut-over of 64
 * elements where they must be (the input and the first hidden layer), so that its vector loops run,
 * and below it elsewhere.
 */
class AllocationTest {
    private static final int FEATURES = 72;
    private static final Dataset DATA = Blobs.make(1000, FEATURES, 5, 0.2f, 3);
    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void allocationCounting() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "this JVM does not count allocated bytes");
        threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
    }

    /** Whether {@code -Dlanes.vectorBits} forced a width this CPU has no registers for. */
    private static boolean vectorWidthEmulated() {
        return Backends.vectorBits().orElse(0) > jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize();
    }

    private static long allocated() {
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** The calling thread's allocations; with threads, the crew's tasks are made once, not per batch. */
    @ParameterizedTest(name = "{0} {1} batch {2} threads {3}")
    @CsvSource({"scalar, sgd, 1, 1", "vector, sgd, 1, 1", "vector, sgd, 10, 1", "vector, momentum, 8, 1",
        "scalar, adam, 4, 1", "vector, adam, 32, 1", "scalar, adam, 16, 2", "vector, adam, 32, 2"})
    void anEpochAllocatesNothingPerBatch(String backend, String optimizer, int batch, int threads) {
        assumeTrue(backend.equals("scalar") || !vectorWidthEmulated(), "the vector width is forced beyond this"
                + " CPU's, so the Vector API emulates it in Java and allocates on every operation");
        EpochAllocation here = leastEpochAllocation(backend, optimizer, batch, threads);
        if (here.least() < 256) {
            return;
        }
        // Vector code that runs only a few times an epoch can stay in C1, where every Vector API
        // operation allocates: whether it does depends on what this JVM's earlier tests left compiled.
        // Until Backprop.run shared one forward call between its two branches, about one test JVM in
        // ten allocated 1480 bytes an epoch in the vector sgd case at batch 1 (its once-per-checkpoint
        // branch ran VectorKernels.addK as C1 code); not once in 22 runs since. Such a case runs once
        // more in a fresh JVM, which must be clean, and the stacks are printed to find the next one.
        String first = "one epoch of " + DATA.size() + " samples allocated " + here.least() + " bytes in this JVM";
        String second = inFreshJvm(backend, optimizer, batch, threads);
        assertTrue(second.contains(CLEAN), first + "; where:\n" + here.stacks() + "and in a fresh JVM too:\n" + second);
        System.err.println("AllocationTest: " + first + ", none in a fresh JVM; where:\n" + here.stacks());
    }

    /** What {@link #main} prints when its case allocates nothing per epoch. */
    private static final String CLEAN = "no epoch allocation";

    /** The least bytes one epoch allocated and, when that is not nothing, where (JFR's stacks). */
    private record EpochAllocation(long least, String stacks) {
    }

    /** The least that one epoch of this case allocates, over up to 400 epochs after ten of warm-up. */
    private static EpochAllocation leastEpochAllocation(String backend, String optimizer, int batch, int threads) {
        Network net = Blobs.tanhSoftmax(1, FEATURES, 80, 16, 5);
        try (Trainer trainer = new Trainer(net, Kernels.named(backend),
                TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.named(optimizer), batch).withThreads(threads))) {
            for (int e = 0; e < 10; e++) {
                trainer.trainEpoch(DATA, null);
            }
            // Steady state begins when C2 has compiled every kernel (their vectors are then scalarised).
            // Until then a kernel runs as C1 code, in which every Vector API operation is a boxed
            // object: a few hundred bytes to kilobytes per sample. The kernels called only a few times
            // per batch (the gradient norm's dot products) reach C2's thresholds last, after dozens of
            // epochs on a busy machine, so measure epochs until one is clean or 400 have passed.
            java.time.Instant measured = java.time.Instant.now();
            long least = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 400 && least >= 256; attempt++) {
                long before = allocated();
                trainer.trainEpoch(DATA, null);
                least = Math.min(least, allocated() - before);
            }
            // The epoch's result record and nothing per sample, on both backends.
            return new EpochAllocation(least, least < 256 ? "" : allocationStacks(trainer, measured));
        }
    }

    /** Runs {@link #main} for one case in a fresh JVM at this JVM's vector width; returns its output. */
    private static String inFreshJvm(String backend, String optimizer, int batch, int threads) {
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
            String bits = System.getProperty(Backends.VECTOR_BITS_PROPERTY);
            if (bits != null) {
                cmd.add("-D" + Backends.VECTOR_BITS_PROPERTY + "=" + bits);
            }
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("-XX:MaxVectorSize=") || arg.startsWith("-XX:UseAVX=")
                        || arg.startsWith("-XX:PerMethodTrapLimit=")) {
                    cmd.add(arg);
                }
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), AllocationTest.class.getName(),
                    backend, optimizer, Integer.toString(batch), Integer.toString(threads)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the fresh JVM finished");
            return out;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError("could not run the fresh JVM", e);
        }
    }

    /** One case of {@link #anEpochAllocatesNothingPerBatch} in this JVM: prints its least epoch allocation. */
    public static void main(String[] args) {
        allocationCounting();
        EpochAllocation e = leastEpochAllocation(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        System.out.println(e.least() < 256 ? CLEAN : "one epoch allocated " + e.least() + " bytes; " + e.stacks());
    }

    /**
     * JFR's allocation events, from before the first case on. Started here and not when a case fails:
     * starting a recording in a running JVM made HotSpot discard every compiled method (seen as some 280
     * methods made not entrant at once), so a recording begun after a failing case saw only the
     * re-warm-up of every kernel, not what had allocated in the case itself.
     */
    private static jdk.jfr.Recording recording;

    @BeforeAll
    static void startAllocationRecording() {
        try {
            recording = new jdk.jfr.Recording();
            recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.setToDisk(true);
            recording.start();
        } catch (RuntimeException | LinkageError e) {
            recording = null;
        }
    }

    @AfterAll
    static void stopAllocationRecording() {
        if (recording != null) {
            recording.close();
        }
    }

    /**
     * Where this thread's epochs allocate: the allocation events since {@code from}, grouped by stack.
     * JFR records an allocation when it opens a new TLAB, so a few hundred bytes an epoch need
     * hundreds of epochs to show: runs a thousand more first.
     */
    private static String allocationStacks(Trainer trainer, java.time.Instant from) {
        if (recording == null) {
            // The fresh JVM of a retry starts no recording: in the kernels' probe, a recording started
            // at the beginning of a fresh JVM made far more of them allocate (SteadyStateAllocationTest).
            return "no allocation events: no JFR recording in this JVM";
        }
        for (int e = 0; e < 1000; e++) {
            trainer.trainEpoch(DATA, null);
        }
        java.nio.file.Path file = null;
        try {
            file = java.nio.file.Files.createTempFile("lanes-alloc", ".jfr");
            recording.dump(file);
            long thread = Thread.currentThread().getId();
            java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
            for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                if (e.getStartTime().isBefore(from) || e.getThread() == null || e.getThread().getJavaThreadId() != thread
                        || e.getStackTrace() == null) {
                    continue;
                }
                StringBuilder sb = new StringBuilder(e.getClass("objectClass").getName());
                for (jdk.jfr.consumer.RecordedFrame f : e.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    if (type.equals(AllocationTest.class.getName())) {
                        break;
                    }
                    sb.append("\n    at ").append(type).append('.').append(f.getMethod().getName()).append(" line ")
                            .append(f.getLineNumber()).append(' ').append(f.getType());
                }
                seen.merge(sb.toString(), 1, Integer::sum);
            }
            StringBuilder out = new StringBuilder("allocation events (one per new TLAB) since the measured epochs began:\n");
            seen.forEach((stack, count) -> out.append(count).append(" x ").append(stack).append('\n'));
            return out.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return "no allocation events: " + e;
        } finally {
            if (file != null) {
                try {
                    java.nio.file.Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void inferenceAllocatesNothing(String backend) {
        Network net = Blobs.tanhSoftmax(1, FEATURES, 80, 5);
        Network.Workspace ws = net.newWorkspace(Kernels.named(backend));
        float[] x = DATA.featuresArray();
        float[] out = new float[5];
        long least = Long.MAX_VALUE;
        int sink = 0;
        for (int attempt = 0; attempt < 300 && least != 0; attempt++) {
            long before = allocated();
            for (int i = 0; i < DATA.size(); i++) {
                sink += net.classify(x, i * FEATURES, ws);
                net.predict(x, i * FEATURES, out, 0, ws);
            }
            least = Math.min(least, allocated() - before);
        }
        assertTrue(sink >= 0);
        assertTrue(least == 0, DATA.size() + " predictions allocated " + least + " bytes");
    }
}
