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

    private Platform() {
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
