package dev.lanes.kernels;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * How the backend is chosen, once per JVM.
 *
 * <p>The system property {@value #PROPERTY} ({@code scalar}, {@code vector} or {@code auto}, the
 * default) decides what {@link Kernels#get()} returns. {@code auto} picks the vector backend when the
 * module {@code jdk.incubator.vector} is in the boot layer (run with
 * {@code --add-modules jdk.incubator.vector}), the VM is HotSpot with its optimizing compiler (C2;
 * not {@code -Xint}, not a client VM or {@code -XX:TieredStopAtLevel} below 4) and the preferred
 * vector size is at least 128 bits. Otherwise it picks scalar and logs exactly one line, through
 * {@link System.Logger} {@code dev.lanes.kernels}, that says why and what to change. Asking for
 * {@code vector} where it cannot run throws {@link UnsupportedOperationException}; it never falls back
 * silently. The library only reads the property; it never sets one.
 */
public final class Backends {
    /** The system property that overrides the choice: {@code scalar}, {@code vector} or {@code auto}. */
    public static final String PROPERTY = "lanes.backend";

    private static final System.Logger LOG = System.getLogger("dev.lanes.kernels");

    private Backends() {
    }

    /** Why the vector backend cannot run here, or empty when it can. */
    public static Optional<String> vectorUnavailableReason() {
        return Optional.ofNullable(VectorHolder.REASON);
    }

    /** One line: which backend {@link Kernels#get()} uses and why. */
    public static String choiceExplanation() {
        return Choice.EXPLANATION;
    }

    static Kernels vector() {
        if (VectorHolder.INSTANCE == null) {
            throw new UnsupportedOperationException("the vector backend cannot run: " + VectorHolder.REASON);
        }
        return VectorHolder.INSTANCE;
    }

    static Kernels chosen() {
        if (Choice.INSTANCE == null) {
            if (Choice.BAD_PROPERTY) {
                throw new IllegalArgumentException(Choice.EXPLANATION);
            }
            throw new UnsupportedOperationException("-D" + PROPERTY + "=vector was given, but the vector backend"
                    + " cannot run: " + VectorHolder.REASON);
        }
        return Choice.INSTANCE;
    }

    static Kernels named(String name) {
        switch (normalize(name, "name")) {
            case "scalar":
                return ScalarKernels.INSTANCE;
            case "vector":
                return vector();
            default:
                return chosen();
        }
    }

    private static String normalize(String name, String what) {
        if (name == null) {
            throw new IllegalArgumentException(what + " must be one of scalar, vector, auto; got null");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!n.equals("scalar") && !n.equals("vector") && !n.equals("auto")) {
            throw new IllegalArgumentException(what + " must be one of scalar, vector, auto; got '" + name + "'");
        }
        return n;
    }

    /** The vector backend, loaded lazily so that its classes are never touched where they cannot link. */
    private static final class VectorHolder {
        static final Kernels INSTANCE;
        static final String REASON;

        static {
            Kernels instance = null;
            String reason = environmentProblem();
            if (reason == null) {
                try {
                    instance = (Kernels) Class.forName("dev.lanes.kernels.VectorKernels")
                            .getDeclaredField("INSTANCE").get(null);
                } catch (ReflectiveOperationException | LinkageError e) {
                    Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
                    reason = "the Vector API failed to load (" + cause + ")";
                }
            }
            INSTANCE = instance;
            REASON = instance == null ? reason : null;
        }

        private static String environmentProblem() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return "the module jdk.incubator.vector is not loaded; pass --add-modules jdk.incubator.vector to java";
            }
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

        private static Optional<String> vmOption(String name) {
            try {
                com.sun.management.HotSpotDiagnosticMXBean bean =
                        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                return bean == null ? Optional.empty() : Optional.of(bean.getVMOption(name).getValue());
            } catch (RuntimeException | LinkageError e) {
                return Optional.empty();
            }
        }
    }

    /** The backend {@link Kernels#get()} returns, decided once. */
    private static final class Choice {
        static final Kernels INSTANCE;
        static final String EXPLANATION;
        static final boolean BAD_PROPERTY;

        static {
            String raw = System.getProperty(PROPERTY);
            String requested;
            try {
                requested = raw == null ? "auto" : normalize(raw, "-D" + PROPERTY);
            } catch (IllegalArgumentException e) {
                requested = null;
            }
            Kernels chosen;
            String why;
            if (requested == null) {
                chosen = null;
                why = "-D" + PROPERTY + "='" + raw + "' is not one of scalar, vector, auto";
            } else if (requested.equals("scalar")) {
                chosen = ScalarKernels.INSTANCE;
                why = "scalar: requested by -D" + PROPERTY + "=scalar";
                LOG.log(System.Logger.Level.DEBUG, "lanes uses the scalar kernels, as -D{0}=scalar asks", PROPERTY);
            } else if (VectorHolder.INSTANCE != null) {
                chosen = VectorHolder.INSTANCE;
                why = chosen.describe() + ": " + (requested.equals("vector") ? "requested by -D" + PROPERTY + "=vector"
                        : "the Vector API is available");
                LOG.log(System.Logger.Level.DEBUG, "lanes uses the {0} kernels", chosen.describe());
            } else if (requested.equals("vector")) {
                chosen = null;
                why = "none: -D" + PROPERTY + "=vector was given but " + VectorHolder.REASON;
            } else {
                chosen = ScalarKernels.INSTANCE;
                why = "scalar: " + VectorHolder.REASON;
                LOG.log(System.Logger.Level.WARNING, "lanes uses the scalar kernels because {0}", VectorHolder.REASON);
            }
            INSTANCE = chosen;
            EXPLANATION = why;
            BAD_PROPERTY = requested == null;
        }
    }
}
