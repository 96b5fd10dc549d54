package dev.lanes.bench;

import dev.lanes.data.Dataset;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Network;
import dev.lanes.nn.Optimizer;
import dev.lanes.nn.Trainer;
import dev.lanes.nn.TrainingOptions;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training steps of a 784-128-10 network (tanh, softmax), per sample: forward, backward and update,
 * over an epoch of SAMPLES random Fashion-MNIST-shaped samples. Batch 1 is the derivation's per-sample
 * descent (squared error, SGD: the fused update-and-forward path); batches 32 and 128 use
 * cross-entropy and Adam through gemm. {@code threads} is the trainer's thread count (its weights do
 * not depend on it). The score is the time per sample; an epoch of 60,000 samples takes 60,000 times
 * as long. The epoch's result goes to JMH, and the weights keep changing from one call to the next.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Jvm.VECTOR, Jvm.XMS, Jvm.XMX, Jvm.PRETOUCH, Jvm.TRAPS})
public class TrainingBench {
    static final int SAMPLES = 4096;

    @State(Scope.Benchmark)
    public static class Step {
        @Param({"1", "32", "128"})
        public int batch;

        @Param({"1", "2"})
        public int threads;

        Trainer trainer;
        Dataset data;
        Network start;
        TrainingOptions options;
        Backend backend;

        @Setup(Level.Trial)
        public void build(Backend b) {
            SplittableRandom r = new SplittableRandom(11);
            float[] x = new float[SAMPLES * 784];
            int[] labels = new int[SAMPLES];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble();
            }
            for (int i = 0; i < SAMPLES; i++) {
                labels[i] = r.nextInt(10);
            }
            data = new Dataset("random 784-feature samples", x, labels, 784, 10);
            start = Network.glorot(new int[] {784, 128, 10},
                    new Activation[] {Activation.TANH, Activation.SOFTMAX}, 1);
            options = (batch == 1
                    ? TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1)
                    : TrainingOptions.defaults(Loss.CROSS_ENTROPY, Optimizer.ADAM, batch)).withThreads(threads);
            backend = b;
        }

        /**
         * Every iteration trains from the same starting weights. One trainer kept for a whole trial
         * memorised the random labels over a hundred epochs and more, until the divergence guard took
         * the loss's noise near zero for a jump and stopped the run (batch 1, vector backend).
         */
        @Setup(Level.Iteration)
        public void fresh() {
            trainer = new Trainer(start.copy(), backend.k, options);
        }

        @TearDown(Level.Iteration)
        public void close() {
            trainer.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public Trainer.EpochResult trainStep(Step s) {
        return s.trainer.trainEpoch(s.data, null);
    }
}
