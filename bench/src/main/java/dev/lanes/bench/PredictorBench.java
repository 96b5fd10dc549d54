package dev.lanes.bench;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Network;
import dev.lanes.nn.Predictor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scoring with a {@link Predictor} at 784-128-10 (tanh, softmax; raw pixels 0..255 scaled by the
 * predictor), the way a service calls it:
 * <ul>
 *   <li>{@code rows64}: 64 rows in one {@link Predictor#predictRows} call (gemm), per row;</li>
 *   <li>{@code rows64_singleCalls}: the same 64 rows as 64 {@link Predictor#predict} calls (gemv), per
 *       row. Named as a peer of {@code rows64}, so the report prints the batch's speedup over single
 *       calls as {@code lanes(lanes)/singleCalls};</li>
 *   <li>{@code singleRowLatency}: one {@link Predictor#predict} call, sampled (JMH SampleTime): JMH
 *       prints its p50, p90, p99 and p99.9 with the run.</li>
 * </ul>
 * The backend is the parameter {@code kernels} rather than the {@link Backend} state, because the
 * report takes {@code backend} for the implementation of a row, which would merge the single-call
 * rows of both backends into one case. Each call writes its outputs into an array of the state
 * (JMH cannot drop the work) and reads inputs from one (it cannot fold them).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {Jvm.VECTOR, Jvm.XMS, Jvm.XMX, Jvm.PRETOUCH, Jvm.TRAPS})
public class PredictorBench {
    static final int ROWS = 64;
    static final int IN = 784;
    static final int OUT = 10;

    @State(Scope.Benchmark)
    public static class Model {
        @Param({"scalar", "vector"})
        public String kernels;

        Predictor predictor;
        float[] x;
        float[] out;

        @Setup
        public void build() {
            Network net = Network.glorot(new int[] {IN, 128, OUT}, new Activation[] {Activation.TANH, Activation.SOFTMAX}, 1);
            predictor = Predictor.of(net, 255f, Kernels.named(kernels));
            SplittableRandom r = new SplittableRandom(7);
            x = new float[ROWS * IN];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(256);
            }
            out = new float[ROWS * OUT];
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public float[] rows64(Model s) {
        s.predictor.predictRows(ROWS, s.x, 0, s.out, 0);
        return s.out;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public float[] rows64_singleCalls(Model s) {
        for (int r = 0; r < ROWS; r++) {
            s.predictor.predict(s.x, r * IN, s.out, r * OUT);
        }
        return s.out;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public float[] singleRowLatency(Model s) {
        s.predictor.predict(s.x, 0, s.out, 0);
        return s.out;
    }
}
