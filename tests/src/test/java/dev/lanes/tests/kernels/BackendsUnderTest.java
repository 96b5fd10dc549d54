package dev.lanes.tests.kernels;

import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every backend that can run in this JVM; parity tests run each through the same cases. */
final class BackendsUnderTest {
    private BackendsUnderTest() {
    }

    static List<Kernels> all() {
        List<Kernels> list = new ArrayList<>();
        list.add(Kernels.scalar());
        // The test JVM runs with --add-modules jdk.incubator.vector, so vector must be available:
        // failing here is better than silently testing scalar twice.
        if (Backends.vectorUnavailableReason().isPresent()) {
            throw new AssertionError("vector backend unavailable in the test JVM: " + Backends.vectorUnavailableReason().get());
        }
        list.add(Kernels.vector());
        return list;
    }

    static Stream<Kernels> stream() {
        return all().stream();
    }
}
