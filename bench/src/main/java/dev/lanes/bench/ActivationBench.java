package dev.lanes.bench;

import dev.lanes.kernels.Kernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Activations and softmax, with the references the kernels issue sets its goals against: the JDK's
 * {@code lanewise(TANH)}, a scalar {@link Math#tanh} loop, and a softmax on {@code lanewise(EXP)}.
 * Inputs are spread over [-4, 4) so that tanh covers its curved part and its saturating tails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {Jvm.VECTOR, Jvm.XMS, Jvm.XMX, Jvm.PRETOUCH, Jvm.TRAPS})
public class ActivationBench {

    /** Softmax at an output layer's width (10) and a wide one (1000): logits x, an output s, its gradient g. */
    @State(Scope.Benchmark)
    public static class Softmax {
        @Param({"10", "1000"})
        public int n;

        public float[] x;
        public float[] s;
        public float[] g;
        public float[] out;

        @Setup
        public void fill() {
            x = Data.uniform(n, 8f, 9);
            g = Data.uniform(n, 1f, 10);
            s = Data.zeros(n);
            Kernels.scalar().softmax(n, x, 0, s, 0);
            out = Data.zeros(n);
        }
    }

    @Benchmark
    public void tanh(Vectors v, Backend b) {
        b.k.tanh(v.n, v.x, 0, v.out, 0);
    }

    @Benchmark
    public void tanh_lanewise(Vectors v) {
        References.tanhLanewise(v.n, v.x, v.out);
    }

    @Benchmark
    public void tanh_mathtanh(Vectors v) {
        References.tanhMath(v.n, v.x, v.out);
    }

    @Benchmark
    public void sech2(Vectors v, Backend b) {
        b.k.sech2(v.n, v.x, 0, v.out, 0);
    }

    @Benchmark
    public void tanhGradFromOutput(Vectors v, Backend b) {
        b.k.tanhGradFromOutput(v.n, v.y, 0, v.out, 0);
    }

    @Benchmark
    public void softmax(Softmax s, Backend b) {
        b.k.softmax(s.n, s.x, 0, s.out, 0);
    }

    @Benchmark
    public void softmax_lanewise(Softmax s) {
        References.softmaxLanewiseExp(s.n, s.x, s.out);
    }

    @Benchmark
    public void softmaxBackward(Softmax s, Backend b) {
        b.k.softmaxBackward(s.n, s.s, 0, s.g, 0, s.out, 0);
    }
}
