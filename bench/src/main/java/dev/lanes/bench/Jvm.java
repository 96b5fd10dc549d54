package dev.lanes.bench;

/**
 * JVM flags of every benchmark fork: the incubator module, a fixed heap (so GC sizing does not drift
 * between iterations), the heap touched up front (so page faults do not land in the first
 * iterations), and the trap limit that lanes asks for on JDK 17 (without it, a fork now and then
 * compiles gemm's register tile or softmax so that it boxes vectors; peers in the same fork get it
 * too).
 */
final class Jvm {
    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String XMS = "-Xms256m";
    static final String XMX = "-Xmx256m";
    static final String PRETOUCH = "-XX:+AlwaysPreTouch";
    static final String TRAPS = "-XX:PerMethodTrapLimit=1000";

    private Jvm() {
    }
}
