package dev.lanes.cli;

import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import dev.lanes.nn.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code lanes} command line. The only code in lanes that prints.
 *
 * <p>Exit codes: 0 success, 1 an error the user can fix (a missing or corrupt file, a value that does
 * not fit, training that diverged), printed as one line; 2 a malformed command line (picocli prints
 * the usage).
 */
@Command(name = "lanes", mixinStandardHelpOptions = true, version = "lanes 0.1.0",
        description = "SIMD float32 kernels for the JVM and a small MLP trainer on top.",
        subcommands = {Main.Info.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
            GradCheckCommand.class, ImportCommand.class, ServeCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String message = userMessage(ex);
            if (message == null) {
                throw ex;
            }
            commandLine.getErr().println("lanes " + commandLine.getCommandName() + ": " + message);
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The one-line message for an error the user caused, or null for a bug (which keeps its stack trace). */
    static String userMessage(Throwable ex) {
        if (ex instanceof UncheckedIOException u) {
            ex = u.getCause();
        }
        if (ex instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (ex instanceof IOException || ex instanceof UserException || ex instanceof TrainingDivergedException
                || ex instanceof IllegalArgumentException) {
            return ex.getMessage() != null ? ex.getMessage() : ex.toString();
        }
        if (ex instanceof UnsupportedOperationException && ex.getMessage() != null
                && ex.getMessage().contains("ector")) {
            return ex.getMessage();
        }
        return null;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "info", description = {"Prints the JDK, the backend chosen and why, and the vector species.",
        "With --model: what a model file holds and whether its checksum verified."})
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", paramLabel = "FILE", description = "Describe this model file instead.")
        Path model;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (model != null) {
                describe(out, model, ModelFile.load(model));
                return 0;
            }
            out.printf("java      %s (%s, %s)%n", System.getProperty("java.version"),
                    System.getProperty("java.vm.name"), System.getProperty("java.vm.vendor"));
            out.printf("os/arch   %s %s, %d processors%n", System.getProperty("os.name"),
                    System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
            out.printf("backend   %s%n", Backends.choiceExplanation());
            out.printf("vector    %s%n", Backends.vectorUnavailableReason()
                    .map(r -> "unavailable: " + r).orElseGet(() -> Kernels.vector().describe()));
            return 0;
        }

        static void describe(PrintWriter out, Path file, ModelFile.Model m) {
            Network net = m.network();
            out.printf(Locale.ROOT, "model     %s%n", file);
            out.printf(Locale.ROOT, "layers    %s, %s (%,d parameters)%n",
                    Arrays.stream(net.sizes()).mapToObj(Integer::toString).collect(Collectors.joining("-")),
                    Arrays.stream(net.activations()).map(Activation::id).collect(Collectors.joining(",")),
                    net.parameterCount());
            out.printf("checksum  %s%n", m.checksum().map(c -> "verified (content_sha256 " + c + ")")
                    .orElse("unverified: the file has no content_sha256 (saved by lanes 0.1 or written by another tool)"));
            out.printf("inputs    %s%n", m.inputMax().map(x -> "divided by " + x + " (input_max)")
                    .orElse("used as they come (no input_max)"));
            out.printf("trained   %s%n", m.trainingData().map(ModelFile.TrainingData::describe)
                    .orElse("data not recorded (eval needs --idx or --csv unless the model takes the digits' 64 features)"));
            m.info().entrySet().stream().filter(e -> !RECORDED.contains(e.getKey()))
                    .forEach(e -> out.printf("%-9s %s%n", e.getKey(), e.getValue()));
        }

        /** Metadata keys the lines above already show. */
        private static final java.util.Set<String> RECORDED = java.util.Set.of(ModelFile.INPUT_MAX, "data_source",
                "data_path", "data_label_column", "held_out", "split_seed");
    }
}
