package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./lanes} script, run from a copy in an empty directory so that it must build, with a
 * stand-in {@code mvn} on the PATH that records its arguments and prints colour codes.
 */
class LanesScriptTest {
    /** The script at the project's root; tests run in the module's directory. */
    static final Path SCRIPT = Path.of("..", "lanes").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private Run lanes(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("project"));
        Path script = Files.copy(SCRIPT, root.resolve("lanes"), StandardCopyOption.REPLACE_EXISTING);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n"
                + "echo \"$@\" >> '" + dir.resolve("mvn-args") + "'\n"
                + "printf '\\033[0m\\033[1;31m[ERROR]\\033[m stand-in Maven\\n'\n"
                + "exit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void javaHomePointingNowhereIsASentence() throws Exception {
        Run r = lanes(Map.of("JAVA_HOME", dir.resolve("nowhere").toString()), "info");
        assertEquals(1, r.code());
        assertEquals("lanes: JAVA_HOME is '" + dir.resolve("nowhere") + "', which has no bin/java; point it at a "
                + "JDK 17 or newer, or unset it to use the java on PATH", r.err().strip());
        assertFalse(Files.exists(dir.resolve("mvn-args")), "nothing was built");
    }

    /**
     * Point 9: the build packages into the project (no install into ~/.m2); point 8: where standard
     * error is not a terminal (here a pipe), Maven's colour codes are left out; a failed build ends
     * with a sentence.
     */
    @Test
    void theBuildPackagesIntoTheProjectWithoutColourCodes() throws Exception {
        Run r = lanes(Map.of(), "info");
        assertEquals(1, r.code());
        assertFalse(r.err().contains("\u001b"), "no escape characters: " + r.err());
        assertTrue(r.err().contains("[ERROR] stand-in Maven"), r.err());
        assertTrue(r.err().strip().endsWith("lanes: building the command line failed (Maven's messages are above)"),
                r.err());
        String args = Files.readString(dir.resolve("mvn-args")).strip();
        assertTrue(args.contains("-pl cli -am package"), args);
        assertFalse(args.contains("install"), args);

        Files.delete(dir.resolve("mvn-args"));
        r = lanes(Map.of(), "bench", "--smoke");
        assertEquals(1, r.code());
        args = Files.readString(dir.resolve("mvn-args")).strip();
        assertTrue(args.contains("-pl bench -am package"), args);
        assertFalse(args.contains("install"), args);
    }
}
