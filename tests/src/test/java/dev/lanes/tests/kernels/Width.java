package dev.lanes.tests.kernels;

import dev.lanes.kernels.Backends;
import java.lang.management.ManagementFactory;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The vector width this test JVM runs at, and the flags that give a child JVM the same width.
 *
 * <p>CI runs the suites at every width: {@code -Dlanes.vectorBits=128|512} (Maven passes it to the
 * test JVM) or {@code -XX:MaxVectorSize=16}. Tests that start JVMs of their own (allocation probes,
 * backend choice, JIT stability) must run them at that width too, or they would test the default
 * width however CI was called: {@link #javaCommand} adds these flags to every child.
 */
final class Width {
    private Width() {
    }

    /** The vector backend's lane count in this JVM. */
    static int lanes() {
        return Backends.vectorBits().orElseThrow(() -> new AssertionError("no vector backend: "
                + Backends.vectorUnavailableReason().orElse("?"))) / Float.SIZE;
    }

    /**
     * Whether the vector backend runs wider than this JVM's vectors, so that the Vector API computes
     * it in Java: exact, but allocating on every operation.
     */
    static boolean emulated() {
        return Backends.vectorBits().orElse(0) > jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize();
    }

    /** The flags of this JVM that set the vector width, and the JIT flag lanes asks for on JDK 17. */
    static List<String> childFlags() {
        List<String> flags = new ArrayList<>();
        String bits = System.getProperty(Backends.VECTOR_BITS_PROPERTY);
        if (bits != null) {
            flags.add("-D" + Backends.VECTOR_BITS_PROPERTY + "=" + bits);
        }
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxVectorSize=") || arg.startsWith("-XX:UseAVX=")
                    || arg.startsWith("-XX:PerMethodTrapLimit=")) {
                flags.add(arg);
            }
        }
        return flags;
    }

    /**
     * {@code java} of this JVM, this JVM's width flags, then {@code jvmFlags}, the class path, the
     * main class and its arguments.
     */
    static List<String> javaCommand(List<String> jvmFlags, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(childFlags());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
