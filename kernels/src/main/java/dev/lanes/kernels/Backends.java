package dev.lanes.kernels;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the backend and its vector width are chosen, once per JVM.
 *
 * <p>The system property {@value #PROPERTY} ({@code scalar}, {@code vector} or {@code auto}, the
 * default) decides what {@link Kernels#get()} returns. {@code auto} picks the vector backend when the
 * module {@code jdk.incubator.vector} is in the boot layer (run with
 * {@code --add-modules jdk.incubator.vector}), the VM is HotSpot with its optimizing compiler (C2;
 * not {@code -Xint}, not a client VM or {@code -XX:TieredStopAtLevel} below 4), the CPU has fused
 * multiply-add and the preferred vector size is at least 128 bits. Otherwise it picks scalar and
 * logs exactly one line, through {@link System.Logger} {@code dev.lanes.kernels}, that says why and
 * what to change. Asking for {@code vector} where it cannot run throws
 * {@link VectorBackendUnavailableException}; it never falls back silently. The probes themselves live
 * in {@link Platform}.
 *
 * <p>The vector backend uses the CPU's preferred vector width (at most 512 bits), unless the system
 * property {@value #VECTOR_BITS_PROPERTY} ({@code 128}, {@code 256} or {@code 512}) forces one. That
 * is for tests and benchmarks: it lets one machine run the loops that a 4-lane (ARM NEON) or 16-lane
 * (AVX-512) machine runs. A width wider than the CPU's is computed exactly but emulated in Java, many
 * times slower than scalar; the backend then logs one line at level INFO, and
 * {@link Kernels#describe()} names the width and whether it was forced. Any other value is an
 * {@link IllegalArgumentException} wherever the vector backend is asked for. The library only reads
 * these properties; it never sets one.
 */
public final class Backends {
    /** The system property that overrides the choice: {@code scalar}, {@code vector} or {@code auto}. */
    public static final String PROPERTY = "lanes.backend";

    /** The system property that forces the vector width, in bits: {@code 128}, {@code 256} or {@code 512}. */
    public static final String VECTOR_BITS_PROPERTY = "lanes.vectorBits";

    private static final System.Logger LOG = System.getLogger("dev.lanes.kernels");

    private Backends() {
    }

    /** Why the vector backend cannot run here, or empty when it can. */
    public static Optional<String> vectorUnavailableReason() {
        return Optional.ofNullable(VectorHolder.REASON);
    }

    /**
     * The vector backend's width in bits (128, 256 or 512; the lane count is a 32nd of it), or empty
     * where it cannot run.
     */
    public static OptionalInt vectorBits() {
        return VectorHolder.INSTANCE == null ? OptionalInt.empty() : OptionalInt.of(VectorHolder.INSTANCE.vectorBits());
    }

    /** One line: which backend {@link Kernels#get()} uses and why. */
    public static String choiceExplanation() {
        return Choice.EXPLANATION;
    }

    static Kernels vector() {
        if (VectorHolder.INSTANCE == null) {
            if (VectorHolder.BAD_WIDTH) {
                throw new IllegalArgumentException(VectorHolder.REASON);
            }
            throw new VectorBackendUnavailableException("the vector backend cannot run: " + VectorHolder.REASON,
                    VectorHolder.REASON);
        }
        return VectorHolder.INSTANCE;
    }

    static Kernels chosen() {
        if (Choice.INSTANCE == null) {
            if (Choice.BAD_PROPERTY) {
                throw new IllegalArgumentException(Choice.EXPLANATION);
            }
            throw new VectorBackendUnavailableException("-D" + PROPERTY + "=vector was given, but the vector backend"
                    + " cannot run: " + VectorHolder.REASON, VectorHolder.REASON);
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

    /**
     * The width that {@value #VECTOR_BITS_PROPERTY} forces, or 0 when it is not set.
     *
     * @throws IllegalArgumentException for a value other than 128, 256 or 512
     */
    static int forcedVectorBits() {
        String raw = System.getProperty(VECTOR_BITS_PROPERTY);
        if (raw == null) {
            return 0;
        }
        switch (raw.trim()) {
            case "128":
                return 128;
            case "256":
                return 256;
            case "512":
                return 512;
            default:
                throw new IllegalArgumentException("-D" + VECTOR_BITS_PROPERTY + "='" + raw
                        + "' is not a vector width lanes can use: give 128, 256 or 512 (bits), or leave it unset"
                        + " for the CPU's preferred width");
        }
    }

    /** The vector backend, loaded lazily so that its classes are never touched where they cannot link. */
    private static final class VectorHolder {
        static final Kernels INSTANCE;
        static final String REASON;
        static final boolean BAD_WIDTH;

        static {
            Kernels instance = null;
            boolean badWidth = false;
            String reason;
            try {
                reason = environmentProblem(forcedVectorBits());
            } catch (IllegalArgumentException e) {
                reason = e.getMessage();
                badWidth = true;
            }
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
            BAD_WIDTH = badWidth;
            if (instance != null && Platform.TRAP_LIMIT_ADVICE != null) {
                LOG.log(System.Logger.Level.INFO, "lanes needs a higher C2 trap limit on this JDK: {0}",
                        Platform.TRAP_LIMIT_ADVICE);
            }
            if (instance != null && forcedVectorBits() != 0) {
                LOG.log(System.Logger.Level.INFO, "lanes runs its vector kernels at a forced width, for tests and"
                        + " benchmarks only: {0}", instance.describe());
            }
        }

        private static String environmentProblem(int forcedBits) {
            if (!Platform.VECTOR_MODULE) {
                return "the module jdk.incubator.vector is not loaded; pass --add-modules jdk.incubator.vector to java";
            }
            if (Platform.JIT_PROBLEM != null) {
                return Platform.JIT_PROBLEM;
            }
            if (!Platform.FMA) {
                return "the CPU has no fused multiply-add (or -XX:-UseFMA is set): the Vector API would emulate it"
                        + " lane by lane, far slower than scalar";
            }
            int preferred = Platform.preferredVectorBits();
            if (forcedBits == 0 && preferred < 128) {
                return "the preferred vector size is " + preferred + " bits, below 128: vector code would not beat"
                        + " scalar on this CPU or with this -XX:MaxVectorSize";
            }
            return null;
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
            boolean bad = requested == null;
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
            } else if (VectorHolder.BAD_WIDTH) {
                chosen = null;
                why = VectorHolder.REASON;
                bad = true;
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
            BAD_PROPERTY = bad;
        }
    }
}
