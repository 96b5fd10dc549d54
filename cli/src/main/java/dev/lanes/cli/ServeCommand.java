package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Predictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a model over HTTP (the JDK's built-in server): POST /v1/predict with "
            + "{\"rows\": [[...], ...]} (raw features, as in the training data) answers {\"classes\": [...], "
            + "\"probabilities\": [[...], ...]}; GET /health is 200 once the kernels are warm; GET /v1/model "
            + "describes the model.",
            "Prints one line when it is ready; stops on SIGTERM or Ctrl-C after finishing the requests in flight."},
        exitCodeListHeading = Main.EXIT_CODES, exitCodeList = {Main.EXIT_1, Main.EXIT_2,
            "143:stopped by SIGTERM (130: by Ctrl-C), after finishing the requests in flight"})
final class ServeCommand implements Callable<Integer> {
    /** More request threads than this is a typo, not a configuration. */
    static final int MAX_THREADS = 1024;
    static final double MAX_WARMUP_SECONDS = 600;
    static final double MAX_DRAIN_SECONDS = 3600;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A lanes model file.")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", converter = Flags.Port.class,
            description = "Port; 0 picks a free one, printed in the start line (default: ${DEFAULT-VALUE}).")
    int port;

    /*
     * Not the shared ThreadsOption, which caps train's and eval's threads at the processors: those
     * threads work on one computation and wait for each other at every step, so one more than the
     * cores holds up all. A serve thread carries one request from its body to its answer on its own,
     * and spends part of that time waiting on the client's network; more threads than cores keep the
     * cores busy while some wait, and cost only turns on the cores.
     */
    @Option(names = "--threads", paramLabel = "N", converter = Flags.AtLeastOne.class,
            description = {"Requests handled at once (default: the number of processors). More than the processors "
                + "is allowed, unlike train's --threads: each thread carries one request on its own and also waits "
                + "on the client's network (reading the body, sending the answer), so a few more keep the cores "
                + "busy; at most " + MAX_THREADS + "."})
    Integer threads;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N", converter = Flags.AtLeastZero.class,
            description = "Requests that may wait for a thread; beyond that a request gets 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", defaultValue = "16777216", paramLabel = "BYTES", converter = Flags.Bytes.class,
            description = "Largest request body; a larger one gets 413 (default: ${DEFAULT-VALUE}, 16 MiB).")
    long maxBody;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS", converter = Flags.Seconds.class,
            description = "Time to run the kernels before /health says ok, at most 600 (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--drain", defaultValue = "30", paramLabel = "SECONDS", converter = Flags.Seconds.class,
            description = "On SIGTERM, how long to wait for requests in flight, at most 3600 (default: ${DEFAULT-VALUE}).")
    double drain;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n > MAX_THREADS) {
            throw Flags.bad(spec, "--threads must be at most " + MAX_THREADS + ", got " + n);
        }
        if (warmup > MAX_WARMUP_SECONDS) {
            throw Flags.bad(spec, "--warmup must be at most " + (int) MAX_WARMUP_SECONDS + " seconds, got " + warmup);
        }
        if (drain > MAX_DRAIN_SECONDS) {
            throw Flags.bad(spec, "--drain must be at most " + (int) MAX_DRAIN_SECONDS + " seconds, got " + drain);
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw Flags.bad(spec, "--host " + host + " is not an address or a known host name");
        }
        Kernels kernels = backend.kernels();
        ModelFile.Model m = ModelInfo.load("--model", model);
        Predictor predictor = Predictor.of(m, kernels);
        PredictionServer.Settings settings = new PredictionServer.Settings(host, port, n, queue, maxBody,
                Math.round(drain * 1000));
        PredictionServer server;
        try {
            server = PredictionServer.start(model, m, predictor, settings);
        } catch (BindException e) {
            // The port is taken, or the address is not one of this machine's: the machine's state, exit 1.
            throw new UserException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UserException("cannot listen on " + host + ":" + port + ": " + PathChecks.reason(e));
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
