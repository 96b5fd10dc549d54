package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import java.lang.management.ManagementFactory;
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
            long least = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 400 && least >= 256; attempt++) {
                long before = allocated();
                trainer.trainEpoch(DATA, null);
                least = Math.min(least, allocated() - before);
            }
            // The epoch's result record and nothing per sample, on both backends.
            assertTrue(least < 256, "one epoch of " + DATA.size() + " samples allocated " + least + " bytes");
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
