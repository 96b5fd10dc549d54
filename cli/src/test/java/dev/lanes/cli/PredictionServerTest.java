package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import dev.lanes.nn.Predictor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server in this JVM on an ephemeral port, driven by java.net.http clients. */
class PredictionServerTest {
    private static final int IN = 20;
    private static final int OUT = 4;

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<PredictionServer> servers = new ArrayList<>();
    private Path modelFile;
    private ModelFile.Model model;
    private Predictor predictor;

    @BeforeEach
    void model() throws Exception {
        Network net = Network.glorot(new int[] {IN, 12, OUT}, new Activation[] {Activation.TANH, Activation.SOFTMAX}, 3);
        modelFile = dir.resolve("m.safetensors");
        ModelFile.save(modelFile, net, Map.of("input_max", "255"));
        model = ModelFile.load(modelFile);
        predictor = Predictor.of(model, Kernels.get());
    }

    @AfterEach
    void stop() {
        servers.forEach(PredictionServer::stop);
    }

    private PredictionServer start(int threads, int queue, long maxBody) throws IOException {
        PredictionServer s = PredictionServer.start(modelFile, model, predictor,
                new PredictionServer.Settings("127.0.0.1", 0, threads, queue, maxBody, 10_000));
        servers.add(s);
        return s;
    }

    private HttpResponse<String> send(PredictionServer s, String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, publisher).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static float[][] rows(int m, SplittableRandom r) {
        float[][] rows = new float[m][IN];
        for (float[] row : rows) {
            for (int j = 0; j < IN; j++) {
                row[j] = r.nextInt(256);
            }
        }
        return rows;
    }

