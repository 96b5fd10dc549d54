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
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code lanes} command line. The only code in lanes that prints.
 *
 * <p>Exit codes (also in {@code --help}): 0 success; 1 a problem with a file or the data (a missing,
 * unreadable or corrupt file, data that does not fit the model, a backend that cannot run here); 2 a
 * bad command line (an unknown command or flag, a flag value that is out of range or does not fit the
 * data); 3 training that produced no usable model (it diverged, or made no progress), in which case
 * nothing is saved. Errors are one line on standard error, starting with the command's name.
 */
@Command(name = "lanes", mixinStandardHelpOptions = true, version = "lanes 0.1.0",
        description = "SIMD float32 kernels for the JVM and a small MLP trainer on top.",
        subcommands = {Main.Info.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
            GradCheckCommand.class, ImportCommand.class, ServeCommand.class, Main.Bench.class},
        exitCodeListHeading = Main.EXIT_CODES, exitCodeList = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2, Main.EXIT_3})
public final class Main implements Callable<Integer> {
    static final String EXIT_CODES = "%nExit codes:%n";
    static final String EXIT_0 = "0:success";
    static final String EXIT_1 = "1:a problem with a file or the data (missing, unreadable or corrupt file; data that "
            + "does not fit the model; a backend that cannot run here)";
    static final String EXIT_2 = "2:a bad command line (unknown command or flag, a flag value out of range or not "
            + "fitting the data)";
    static final String EXIT_3 = "3:training produced no usable model (it diverged, or made no progress); nothing was "
            + "saved";
    static final int USER_ERROR = 1;
    static final int BAD_COMMAND_LINE = 2;
    static final int NO_USABLE_MODEL = 3;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        OneLineLogging.install();
        probeVectorBackendAhead();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /**
     * Starts the vector backend's probes on another thread while this one parses the command line
     * and loads the data: reading HotSpot's options through the management beans takes about 30 ms
     * at start-up, which had made the default digits run slower on the vector backend than on the
     * scalar one. Whoever needs the backend first waits for the probe to finish (class
     * initialisation), so nothing is chosen twice. Skipped where the scalar backend is asked for.
     */
    private static void probeVectorBackendAhead() {
        if ("scalar".equalsIgnoreCase(System.getProperty(Backends.PROPERTY, "").trim())) {
            return;
        }
        Thread probe = new Thread(Backends::vectorUnavailableReason, "lanes-backend-probe");
        probe.setDaemon(true);
        probe.start();
    }

    /** Runs the command line with the given streams; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::badCommandLine);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String message = userMessage(ex);
            if (message == null) {
                throw ex;
            }
            commandLine.getErr().println(Flags.commandName(commandLine) + ": " + message);
            return ex instanceof TrainingDivergedException ? NO_USABLE_MODEL : USER_ERROR;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * A bad command line, found by picocli or by a command ({@link Flags#bad}): what is wrong, with the
     * flag's name first, and where to look; exit code 2.
     */
    private static int badCommandLine(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = ex.getMessage();
        if (ex.getCause() instanceof TypeConversionException t && ex.getArgSpec() instanceof OptionSpec o) {
            message = o.longestName() + " " + t.getMessage();
        } else if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            String word = u.getUnmatched().get(0);
            message = cl.getSubcommands().isEmpty() ? "unexpected argument '" + word + "' (flags start with --)"
                    : "unknown command '" + word + "' (the commands are " + String.join(", ", cl.getSubcommands().keySet())
                    + ")";
        }
        err.println(Flags.commandName(cl) + ": " + message);
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + Flags.commandName(cl) + " --help' for more information.");
        return BAD_COMMAND_LINE;
    }

    /** The one-line message for an error the user can act on, or null for a bug (which keeps its stack trace). */
    static String userMessage(Throwable ex) {
        if (ex instanceof UncheckedIOException u) {
            ex = u.getCause();
        }
        if (ex instanceof NoSuchFileException e && e.getReason() == null) {
            return "no such file: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e && e.getReason() == null) {
            return "permission denied: " + e.getFile();
        }
        if (ex instanceof FileSystemException e && e.getFile() == null) {
            return e.getReason();
        }
        if (ex instanceof IOException || ex instanceof UserException || ex instanceof TrainingDivergedException
                || ex instanceof IllegalArgumentException) {
            return ex.getMessage() != null ? ex.getMessage() : ex.toString();
        }
        return null;
    }

    /** With no command: the usage on standard error, and exit code 2, as other command lines do. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("lanes: a command is needed");
        cl.usage(cl.getErr());
        return BAD_COMMAND_LINE;
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = {"Prints the JDK, the backend chosen and why, and the vector species.",
                "With --model: what a model file holds and whether its checksum verified."},
            exitCodeListHeading = Main.EXIT_CODES, exitCodeList = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", paramLabel = "FILE", description = "Describe this model file instead.")
        Path model;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (model != null) {
                describe(out, model, ModelInfo.load("--model", model));
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
        private static final Set<String> RECORDED = Set.of(ModelFile.INPUT_MAX, "data_source",
                "data_path", "data_label_column", "held_out", "split_seed");
    }

    /**
     * Listed so that {@code --help} shows every command; the {@code ./lanes} script runs the benchmarks
     * from their own jar and never reaches this.
     */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = {"Runs the JMH benchmarks (bench/) and reports them: ./lanes bench --help lists its flags.",
                "It runs from bench/target/benchmarks.jar, which ./lanes builds on first use."})
    static final class Bench implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Unmatched
        List<String> ignored;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("lanes bench: the benchmarks are not in this jar; run them as "
                    + "./lanes bench (./lanes bench --help lists the flags)");
            return USER_ERROR;
        }
    }
}
