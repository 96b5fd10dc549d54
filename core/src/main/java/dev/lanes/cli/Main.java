package dev.lanes.cli;

import dev.lanes.kernels.Backends;
import dev.lanes.kernels.Kernels;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lanes} command line. The only code in lanes that prints. */
@Command(name = "lanes", mixinStandardHelpOptions = true, version = "lanes 0.1.0",
        description = "SIMD float32 kernels for the JVM and a small MLP trainer on top.",
        subcommands = {Main.Info.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "info", description = "Prints the JDK, the backend chosen and why, and the vector species.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            PrintWriter out = new PrintWriter(System.out, true);
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
