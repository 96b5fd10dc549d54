package dev.lanes.bench;

/**
 * JVM flags of every benchmark fork: the incubator module, a fixed heap (so GC sizing does not drift
 * between iterations), and the heap touched up front (so page faults do not land in the first
 * iterations).
 */
final class Jvm {
    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String XMS = "-Xms256m";
    static final String XMX = "-Xmx256m";
    static final String PRETOUCH = "-XX:+AlwaysPreTouch";

    private Jvm() {
    }
}
