package dev.lanes.cli;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lanes.io.Json;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The HTTP service of {@code ./lanes serve}, on the JDK's built-in server:
 * <ul>
 *   <li>{@code POST /v1/predict} with {@code {"rows": [[...], ...]}} answers {@code {"classes": [...],
 *       "probabilities": [[...], ...]}} ({@code "outputs"} instead of probabilities for a model whose
 *       output layer is not softmax);</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"ok"}} once the kernels are warm, 503 before that
 *       and while stopping;</li>
 *   <li>{@code GET /v1/model}: the architecture, the input scaling, the backend and whether the file's
 *       checksum was verified.</li>
 * </ul>
 * Errors are JSON {@code {"error": "..."}}: 400 for a body that is not the rows the model takes (the
 * message names the row and column), 413 for a body over the limit, 404 for another path, 405 for
 * another method, 503 when {@code threads + queue} requests are already in progress or waiting.
 *
 * <p>Threads: the JDK server's dispatcher thread reads each request's headers and answers the cheap
 * paths and refusals itself; a prediction is handed to one of {@code threads} workers, after a permit
 * from a semaphore of {@code threads + queue}. That semaphore is the bounded queue: a request beyond
 * it is refused at once instead of waiting without limit. One row is scored with {@link
 * Predictor#predict}, several with {@link Predictor#predictRows} (one matrix product per layer).
 */
final class PredictionServer implements AutoCloseable {
    private static final String NODELAY = "sun.net.httpserver.nodelay";

    /** The server's settings; the CLI's flags. */
    record Settings(String host, int port, int threads, int queue, long maxBodyBytes, long drainMillis) {
    }

    private final Predictor predictor;
    private final Settings settings;
    private final HttpServer http;
    private final ExecutorService workers;
    private final Semaphore admission;
    private final int permits;
    private final byte[] modelJson;
    private final String outputsKey;
    private volatile boolean ready;
    private volatile boolean stopping;
    /** Runs in a worker before each prediction; tests hold requests in flight with it. */
    private volatile Runnable beforePredict = () -> { };

    private PredictionServer(Predictor predictor, Settings settings, HttpServer http, String modelJson) {
        this.predictor = predictor;
        this.settings = settings;
        this.http = http;
        this.permits = settings.threads() + settings.queue();
        this.admission = new Semaphore(permits);
        this.modelJson = modelJson.getBytes(StandardCharsets.UTF_8);
        this.outputsKey = predictor.outputsProbabilities() ? "probabilities" : "outputs";
        AtomicInteger count = new AtomicInteger();
        ThreadFactory names = task -> {
            Thread t = new Thread(task, "lanes-serve-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // Unbounded, because the semaphore bounds what enters: a worker that has released its permit
        // but not yet taken the next task must not make a full bounded queue refuse an admitted request.
        this.workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), names);
    }

    /**
     * Binds the port and starts answering; {@code /health} says 503 until {@link #ready()} is called
     * (after the warm-up).
     */
    static PredictionServer start(Path modelFile, ModelFile.Model model, Predictor predictor, Settings settings)
            throws IOException {
        // The JDK server sends a response's headers and its body in two writes; under Nagle's algorithm
        // the body then waits for the client's delayed ACK of the headers, 40 ms on Linux, on every
        // request of a kept-alive connection (measured: 22 requests/s on one connection, 1,500 with
        // this). The server reads the property once, when the first one starts; a value the user set wins.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        PredictionServer server = new PredictionServer(predictor, settings, http, modelJson(modelFile, model, predictor));
        http.createContext("/", server::dispatch);
        // Null: the dispatcher thread runs dispatch() itself; predictions go on to the workers.
        http.setExecutor(null);
        http.start();
        return server;
    }

    /** The port the server listens on (the one the system chose, for port 0). */
    int port() {
        return http.getAddress().getPort();
    }

    /** From now on {@code /health} answers 200. */
    void ready() {
        ready = true;
    }

    /** Predictions admitted and not yet answered: being scored or waiting for a worker. */
    int admitted() {
        return permits - admission.availablePermits();
    }

    void beforePredict(Runnable hook) {
        beforePredict = hook;
    }

    /**
     * Stops cleanly: {@code /health} and new predictions get 503 at once, the requests already
     * admitted are finished (for up to the drain time), then the port is closed.
     *
     * @return the number of admitted requests that were still unfinished when the drain time ran out
     */
    int stop() {
        stopping = true;
        long deadline = System.nanoTime() + settings.drainMillis() * 1_000_000L;
        while (admitted() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int unfinished = admitted();
        http.stop(0);
        workers.shutdownNow();
        return unfinished;
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- routing (dispatcher thread)

    private void dispatch(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (path) {
                case "/health" -> {
                    if (allowed(ex, method, "GET")) {
                        boolean ok = ready && !stopping;
                        respond(ex, ok ? 200 : 503, "{\"status\":\"" + (ok ? "ok" : stopping ? "stopping" : "warming up")
                                + "\"}");
                    }
                }
                case "/v1/model" -> {
                    if (allowed(ex, method, "GET")) {
                        respond(ex, 200, modelJson);
                    }
                }
                case "/v1/predict" -> {
                    if (allowed(ex, method, "POST")) {
                        admit(ex);
                    }
                }
                default -> error(ex, 404, "no such path: " + path + " (the paths are POST /v1/predict, GET /health, "
                        + "GET /v1/model)");
            }
        } catch (IOException e) {
            ex.close();
        }
    }

    private boolean allowed(HttpExchange ex, String method, String allowed) throws IOException {
        if (method.equals(allowed)) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", allowed);
        error(ex, 405, method + " is not allowed on " + ex.getRequestURI().getPath() + "; use " + allowed);
        return false;
    }

    private void admit(HttpExchange ex) throws IOException {
        if (stopping) {
            error(ex, 503, "the server is stopping");
            return;
        }
        if (!admission.tryAcquire()) {
            error(ex, 503, "busy: " + permits + " requests are in progress or waiting (--threads " + settings.threads()
                    + ", --queue " + settings.queue() + "); retry later");
            return;
        }
        workers.execute(() -> {
            try {
                predict(ex);
            } finally {
                admission.release();
            }
        });
    }

    // ---------------------------------------------------------------- prediction (worker threads)

    private void predict(HttpExchange ex) {
        try {
            byte[] body = readBody(ex);
            if (body == null) {
                return;
            }
            float[][] rows;
            try {
                rows = PredictRequest.parse(body, predictor.inputs());
            } catch (PredictRequest.BadRequest e) {
                error(ex, 400, e.getMessage());
                return;
            }
            beforePredict.run();
            int k = predictor.outputs();
            float[][] out = new float[rows.length][k];
            int[] classes = new int[rows.length];
            if (rows.length == 1) {
                predictor.predict(rows[0], out[0]);
                classes[0] = Predictor.argmax(out[0], 0, k);
            } else {
                predictor.predictRows(rows, out);
                for (int r = 0; r < rows.length; r++) {
                    classes[r] = Predictor.argmax(out[r], 0, k);
                }
            }
            respond(ex, 200, answer(classes, out));
        } catch (IOException e) {
            ex.close();
        } catch (RuntimeException e) {
            // A bug, not the client's doing: the client gets a sentence, the log the stack trace.
            System.err.println("lanes serve: internal error on " + ex.getRequestURI());
            e.printStackTrace();
            try {
                error(ex, 500, "internal error");
            } catch (IOException ignored) {
                ex.close();
            }
        }
    }

    /** The body, or null after answering 413 if it is over the limit. */
    private byte[] readBody(HttpExchange ex) throws IOException {
        long limit = settings.maxBodyBytes();
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length > limit) {
                error(ex, 413, "the body has " + length + " bytes, the limit is " + limit + " (--max-body)");
                return null;
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            byte[] chunk = new byte[1 << 16];
            int n;
            while ((n = in.read(chunk, 0, (int) Math.min(chunk.length, limit + 1 - buf.size()))) > 0) {
                buf.write(chunk, 0, n);
                if (buf.size() > limit) {
                    error(ex, 413, "the body is over the limit of " + limit + " bytes (--max-body)");
                    return null;
                }
            }
        }
        return buf.toByteArray();
    }


    private String answer(int[] classes, float[][] out) {
        StringBuilder sb = new StringBuilder(32 + out.length * (out.length == 0 ? 0 : out[0].length) * 14);
        sb.append("{\"classes\":[");
        for (int r = 0; r < classes.length; r++) {
            sb.append(r == 0 ? "" : ",").append(classes[r]);
        }
        sb.append("],\"").append(outputsKey).append("\":[");
        for (int r = 0; r < out.length; r++) {
            sb.append(r == 0 ? "[" : ",[");
            for (int j = 0; j < out[r].length; j++) {
                float v = out[r][j];
                // JSON has no NaN or infinity; a raw output can overflow, a probability cannot.
                sb.append(j == 0 ? "" : ",").append(Float.isFinite(v) ? Float.toString(v) : "null");
            }
            sb.append(']');
        }
        return sb.append("]}").toString();
    }

    // ---------------------------------------------------------------- responses

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        respond(ex, status, "{\"error\":" + Json.quote(message) + "}");
    }

    private static void respond(HttpExchange ex, int status, String json) throws IOException {
        respond(ex, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange ex, int status, byte[] json) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, json.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(json);
        }
    }

    /** The answer of {@code GET /v1/model}, made once. */
    private static String modelJson(Path file, ModelFile.Model model, Predictor p) {
        String layers = Arrays.stream(p.sizes()).mapToObj(Integer::toString).collect(Collectors.joining(","));
        String acts = Arrays.stream(p.activations()).map(a -> Json.quote(a.id())).collect(Collectors.joining(","));
        return "{\"file\":" + Json.quote(file.toString())
                + ",\"layers\":[" + layers + "],\"activations\":[" + acts + "]"
                + ",\"inputs\":" + p.inputs() + ",\"outputs\":" + p.outputs()
                + ",\"output\":" + Json.quote(p.outputsProbabilities() ? "probabilities" : "outputs")
                + ",\"input_max\":" + p.inputMax()
                + ",\"backend\":" + Json.quote(p.kernels().describe())
                + ",\"checksum\":" + Json.quote(model.verified() ? "verified" : "unverified")
                + (model.checksum().isPresent() ? ",\"sha256\":" + Json.quote(model.checksum().get()) : "")
                + ",\"trained_on\":" + model.trainingData().map(d -> Json.quote(d.describe())).orElse("null")
                + "}";
    }

    /** One line for the log: what is served, where, on what. */
    static void printStart(PrintWriter out, Path file, ModelFile.Model model, Predictor p, Settings s, int port,
                           double warmSeconds) {
        out.printf(Locale.ROOT, "lanes serve: %s (%s %s, %s), http://%s:%d, backend %s, %d threads, queue %d, "
                        + "warmed up in %.1f s%n", file,
                Arrays.stream(p.sizes()).mapToObj(Integer::toString).collect(Collectors.joining("-")),
                Arrays.stream(p.activations()).map(Activation::id).collect(Collectors.joining(",")),
                model.verified() ? "checksum verified" : "unverified", s.host(), port, p.kernels().describe(),
                s.threads(), s.queue(), warmSeconds);
        out.flush();
    }
}
