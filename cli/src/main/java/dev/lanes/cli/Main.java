package dev.lanes.cli;

import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
            GradCheckCommand.class})
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

    @Command(name = "info", description = "Prints the JDK, the backend chosen and why, and the vector species.")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("java      %s (%s, %s)%n", System.getProperty("java.version"),
                    System.getProperty("java.vm.name"), System.getProperty("java.vm.vendor"));
            out.printf("os/arch   %s %s, %d processors%n", System.getProperty("os.name"),
                    System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
            out.printf("backend   %s%n", Backends.choiceExplanation());
            out.printf("vector    %s%n", Backends.vectorUnavailableReason()
                    .map(r -> "unavailable: " + r).orElseGet(() -> Kernels.vector().describe()));
            return 0;
        }
    }
}