    private static String body(float[][] rows) {
        StringBuilder sb = new StringBuilder("{\"rows\": [");
        for (int i = 0; i < rows.length; i++) {
            sb.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < rows[i].length; j++) {
                sb.append(j == 0 ? "" : ",").append((int) rows[i][j]);
            }
            sb.append(']');
        }
        return sb.append("]}").toString();
    }

    /** The answer the server must give: the predictor's own outputs, written with Float.toString. */
    private String expected(float[][] rows) {
        float[][] out = new float[rows.length][OUT];
        if (rows.length == 1) {
            predictor.predict(rows[0], out[0]);
        } else {
            predictor.predictRows(rows, out);
        }
        StringBuilder classes = new StringBuilder();
        StringBuilder probs = new StringBuilder();
        for (int i = 0; i < rows.length; i++) {
            classes.append(i == 0 ? "" : ",").append(Predictor.argmax(out[i], 0, OUT));
            probs.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < OUT; j++) {
                probs.append(j == 0 ? "" : ",").append(out[i][j]);
            }
            probs.append(']');
        }
        return "{\"classes\":[" + classes + "],\"probabilities\":[" + probs + "]}";
    }

    private static void assertError(HttpResponse<String> r, int status, String message) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"error\":\"") && r.body().contains(message),
                "expected '" + message + "' in: " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void aBurstFromSeveralThreadsGetsEveryAnswerRight() throws Exception {
        PredictionServer s = start(2, 64, 1 << 20);
        s.ready();
        int clients = 6;
        int requests = 25;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> checked = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int seed = c;
                checked.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    int n = 0;
                    for (int i = 0; i < requests; i++) {
                        float[][] rows = rows(1 + r.nextInt(i % 3 == 0 ? 1 : 70), r);
                        HttpResponse<String> resp = send(s, "POST", "/v1/predict", body(rows));
                        assertEquals(200, resp.statusCode(), resp.body());
                        assertEquals(expected(rows), resp.body(), "client " + seed + " request " + i);
                        n++;
                    }
                    return n;
                }));
            }
            int answered = 0;
            for (Future<Integer> f : checked) {
                answered += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(clients * requests, answered);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyBadRequestGetsItsStatusAndASentence() throws Exception {
        PredictionServer s = start(2, 8, 2000);
        s.ready();
        String good = body(rows(1, new SplittableRandom(1)));
        assertEquals(200, send(s, "POST", "/v1/predict", good).statusCode());

        assertError(send(s, "POST", "/v1/predict", "{\"rows\": [[1,2,3"), 400,
                "rows[0]: expected ',' or ']' after column 2, found the end of the body (character 16)");
        assertError(send(s, "POST", "/v1/predict", "{\"rows\": [[" + "1,".repeat(IN - 1) + "1], [1,2,3]]}"), 400,
                "rows[1] has 3 values, the model takes " + IN);
        assertError(send(s, "POST", "/v1/predict", "{\"rows\": [[" + "1,".repeat(IN - 1) + "true]]}"), 400,
                "rows[0][" + (IN - 1) + "]: expected a number, found 't'");
        assertError(send(s, "POST", "/v1/predict", "not json"), 400, "the body must be a JSON object");

        String big = "{\"rows\": [" + (good.substring(10, good.length() - 2) + ",").repeat(40) + "]}";
        assertTrue(big.length() > 2000);
        assertError(send(s, "POST", "/v1/predict", big), 413, "the body has " + big.length() + " bytes, the limit is 2000");
        // Without a Content-Length (chunked), the limit holds while reading.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/predict"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build();
        assertError(client.send(chunked, HttpResponse.BodyHandlers.ofString()), 413, "over the limit of 2000 bytes");

        assertError(send(s, "GET", "/v1/predict", null), 405, "GET is not allowed on /v1/predict; use POST");
        assertEquals("POST", send(s, "GET", "/v1/predict", null).headers().firstValue("Allow").orElse(""));
        assertError(send(s, "POST", "/health", "{}"), 405, "use GET");
        assertError(send(s, "DELETE", "/v1/model", null), 405, "use GET");
        assertError(send(s, "GET", "/v2/predict", null), 404, "no such path: /v2/predict");
        assertError(send(s, "POST", "/", good), 404, "no such path: /");
        // The server still answers correctly after all that.
        assertEquals(expected(rows(1, new SplittableRandom(1))), send(s, "POST", "/v1/predict", good).body());
    }

    @Test
    void healthWaitsForTheWarmUpAndModelDescribesTheModel() throws Exception {
        PredictionServer s = start(1, 1, 1000);
        // TCP_NODELAY: without it every kept-alive response waited 40 ms for a delayed ACK (see start()).
        assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
        assertEquals(503, send(s, "GET", "/health", null).statusCode());
        assertEquals("{\"status\":\"warming up\"}", send(s, "GET", "/health", null).body());
        s.ready();
        HttpResponse<String> health = send(s, "GET", "/health", null);
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", health.body());
        String m = send(s, "GET", "/v1/model", null).body();
        for (String part : List.of("\"layers\":[20,12,4]", "\"activations\":[\"tanh\",\"softmax\"]", "\"input_max\":255.0",
                "\"checksum\":\"verified\"", "\"sha256\":\"" + model.checksum().orElseThrow() + "\"",
                "\"backend\":\"" + Kernels.get().describe() + "\"", "\"output\":\"probabilities\"", "\"trained_on\":null")) {
            assertTrue(m.contains(part), part + " in " + m);
        }
    }

    /** One worker, one waiting place: the third request at once is refused, the first two are answered. */
    @Test
    void aFullQueueIsA503AndTheAdmittedRequestsAreAnswered() throws Exception {
        PredictionServer s = start(1, 1, 1 << 20);
        s.ready();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        s.beforePredict(() -> {
            entered.countDown();
            await(release);
        });
        float[][] rows = rows(2, new SplittableRandom(5));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<HttpResponse<String>> first = pool.submit(() -> send(s, "POST", "/v1/predict", body(rows)));
            assertTrue(entered.await(30, TimeUnit.SECONDS));
            Future<HttpResponse<String>> second = pool.submit(() -> send(s, "POST", "/v1/predict", body(rows)));
            for (int attempt = 0; attempt < 3000 && s.admitted() < 2; attempt++) {
                Thread.sleep(10); // until the second request has its place in the queue
            }
            assertEquals(2, s.admitted());
            HttpResponse<String> third = send(s, "POST", "/v1/predict", body(rows));
            assertError(third, 503, "busy: 2 requests are in progress or waiting (--threads 1, --queue 1); retry later");
            release.countDown();
            assertEquals(expected(rows), first.get(30, TimeUnit.SECONDS).body());
            assertEquals(expected(rows), second.get(30, TimeUnit.SECONDS).body());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /** Stopping finishes what was admitted; meanwhile health and new predictions say 503; then the port closes. */
    @Test
    void stoppingFinishesTheRequestsInFlight() throws Exception {
        PredictionServer s = start(2, 2, 1 << 20);
        s.ready();
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        s.beforePredict(() -> {
            entered.countDown();
            await(release);
        });
        float[][] rows = rows(3, new SplittableRandom(6));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<HttpResponse<String>> a = pool.submit(() -> send(s, "POST", "/v1/predict", body(rows)));
            Future<HttpResponse<String>> b = pool.submit(() -> send(s, "POST", "/v1/predict", body(rows)));
            assertTrue(entered.await(30, TimeUnit.SECONDS));
            Future<Integer> stopped = pool.submit(s::stop);
            HttpResponse<String> health = null;
            for (int attempt = 0; attempt < 200 && (health == null || health.statusCode() != 503); attempt++) {
                Thread.sleep(10);
                health = send(s, "GET", "/health", null);
            }
            assertEquals("{\"status\":\"stopping\"}", health.body());
            assertError(send(s, "POST", "/v1/predict", body(rows)), 503, "the server is stopping");
            release.countDown();
            assertEquals(0, stopped.get(30, TimeUnit.SECONDS), "unfinished requests");
            assertEquals(expected(rows), a.get(30, TimeUnit.SECONDS).body());
            assertEquals(expected(rows), b.get(30, TimeUnit.SECONDS).body());
            HttpClient fresh = HttpClient.newHttpClient();
            HttpRequest after = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/health")).build();
            assertThrows(ConnectException.class, () -> fresh.send(after, HttpResponse.BodyHandlers.ofString()));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The start line names the model, the address, the backend and the threads. */
    @Test
    void theStartLineSaysWhatIsServedWhere() {
        java.io.StringWriter text = new java.io.StringWriter();
        PredictionServer.printStart(new java.io.PrintWriter(text), modelFile, model, predictor,
                new PredictionServer.Settings("127.0.0.1", 0, 3, 7, 100, 100), 4321, 1.25);
        Matcher m = Pattern.compile("lanes serve: (\\S+) \\(20-12-4 tanh,softmax, checksum verified\\), http://127.0.0.1:4321, "
                + "backend (.+), 3 threads, queue 7, warmed up in 1.3 s\\n").matcher(text.toString());
        assertTrue(m.matches(), text.toString());
        assertEquals(modelFile.toString(), m.group(1));
        assertArrayEquals(new String[] {Kernels.get().describe()}, new String[] {m.group(2)});
    }
}
