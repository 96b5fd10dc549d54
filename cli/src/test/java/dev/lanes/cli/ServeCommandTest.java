package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.nn.Activation;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@code lanes serve} as a process: its start line, answers, and a clean stop on SIGTERM. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    @DisabledOnOs(OS.WINDOWS) // destroy() is SIGTERM on Unix only
    void servesUntilSigtermThenStopsCleanly() throws Exception {
        Path model = dir.resolve("m.safetensors");
        ModelFile.save(model, Network.glorot(new int[] {3, 4, 2},
                new Activation[] {Activation.TANH, Activation.SOFTMAX}, 1), Map.of());
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "dev.lanes.cli.Main", "serve", "--model", model.toString(),
                "--port", "0", "--threads", "2", "--warmup", "0.2").redirectErrorStream(true).start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CompletableFuture<String> startLine = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    if (line.startsWith("lanes serve: " + model)) {
                        startLine.complete(line);
                    }
                }
            } catch (java.io.IOException e) {
                startLine.completeExceptionally(e);
            }
            startLine.complete(null);
        });
        reader.start();
        try {
            String start = startLine.get(120, TimeUnit.SECONDS);
            assertNotNull(start, "no start line in " + lines);
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+), backend \\S.*, 2 threads, queue 64, warmed up in")
                    .matcher(start);
            assertTrue(m.find(), start);
            int port = Integer.parseInt(m.group(1));

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "warm before the start line: " + health.body());
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/predict")).POST(HttpRequest.BodyPublishers.ofString("{\"rows\": [[1, 2, 3]]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().matches("\\{\"classes\":\\[[01]],\"probabilities\":\\[\\[[^\\]]+]]}"), answer.body());

            // The handle, not Process.destroy(), which also closes our end of the child's output.
            assertTrue(p.toHandle().destroy(), "SIGTERM sent");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIGTERM");
            reader.join(10_000);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(143, p.exitValue(), "exit status of SIGTERM: " + lines);
        assertTrue(lines.contains("lanes serve: stopping, finishing the requests in flight"), lines.toString());
        assertEquals("lanes serve: stopped", lines.get(lines.size() - 1), lines.toString());
    }
}
