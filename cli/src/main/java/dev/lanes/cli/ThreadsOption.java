package dev.lanes.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --threads}, capped at the processors, shared by train and eval. */
final class ThreadsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", converter = Flags.AtLeastOne.class,
            description = {"Threads, at most the number of processors (more are capped, with a note). Train splits "
                + "a mini-batch's samples and weight rows between them, at batch 1 and in eval the large matrix "
                + "products; results are bit-identical for any N (default: ${DEFAULT-VALUE})."})
    int requested;

    /**
     * The thread count to use: the one asked for, capped at the processors the JVM may use (more
     * threads than cores only take turns on them, and a crew's workers that wait for a core hold up
     * every step), with a note on standard error when it is capped.
     */
    int count() {
        int processors = Runtime.getRuntime().availableProcessors();
        if (requested <= processors) {
            return requested;
        }
        spec.commandLine().getErr().println(Flags.commandName(spec.commandLine()) + ": --threads " + requested
                + " is more than the " + Flags.count(processors, "processor", "processors") + " here; using "
                + processors);
        return processors;
    }
}
