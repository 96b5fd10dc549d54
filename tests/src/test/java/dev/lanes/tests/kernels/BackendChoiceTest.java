package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the backend is chosen, in fresh JVMs: without the incubator module, auto picks scalar, logs
 * exactly one line that says why, and computes the same results; asking for vector there is an
 * error, never a silent fallback. A forced vector width is used, named and logged once; a bad one
 * is an error that names the property. Before JDK 25, a trap limit too low for the vector kernels is
 * named in one line (see the README, "How the backend is chosen").
 */
class BackendChoiceTest {

    /** A few results that depend on the backend's loops; compared bit for bit across JVMs. */
    static float[] sampleResults(Kernels k) {
        int n = 37;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.7) * 3;
        }
        float[] out = new float[n + 3];
        out[0] = k.dot(n, x, 0, x, 0);
        k.softmax(n, x, 0, out, 1);
        float[] t = new float[n];
        k.tanh(n, x, 0, t, 0);
        out[n + 1] = t[5];
        out[n + 2] = t[n - 1];
        return out;
    }

    private record Run(int exit, List<String> out, List<String> err) {
        String value(String key) {
            return out.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no '" + key + "' in " + out + " / " + err));
        }
    }

    /** The probe in a child JVM at this JVM's width (see {@link Width}), with {@code jvmFlags} after those. */
    private static Run probe(String... jvmFlags) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Width.javaCommand(List.of(jvmFlags), FallbackProbe.class)).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        return new Run(p.exitValue(), lines(out), lines(err));
    }

    private static List<String> lines(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    private static List<String> values(Run r) {
        return r.out().stream().filter(l -> l.startsWith("value ")).collect(Collectors.toList());
    }

    private static List<String> expectedScalarValues() {
        List<String> v = new ArrayList<>();
        for (float f : sampleResults(Kernels.scalar())) {
            v.add("value " + Float.floatToRawIntBits(f));
        }
        return v;
    }

    @Test
    void withoutTheModuleAutoPicksScalarLogsOneLineAndComputesTheSame() throws Exception {
        Run r = probe();
        assertEquals(0, r.exit(), String.join("\n", r.err()));
        assertEquals("scalar", r.value("backend"));
        List<String> logLines = r.err().stream().filter(l -> l.contains("lanes uses the scalar kernels")).collect(Collectors.toList());
        assertEquals(1, logLines.size(), "exactly one log line about the fallback: " + r.err());
        assertTrue(logLines.get(0).contains("--add-modules jdk.incubator.vector"), "the line names the flag: " + logLines);
        assertEquals(expectedScalarValues(), values(r));
    }

    @Test
    void withTheModuleAutoPicksVectorSilently() throws Exception {
        Run r = probe("--add-modules", "jdk.incubator.vector");
        assertEquals("vector", r.value("backend"));
        assertTrue(r.err().stream().noneMatch(l -> l.contains("lanes uses")), "no log line at the default level: " + r.err());
        boolean forced = System.getProperty(Backends.VECTOR_BITS_PROPERTY) != null;
        assertEquals(forced ? 1 : 0, forcedWidthLines(r).size(), "a line only when the width is forced: " + r.err());
        assertEquals(forced, r.value("describe").contains("forced by -Dlanes.vectorBits"), r.value("describe"));
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1000})
    void aTrapLimitTooLowForTheVectorKernelsIsLoggedOnceBeforeJdk25(int limit) throws Exception {
        Run r = probe("--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=" + limit);
        assertEquals("vector", r.value("backend"));
        List<String> advice = r.err().stream().filter(l -> l.contains("PerMethodTrapLimit")).collect(Collectors.toList());
        boolean expected = limit < 1000 && Runtime.version().feature() < 25;
        assertEquals(expected ? 1 : 0, advice.size(), "the advice only below the needed limit, before JDK 25: " + r.err());
        if (expected) {
            assertTrue(advice.get(0).contains("-XX:PerMethodTrapLimit=" + limit + ",")
                    && advice.get(0).contains("start java with -XX:PerMethodTrapLimit=1000"), advice.get(0));
        }
    }

    private static List<String> forcedWidthLines(Run r) {
        return r.err().stream().filter(l -> l.contains("forced width")).collect(Collectors.toList());
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void aForcedWidthIsUsedNamedAndLoggedOnce(int bits) throws Exception {
        Run r = probe("--add-modules", "jdk.incubator.vector", "-Dlanes.vectorBits=" + bits);
        assertEquals(0, r.exit(), String.join("\n", r.err()));
        assertEquals("vector", r.value("backend"));
        assertEquals(String.valueOf(bits), r.value("bits"));
        String describe = r.value("describe");
        assertTrue(describe.startsWith("vector(" + bits + "-bit, " + bits / 32 + " lanes, forced by -Dlanes.vectorBits="
                + bits), describe);
        boolean emulated = bits > jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize();
        assertEquals(emulated, describe.contains("emulated"), describe);
        assertTrue(r.value("explanation").contains(describe), r.value("explanation"));
        List<String> lines = forcedWidthLines(r);
        assertEquals(1, lines.size(), "one log line: " + r.err());
        assertTrue(lines.get(0).contains(describe), lines.get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"100", "64", "1024", "wide", ""})
    void aBadWidthIsAnErrorNamingTheProperty(String value) throws Exception {
        for (String backend : new String[] {"auto", "vector"}) {
            Run r = probe("--add-modules", "jdk.incubator.vector", "-Dlanes.vectorBits=" + value, "-Dlanes.backend=" + backend);
            String error = r.value("error");
            assertTrue(error.startsWith("IllegalArgumentException: -Dlanes.vectorBits='" + value + "'")
                    && error.contains("128, 256 or 512"), error);
        }
        Run scalar = probe("--add-modules", "jdk.incubator.vector", "-Dlanes.vectorBits=" + value, "-Dlanes.backend=scalar");
        assertEquals("scalar", scalar.value("backend"), "the width does not concern the scalar backend");
    }

    @Test
    void interpreterOnlyFallsBackAndSaysWhy() throws Exception {
        Run r = probe("--add-modules", "jdk.incubator.vector", "-Xint");
        assertEquals("scalar", r.value("backend"));
        assertTrue(r.value("explanation").contains("-Xint"), r.out().toString());
    }

    @Test
    void explicitScalarIsHonoured() throws Exception {
        Run r = probe("--add-modules", "jdk.incubator.vector", "-Dlanes.backend=scalar");
        assertEquals("scalar", r.value("backend"));
        assertEquals(expectedScalarValues(), values(r));
    }

    @Test
    void vectorRequestedWhereItCannotRunIsAnError() throws Exception {
        Run r = probe("-Dlanes.backend=vector");
        String error = r.value("error");
        assertTrue(error.startsWith("VectorBackendUnavailableException") && error.contains("--add-modules"), error);
        assertEquals("true", r.value("unsupported"), "still an UnsupportedOperationException for existing callers");
        assertTrue(r.value("reason").startsWith("the module jdk.incubator.vector is not loaded"), r.value("reason"));
    }

    @Test
    void unknownBackendNameIsAnError() throws Exception {
        Run r = probe("--add-modules", "jdk.incubator.vector", "-Dlanes.backend=gpu");
        String error = r.value("error");
        assertTrue(error.startsWith("IllegalArgumentException") && error.contains("lanes.backend"), error);
    }

    @Test
    void namedLooksUpBackendsInProcess() {
        assertEquals("scalar", Kernels.named("SCALAR").name());
        assertEquals("vector", Kernels.named(" vector ").name());
        assertEquals(Kernels.get(), Kernels.named("auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.named("simd"));
        assertTrue(e.getMessage().contains("simd"));
        assertThrows(IllegalArgumentException.class, () -> Kernels.named(null));
    }
}
