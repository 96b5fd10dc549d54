package dev.lanes.kernels;

import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * What lanes asks of the JVM and the CPU, probed once: whether the Vector API module is loaded, which
 * JIT compiles our loops, whether the CPU has fused multiply-add, and how wide the vectors are. Every
 * other class asks here rather than probing on its own, so that one JVM gives one answer.
 *
 * <p>The probes read system properties and HotSpot's VM options (through the platform MXBean, which
 * may be absent on other VMs: then the probe assumes the common case and says so in its comment).
 * The vector width needs the incubator module, so it is read only on demand, by
 * {@link #preferredVectorBits()}, from a holder class that nothing loads while the module is absent.
 */
final class Platform {
    /** Whether the module {@code jdk.incubator.vector} is in the boot layer. */
    static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /**
     * Why our vector loops would not be compiled by C2, or null when they would: the interpreter
     * only (-Xint), a client VM, tiered compilation stopped below C2, or a VM other than HotSpot.
     */
    static final String JIT_PROBLEM = jitProblem();

    /**
     * Whether the CPU has fused multiply-add and the VM uses it. Without it the Vector API emulates
     * every fma lane by lane. An unknown VM option counts as yes (the option exists on every HotSpot
     * platform that has the Vector API).
     */
    static final boolean FMA = !vmOption("UseFMA").map("false"::equals).orElse(false);

    /**
     * The -XX:PerMethodTrapLimit that lanes' largest kernels need on JDK 17 (the default is 100).
     * C2 adds up the class_check trap counts of every method it inlines into one compilation, once
     * per inlined copy, and past this limit stops guarding its type-profile inlines with traps. The
     * Vector API's shared helpers ({@code VectorOperators.opCode} and others) pick up a few such
     * traps while the kernels warm up, so every vector operation adds some 4 to the count: a kernel
     * of some 25 operations or more (gemm's 16-lane register tile, softmax) then loses the exact
     * type of its vectors part way through, its later intrinsics fail and those vectors are boxed.
     * Seen on JDK 17 in some JVMs and not others; not seen on JDK 25.
     */
    static final int TRAP_LIMIT_NEEDED = 1000;

    /** One line of advice when this JVM's trap limit is too low for the vector kernels, or null. */
    static final String TRAP_LIMIT_ADVICE =
            trapLimitAdvice(Runtime.version().feature(), vmOption("PerMethodTrapLimit"));

    private Platform() {
    }

    /**
     * The advice for {@link #TRAP_LIMIT_ADVICE}, given the JDK's feature version and the option's
     * value (empty where the VM has no such option): none from JDK 25 on, where the boxing was not seen.
     */
    static String trapLimitAdvice(int jdkFeature, Optional<String> perMethodTrapLimit) {
        if (jdkFeature >= 25 || perMethodTrapLimit.isEmpty()) {
            return null;
        }
        long limit;
        try {
            limit = Long.parseLong(perMethodTrapLimit.get().trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (limit >= TRAP_LIMIT_NEEDED) {
            return null;
        }
        return "this JVM runs with -XX:PerMethodTrapLimit=" + limit + ", which on JDK " + jdkFeature + " lets C2"
                + " compile some large vector kernels (gemm's register tile, softmax) so that they box their vectors"
                + " in some runs: training then allocates about 1 GB/s and runs up to 1.7x slower; start java with"
                + " -XX:PerMethodTrapLimit=" + TRAP_LIMIT_NEEDED + " (./lanes does)";
    }

    /**
     * The width in bits of the Vector API's preferred shape on this CPU with this VM's flags
     * ({@code -XX:MaxVectorSize} narrows it). Needs {@link #VECTOR_MODULE}.
     */
    static int preferredVectorBits() {
        return PreferredShape.BITS;
    }

    private static String jitProblem() {
        String vm = System.getProperty("java.vm.name", "");
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode") || vmOption("UseCompiler").map("false"::equals).orElse(false)) {
            return "the JIT compiler is off (-Xint); vector code would run interpreted, far slower than scalar";
        }
        if (vm.contains("Client")) {
            return "this is a client VM (" + vm + ") without the C2 compiler; use a server VM";
        }
        Optional<String> stop = vmOption("TieredStopAtLevel");
        if (stop.isPresent() && !stop.get().equals("4")
                && vmOption("TieredCompilation").map("true"::equals).orElse(true)) {
            return "-XX:TieredStopAtLevel=" + stop.get() + " keeps C2 off; remove that flag";
        }
        if (!vm.contains("HotSpot") && !vm.contains("OpenJDK")) {
            return "the VM is " + vm + ", not HotSpot; the Vector API is only known to be compiled well by HotSpot's C2";
        }
        return null;
    }

    /** A HotSpot VM option's value, or empty where the VM or the option does not exist. */
    private static Optional<String> vmOption(String name) {
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? Optional.empty() : Optional.of(bean.getVMOption(name).getValue());
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Touches the Vector API: loaded only when the module is present. */
    private static final class PreferredShape {
        static final int BITS = jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize();
    }
}
