package dev.lanes.tests.kernels;

import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import dev.lanes.kernels.VectorBackendUnavailableException;

/**
 * Run in a child JVM by {@link BackendChoiceTest}: prints the chosen backend and a few results, one
 * per line, so the parent can compare them with its own scalar results.
 */
public final class FallbackProbe {
    private FallbackProbe() {
    }

    public static void main(String[] args) {
        Kernels k;
        try {
            k = Kernels.get();
        } catch (RuntimeException e) {
            System.out.println("error " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.out.println("unsupported " + (e instanceof UnsupportedOperationException));
            if (e instanceof VectorBackendUnavailableException) {
                System.out.println("reason " + ((VectorBackendUnavailableException) e).reason());
            }
            return;
        }
        System.out.println("backend " + k.name());
        System.out.println("describe " + k.describe());
        System.out.println("bits " + Backends.vectorBits().orElse(0));
        System.out.println("explanation " + Backends.choiceExplanation());
        for (float v : BackendChoiceTest.sampleResults(k)) {
            System.out.println("value " + Float.floatToRawIntBits(v));
        }
    }
}
