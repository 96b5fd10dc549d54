package dev.lanes.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @Test
    void readsRecordedJmhOutput() throws IOException {
        List<Result> rows = Recorded.read(Recorded.BASELINE);
        Result peer = rows.stream().filter(r -> r.benchmark().endsWith("MatrixBench.gemv_vectorblas")
                && r.params().get("shape").equals("128x784")).findFirst().orElseThrow();
        assertEquals("MatrixBench.gemv", peer.group());
        assertEquals("vectorblas", peer.impl());
        assertTrue(peer.timeNs() > 0 && peer.errorNs() > 0);
        Result lanes = rows.stream().filter(r -> r.key().equals("MatrixBench.gemv shape=128x784 [vector]"))
                .findFirst().orElseThrow();
        assertTrue(lanes.isLanes());
        assertTrue(lanes.allocBytesPerOp() >= 0, "the recorded run used -prof gc");
        assertEquals(peer.caseKey(), lanes.caseKey());
    }

    @Test
    void convertsUnitsAndThroughputToNanosecondsPerOperation(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("units.json");
        Files.writeString(json, "[" + entry("avgt", 2.5, 0.5, "us/op") + "," + entry("thrpt", 4, 0.4, "ops/ms") + "]");
        List<Result> rows = JmhJson.read(json);
        assertEquals(2500, rows.get(0).timeNs(), 1e-9);
        assertEquals(500, rows.get(0).errorNs(), 1e-9);
        assertEquals(250_000, rows.get(1).timeNs(), 1e-6);
        assertEquals(25_000, rows.get(1).errorNs(), 1e-6);
        assertTrue(Double.isNaN(rows.get(0).allocBytesPerOp()));
    }

    private static String entry(String mode, double score, double error, String unit) {
        return "{\"benchmark\":\"dev.lanes.bench.Level1Bench.dot\",\"mode\":\"" + mode + "\",\"params\":{\"backend\":\"scalar\","
                + "\"n\":\"10\"},\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":" + error
                + ",\"scoreUnit\":\"" + unit + "\"}}";
    }

    @Test
    void rejectsAFileThatIsNotJmhJson(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"benchmark\": 1}");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> JmhJson.read(bad));
        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
    }

    @Test
    void speedupsAreSameRunRatiosWithPropagatedErrors() {
        Result scalar = Result.of("dev.lanes.bench.Level1Bench.dot", Map.of("backend", "scalar", "n", "1024"), 100, 3, 0);
        Result vector = Result.of("dev.lanes.bench.Level1Bench.dot", Map.of("backend", "vector", "n", "1024"), 25, 1, 0);
        Result peer = Result.of("dev.lanes.bench.Level1Bench.dot_vectorblas", Map.of("n", "1024"), 50, 0, 0);
        double[] s = Report.speedup(scalar, vector);
        assertEquals(4.0, s[0], 1e-12);
        assertEquals(4.0 * Math.hypot(0.03, 0.04), s[1], 1e-12);
        String table = Report.table(new ArrayList<>(List.of(peer, vector, scalar)));
        assertTrue(table.contains("x4.00 ±0.20 vector/scalar"), table);
        assertTrue(table.contains("x2.00 ±0.08 lanes(vector)/vectorblas"), table);
        // dot of 1024 floats: 2048 flops in 25 ns
        assertTrue(table.contains("81.92"), table);
    }

    @Test
    void ordersSizesByValue() {
        List<String> keys = new ArrayList<>(List.of("a n=1000000", "a n=64", "a n=10", "a n=1024"));
        keys.sort(Report::naturalOrder);
        assertArrayEquals(new String[] {"a n=10", "a n=64", "a n=1024", "a n=1000000"}, keys.toArray());
    }

    @Test
    void drawsThePngChart(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("run.png");
        Chart.write(Recorded.read(Recorded.BASELINE), "test", png);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        assertTrue(Files.size(png) > 10_000);
    }
}
