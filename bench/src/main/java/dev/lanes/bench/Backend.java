package dev.lanes.bench;

import dev.lanes.kernels.Kernels;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The lanes backend under test, resolved once per trial. Every lanes benchmark takes this state, so
 * JMH runs it once per backend and the report can divide vector by scalar within one run.
 */
@State(Scope.Benchmark)
public class Backend {
    @Param({"scalar", "vector"})
    public String backend;

    /** Read from a field (not a constant) on every call, like any caller of the library would. */
    public Kernels k;

    @Setup
    public void resolve() {
        k = Kernels.named(backend);
        if (!k.name().equals(backend)) {
            throw new IllegalStateException("asked for backend " + backend + " but got " + k.describe());
        }
    }
}
