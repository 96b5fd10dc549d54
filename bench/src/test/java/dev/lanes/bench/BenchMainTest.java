package dev.lanes.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit status on recorded runs: what a CI pipeline relies on. */
class BenchMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void noiseBetweenTwoRealRunsPasses() {
        String base = Recorded.path(Recorded.BASELINE).toString();
        String rerun = Recorded.path(Recorded.RERUN).toString();
        assertEquals(0, run("--report", rerun, "--no-chart", "--baseline", base, "--threshold", "10%"), out + "\n" + err);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("0 regressed"));
    }

    @Test
    void aRegressedJsonFileFailsTheRun(@TempDir Path dir) throws IOException {
        Path slowed = dir.resolve("slowed.json");
        JsonArray rows = JsonParser.parseString(Files.readString(Recorded.path(Recorded.RERUN))).getAsJsonArray();
        for (JsonElement e : rows) {
            JsonObject o = e.getAsJsonObject();
            JsonObject params = o.getAsJsonObject("params");
            if (o.get("benchmark").getAsString().endsWith("MatrixBench.gemv") && params.get("backend").getAsString().equals("vector")
                    && params.get("shape").getAsString().equals("128x784")) {
                JsonObject primary = o.getAsJsonObject("primaryMetric");
                primary.addProperty("score", primary.get("score").getAsDouble() * 2.5);
            }
        }
        Files.writeString(slowed, rows.toString());
        Path saved = dir.resolve("sub/baseline.json");
        assertEquals(0, run("--report", Recorded.path(Recorded.BASELINE).toString(), "--no-chart", "--save-baseline", saved.toString()));
        assertEquals(1, run("--report", slowed.toString(), "--baseline", saved.toString()), out.toString(StandardCharsets.UTF_8));
        assertTrue(Files.size(dir.resolve("slowed.png")) > 10_000, "the chart goes next to the JSON");
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("1 regressed"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("regression against"));
        // a threshold above the change (about +146% after normalisation) lets the same slowdown through
        assertEquals(0, run("--report", slowed.toString(), "--baseline", saved.toString(), "--threshold", "200%"));
    }

    @Test
    void badUsageIsExitTwoWithAMessage() {
        assertEquals(2, run("--threshold", "ten"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threshold"));
        assertEquals(2, run("--frobnicate"));
        assertEquals(2, run("--forks", "0"));
        assertEquals(2, run("--report", "/nonexistent/run.json"));
        assertEquals(0, run("--help"));
    }
}
