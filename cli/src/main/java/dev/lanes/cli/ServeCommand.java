package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Predictor;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a model over HTTP (the JDK's built-in server): POST /v1/predict with "
            + "{\"rows\": [[...], ...]} (raw features, as in the training data) answers {\"classes\": [...], "
            + "\"probabilities\": [[...], ...]}; GET /health is 200 once the kernels are warm; GET /v1/model "
            + "describes the model.",
            "Prints one line when it is ready; stops on SIGTERM or Ctrl-C after finishing the requests in flight."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A lanes model file.")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N",
            description = "Port; 0 picks a free one, printed in the start line (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--threads", paramLabel = "N",
            description = "Requests scored at once (default: the number of processors).")
    Integer threads;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "Requests that may wait for a thread; beyond that a request gets 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", defaultValue = "16777216", paramLabel = "BYTES",
            description = "Largest request body; a larger one gets 413 (default: ${DEFAULT-VALUE}, 16 MiB).")
    long maxBody;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS",
            description = "Time to run the kernels before /health says ok (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--drain", defaultValue = "30", paramLabel = "SECONDS",
            description = "On SIGTERM, how long to wait for requests in flight (default: ${DEFAULT-VALUE}).")
    double drain;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "scalar|vector|auto",
            description = "Kernel backend (default: ${DEFAULT-VALUE}).")
    String backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 1024) {
            throw new UserException("--threads must be between 1 and 1024, got " + n);
        }
        if (queue < 0) {
            throw new UserException("--queue must be at least 0, got " + queue);
        }
        if (port < 0 || port > 65535) {
            throw new UserException("--port must be between 0 and 65535, got " + port);
        }
        if (maxBody < 1) {
            throw new UserException("--max-body must be at least 1, got " + maxBody);
        }
        if (!(warmup >= 0 && warmup <= 600) || !(drain >= 0 && drain <= 3600)) {
            throw new UserException("--warmup must be between 0 and 600 seconds and --drain between 0 and 3600");
        }
        Kernels kernels = Kernels.named(backend);
        ModelFile.Model m = ModelFile.load(model);
        Predictor predictor = Predictor.of(m, kernels);
        PredictionServer.Settings settings = new PredictionServer.Settings(host, port, n, queue, maxBody,
                Math.round(drain * 1000));
        PredictionServer server;
        try {
            server = PredictionServer.start(model, m, predictor, settings);
        } catch (BindException e) {
            throw new UserException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            out.println("lanes serve: stopping, finishing the requests in flight");
            out.flush();
            int unfinished = server.stop();
            out.println("lanes serve: stopped" + (unfinished > 0 ? " (" + unfinished + " requests unfinished after --drain)" : ""));
            out.flush();
            stopped.countDown();
        }, "lanes-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        predictor.warmUp(Duration.ofMillis(Math.round(warmup * 1000)));
        server.ready();
        PredictionServer.printStart(out, model, m, predictor, settings, server.port(), (System.nanoTime() - start) / 1e9);
        stopped.await();
        return 0;
    }
}
