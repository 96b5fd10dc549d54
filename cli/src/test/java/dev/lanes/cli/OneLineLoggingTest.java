package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The command line logs one line per record; the JDK's default format takes two. */
class OneLineLoggingTest {
    /**
     * The README's promise, in a fresh JVM without the incubator module: the backend's fallback is
     * exactly one line on standard error.
     */
    @Test
    void theScalarFallbackIsOneLine() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "gradcheck", "--layers", "4,3").start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("lanes: warning: lanes uses the scalar kernels because the module "
                + "jdk.incubator.vector is not loaded"), lines.get(0));
        assertTrue(out.contains("backend scalar"), out);
    }

    @Test
    void aRecordIsOneLineWithItsParametersAndCause() {
        LogRecord r = new LogRecord(Level.WARNING, "rate {0}\nnow {1}");
        r.setParameters(new Object[] {"0.5", 3});
        r.setThrown(new IllegalStateException("boom"));
        assertEquals("lanes: warning: rate 0.5 now 3 (java.lang.IllegalStateException: boom)" + System.lineSeparator(),
                new OneLineLogging.OneLine().format(r));
        assertEquals("lanes: error: x" + System.lineSeparator(),
                new OneLineLogging.OneLine().format(new LogRecord(Level.SEVERE, "x")));
    }
}
