package dev.lanes.bench;

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
 * Level-2 kernels at the network's shapes (784-128-10 forward and backward), a cache-resident
 * 1024x1024 and a 64 MiB 4096x4096 streamed from memory. {@code gemv_streamsum} reads the same bytes
 * as gemv without computing anything else: the memory roofline gemv is judged against.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {Jvm.VECTOR, Jvm.XMS, Jvm.XMX, Jvm.PRETOUCH, Jvm.TRAPS})
public class MatrixBench {

    /** A row-major m-by-n A with lda = n, x and y for gemv (n in, m out) and for gemvT (m in, n out). */
    @State(Scope.Benchmark)
    public static class Gemv {
        @Param({"128x784", "784x128", "10x128", "128x10", "1024x1024", "4096x4096"})
        public String shape;

        public int m;
        public int n;
        public float[] a;
        public float[] x;
        public float[] y;
        public float[] xt;
        public float[] yt;
        public float alpha = 1f;
        public float beta = 0f;

        @Setup
        public void fill() {
            int[] s = Data.shape(shape);
            m = s[0];
            n = s[1];
            a = Data.uniform(m * n, 1f, 3);
            x = Data.uniform(n, 1f, 4);
            y = Data.zeros(m);
            xt = Data.uniform(m, 1f, 5);
            yt = Data.zeros(n);
        }
    }

    /** ger's A grows by alpha * x * y^T per call; alpha keeps it far from overflow for the whole run. */
    @State(Scope.Benchmark)
    public static class Ger {
        @Param({"128x784", "1024x1024"})
        public String shape;

        public int m;
        public int n;
        public float[] a;
        public float[] x;
        public float[] y;
        public float alpha = 1e-6f;

        @Setup
        public void fill() {
            int[] s = Data.shape(shape);
            m = s[0];
            n = s[1];
            a = Data.uniform(m * n, 1f, 6);
            x = Data.uniform(m, 1f, 7);
            y = Data.uniform(n, 1f, 8);
        }
    }

    @Benchmark
    public void gemv(Gemv g, Backend b) {
        b.k.gemv(g.m, g.n, g.alpha, g.a, 0, g.n, g.x, 0, g.beta, g.y, 0);
    }

    @Benchmark
    public void gemv_vectorblas(Gemv g) {
        Peers.VECTOR_BLAS.sgemv("T", g.n, g.m, g.alpha, g.a, g.n, g.x, 1, g.beta, g.y, 1);
    }

    @Benchmark
    public void gemv_javablas(Gemv g) {
        Peers.JAVA_BLAS.sgemv("T", g.n, g.m, g.alpha, g.a, g.n, g.x, 1, g.beta, g.y, 1);
    }

    @Benchmark
    public void gemv_reference(Gemv g) {
        References.gemvRows(g.m, g.n, g.a, g.x, g.y);
    }

    @Benchmark
    public float gemv_streamsum(Gemv g) {
        return References.streamSum(g.m * g.n, g.a);
    }

    @Benchmark
    public void gemvT(Gemv g, Backend b) {
        b.k.gemvT(g.m, g.n, g.alpha, g.a, 0, g.n, g.xt, 0, g.beta, g.yt, 0);
    }

    @Benchmark
    public void gemvT_vectorblas(Gemv g) {
        Peers.VECTOR_BLAS.sgemv("N", g.n, g.m, g.alpha, g.a, g.n, g.xt, 1, g.beta, g.yt, 1);
    }

    @Benchmark
    public void gemvT_javablas(Gemv g) {
        Peers.JAVA_BLAS.sgemv("N", g.n, g.m, g.alpha, g.a, g.n, g.xt, 1, g.beta, g.yt, 1);
    }

    @Benchmark
    public void ger(Ger g, Backend b) {
        b.k.ger(g.m, g.n, g.alpha, g.x, 0, g.y, 0, g.a, 0, g.n);
    }

    @Benchmark
    public void ger_vectorblas(Ger g) {
        Peers.VECTOR_BLAS.sger(g.n, g.m, g.alpha, g.y, 1, g.x, 1, g.a, g.n);
    }

    @Benchmark
    public void ger_javablas(Ger g) {
        Peers.JAVA_BLAS.sger(g.n, g.m, g.alpha, g.y, 1, g.x, 1, g.a, g.n);
    }
}
