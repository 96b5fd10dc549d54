package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import picocli.CommandLine.Option;

/** {@code --backend}: the kernel backend, shared by every command that computes. */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "scalar|vector|auto",
            converter = Flags.BackendName.class, description = "Kernel backend (default: ${DEFAULT-VALUE}).")
    String name;

    /**
     * The backend. One that cannot run here (vector without the incubator module or the JIT) is a
     * problem of the environment, not of the flag: exit code 1, with the reason.
     */
    Kernels kernels() {
        try {
            return Kernels.named(name);
        } catch (UnsupportedOperationException e) {
            throw new UserException(e.getMessage());
        }
    }
}
