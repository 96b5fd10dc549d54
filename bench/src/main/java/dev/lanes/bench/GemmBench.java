package dev.lanes.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * Matrix products at a cube and at the shapes of a 784-128-10 layer with batch 32, with netlib's
 * VectorBLAS sgemm on the same data, and the compute roofline: {@code fmaPeak} runs twelve
 * independent vector FMA chains out of registers, so its GFLOP/s is the single-core FMA peak that
 * gemm is judged against in the same run (it matches a C loop of the same chains on this core). Shapes are m x n x k with a transpose code: nn is C = A B,
 * nt is C = A B^T (the forward pass X W^T), tn is C = A^T B (the weight gradient).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {Jvm.VECTOR, Jvm.XMS, Jvm.XMX, Jvm.PRETOUCH, Jvm.TRAPS})
public class GemmBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** FMA steps per fmaPeak call; twelve vector FMAs each. */
    static final int PEAK_STEPS = 1 << 14;

    @State(Scope.Benchmark)
    public static class Shape {
        // A 784-128 layer at batch 32: its forward product, weight gradient and error sent back with W
        // out x in; the forward product and weight gradient with W turned to in x out, row by row; and
        // the same for one of the four 32-column panels in which plain SGD on mini-batches keeps its
        // first layer turned.
        @Param({"256x256x256nn", "32x128x784nt", "128x784x32tn", "32x784x128nn", "32x128x784nn", "784x128x32tn",
            "32x32x784nn", "784x32x32tn"})
        public String dims;

        public int m;
        public int n;
        public int k;
        public boolean transA;
        public boolean transB;
        public float[] a;
        public float[] b;
        public float[] c;

        @Setup
        public void fill() {
            String code = dims.substring(dims.length() - 2);
            String[] d = dims.substring(0, dims.length() - 2).split("x");
            m = Integer.parseInt(d[0]);
            n = Integer.parseInt(d[1]);
            k = Integer.parseInt(d[2]);
            transA = code.charAt(0) == 't';
            transB = code.charAt(1) == 't';
            a = Data.uniform(m * k, 1f, 21);
            b = Data.uniform(k * n, 1f, 22);
            c = Data.zeros(m * n);
        }

        int lda() {
            return transA ? m : k;
        }

        int ldb() {
            return transB ? k : n;
        }
    }

    @Benchmark
    public void gemm(Shape s, Backend b) {
        b.k.gemm(s.transA, s.transB, s.m, s.n, s.k, 1f, s.a, 0, s.lda(), s.b, 0, s.ldb(), 0f, s.c, 0, s.n);
    }

    /** Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: the operands swap places. */
    @Benchmark
    public void gemm_vectorblas(Shape s) {
        Peers.VECTOR_BLAS.sgemm(s.transB ? "T" : "N", s.transA ? "T" : "N", s.n, s.m, s.k, 1f,
                s.b, s.ldb(), s.a, s.lda(), 0f, s.c, s.n);
    }

    /**
     * Twelve independent FMA chains on registers: 2 x 12 x lanes flops a step, no memory traffic.
     * Each chain is the addend ({@code c = x * y + c}, as in gemm's tiles): x86 FMA overwrites its
     * addend register, so a chain through a multiplicand ({@code c = c * x + y}) costs C2 a register
     * copy per FMA and measured a third below the hardware's peak.
     */
    @Benchmark
    @OperationsPerInvocation(PEAK_STEPS)
    public float fmaPeak(Shape s) {
        FloatVector x = FloatVector.broadcast(S, 0.999f + s.m * 1e-9f);
        FloatVector y = FloatVector.broadcast(S, 1e-3f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < PEAK_STEPS; i++) {
            c0 = x.fma(y, c0);
            c1 = x.fma(y, c1);
            c2 = x.fma(y, c2);
            c3 = x.fma(y, c3);
            c4 = x.fma(y, c4);
            c5 = x.fma(y, c5);
            c6 = x.fma(y, c6);
            c7 = x.fma(y, c7);
            c8 = x.fma(y, c8);
            c9 = x.fma(y, c9);
            c10 = x.fma(y, c10);
            c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2.add(c3)).add(c4.add(c5).add(c6.add(c7))).add(c8.add(c9).add(c10.add(c11)))
                .reduceLanes(VectorOperators.ADD);
    }
}
