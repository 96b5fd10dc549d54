package dev.lanes.kernels;

/**
 * The vector backend was asked for ({@link Kernels#vector()}, {@code Kernels.named("vector")} or
 * {@code -Dlanes.backend=vector}) where it cannot run. {@link #reason()} says why and what to change
 * (for example "pass --add-modules jdk.incubator.vector to java"). It extends
 * {@link UnsupportedOperationException}, which lanes threw here before this type existed, so that
 * code catching that keeps working.
 */
public final class VectorBackendUnavailableException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    VectorBackendUnavailableException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** Why the vector backend cannot run in this JVM, as one sentence without the preamble of the message. */
    public String reason() {
        return reason;
    }
}
