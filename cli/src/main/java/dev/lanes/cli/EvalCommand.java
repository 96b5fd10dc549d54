package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.KernelPool;
import dev.lanes.nn.Loss;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measures a saved model's accuracy and loss on held-out data: by default the part of the "
            + "embedded digits set that train held out (same split seed, same input scaling as saved)."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train --save.")
    Path model;

    @Mixin
    BackendOption backend;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = backend.kernels();
        int threadCount = threads.count();
        ModelFile.Model m = ModelInfo.load("--model", model);
        DataOptions.Split split = data.load(ModelInfo.inputMax(model, m), ModelInfo.splitSeed(model, m));
        Loss loss = ModelInfo.loss(model, m);
        Trainer.Evaluation ev;
        try (KernelPool pool = KernelPool.of(kernels, threadCount)) {
            ev = Trainer.evaluate(m.network(), pool.kernels(), loss, split.heldOut());
        }
        out.printf(Locale.ROOT, "%s on %s: held-out accuracy %.2f%% (%,d samples), mean %s loss %.4f%n",
                model, split.description(), 100 * ev.accuracy(), ev.samples(), loss.id(), ev.meanLoss());
        return 0;
    }
}
