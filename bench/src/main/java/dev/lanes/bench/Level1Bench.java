package dev.lanes.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Level-1 and elementwise kernels. A method named {@code op} runs on both lanes backends; a method
 * named {@code op_peer} runs the same operation on a peer (netlib or a reference loop), in the same
 * run, on the same data. Reductions return their result (JMH sinks it); the others write into state
 * arrays, which escape and so cannot be eliminated.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {Jvm.VECTOR, Jvm.XMS, Jvm.XMX, Jvm.PRETOUCH, Jvm.TRAPS})
public class Level1Bench {

    @Benchmark
    public float dot(Vectors v, Backend b) {
        return b.k.dot(v.n, v.x, 0, v.y, 0);
    }

    @Benchmark
    public float dot_vectorblas(Vectors v) {
        return Peers.VECTOR_BLAS.sdot(v.n, v.x, 1, v.y, 1);
    }

    @Benchmark
    public float dot_javablas(Vectors v) {
        return Peers.JAVA_BLAS.sdot(v.n, v.x, 1, v.y, 1);
    }

    @Benchmark
    public float dot_reference(Vectors v) {
        return References.dot4(v.n, v.x, v.y);
    }

    @Benchmark
    public void axpy(Vectors v, Backend b) {
        b.k.axpy(v.n, v.alpha, v.x, 0, v.y, 0);
    }

    @Benchmark
    public void axpy_vectorblas(Vectors v) {
        Peers.VECTOR_BLAS.saxpy(v.n, v.alpha, v.x, 1, v.y, 1);
    }

    @Benchmark
    public void axpy_javablas(Vectors v) {
        Peers.JAVA_BLAS.saxpy(v.n, v.alpha, v.x, 1, v.y, 1);
    }

    @Benchmark
    public void scale(Vectors v, Backend b) {
        b.k.scale(v.n, v.flip, v.x, 0);
    }

    @Benchmark
    public void scale_vectorblas(Vectors v) {
        Peers.VECTOR_BLAS.sscal(v.n, v.flip, v.x, 1);
    }

    @Benchmark
    public void scale_javablas(Vectors v) {
        Peers.JAVA_BLAS.sscal(v.n, v.flip, v.x, 1);
    }

    @Benchmark
    public void mul(Vectors v, Backend b) {
        b.k.mul(v.n, v.x, 0, v.y, 0, v.out, 0);
    }

    @Benchmark
    public void add(Vectors v, Backend b) {
        b.k.add(v.n, v.x, 0, v.y, 0, v.out, 0);
    }

    @Benchmark
    public float squaredError(Vectors v, Backend b) {
        return b.k.squaredError(v.n, v.x, 0, v.y, 0);
    }

    @Benchmark
    public void squaredErrorGradient(Vectors v, Backend b) {
        b.k.squaredErrorGradient(v.n, v.x, 0, v.y, 0, v.out, 0);
    }
}
