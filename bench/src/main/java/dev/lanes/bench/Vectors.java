package dev.lanes.bench;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Inputs of the level-1 and elementwise benchmarks: small vectors (10, 64), L1-resident 1024, and 1e6 from memory. */
@State(Scope.Benchmark)
public class Vectors {
    @Param({"10", "64", "1024", "1000000"})
    public int n;

    public float[] x;
    public float[] y;
    public float[] out;
    /** Small enough that y += alpha * x stays far from overflow over billions of calls. */
    public float alpha = 1e-3f;
    /** Scaling by -1 in place keeps x bounded forever and costs the same as any other multiply. */
    public float flip = -1f;

    @Setup
    public void fill() {
        x = Data.uniform(n, 4f, 1);
        y = Data.uniform(n, 1f, 2);
        out = Data.zeros(n);
    }
}
