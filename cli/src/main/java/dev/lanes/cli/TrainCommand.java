package dev.lanes.cli;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import dev.lanes.nn.Optimizer;
import dev.lanes.nn.Saturation;
import dev.lanes.nn.Trainer;
import dev.lanes.nn.TrainingOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains a multilayer perceptron and prints, per epoch, the mean training loss, the accuracy "
            + "on held-out data, the time and the samples per second.",
            "With no data flags it trains on the embedded digits set (1,797 8x8 images)."},
        exitCodeListHeading = Main.EXIT_CODES, exitCodeList = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2, Main.EXIT_3})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--layers", paramLabel = "N,N,...", converter = Flags.Widths.class,
            description = "Layer widths, input first, such as 64,32,10 (default: features,32,classes for up to "
                    + "100 features, else features,128,classes).")
    Flags.Layers layers;

    @Mixin
    ActivationOptions activations;

    @Option(names = "--loss", defaultValue = "mse", paramLabel = "mse|xent", converter = Flags.LossName.class,
            description = "Squared error or cross-entropy (default: ${DEFAULT-VALUE}).")
    Loss loss;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "sgd|momentum|adam",
            converter = Flags.OptimizerName.class, description = "Update rule (default: ${DEFAULT-VALUE}).")
    Optimizer optimizer;

    @Option(names = "--lr", paramLabel = "K", converter = Flags.Positive.class,
            description = "Learning rate (default: one that suits the loss, optimizer and batch size).")
    Float learningRate;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", converter = Flags.AtLeastOne.class,
            description = "Samples per update; 1 is per-sample descent (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--epochs", paramLabel = "N", converter = Flags.AtLeastOne.class,
            description = "Passes over the training data (default: 10 for digits and CSV, 5 for IDX).")
    Integer epochs;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", converter = Flags.Seed.class,
            description = "Seed of the initial weights and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clip-norm", defaultValue = "0", paramLabel = "C", converter = Flags.ZeroOrPositive.class,
            description = "Scale down batch gradients whose norm exceeds C; 0 is off (default: ${DEFAULT-VALUE}).")
    float clipNorm;

    @Option(names = "--no-warm-up", description = "Do not train a throwaway network of --layers on made-up data"
            + " while the data loads. That warm-up brings the kernels to the JIT before the first epoch; without it"
            + " the first epoch and the evaluation before it pay for the compilation.")
    boolean noWarmUp;

    @Mixin
    BackendOption backend;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Save the trained model (safetensors); checked before training starts.")
    Path save;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Write a PNG of the loss and accuracy curves (.png is added if missing).")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = backend.kernels();
        int threadCount = threads.count();
        // A directory stays itself, so that the check below names it as such.
        Path plotFile = plot == null ? null : Files.isDirectory(plot) ? plot : LossPlot.file(plot);
        if (save != null) {
            PathChecks.requireWritable("--save", save);
        }
        if (plotFile != null) {
            PathChecks.requireWritable("--plot", plotFile);
        }
        TrainingOptions options = TrainingOptions.defaults(loss, optimizer, batch).withSeed(seed)
                .withClipNorm(clipNorm).withThreads(threadCount);
        if (learningRate != null) {
            options = options.withLearningRate(learningRate);
        }
        // The network's shape is known before the data only when --layers gives it.
        WarmUp warmUp = layers == null || noWarmUp ? null
                : WarmUp.start(layers.widths(), activations.forLayers(layers.widths(), loss), kernels, options);
        DataOptions.Split split;
        try {
            split = data.load(null, 1L);
        } finally {
            if (warmUp != null) {
                warmUp.finish();
            }
        }
        Dataset train = split.train();
        data.requireSeveralClasses(train);
        int[] sizes = architecture(train);
        Activation[] acts = activations.forLayers(sizes, loss);
        Network net = Network.glorot(sizes, acts, seed);
        try (Trainer trainer = new Trainer(net, kernels, options)) {
            return train(out, trainer, split, sizes, acts, options, plotFile);
        }
    }

    /** Trains, plots and saves; returns the exit code (3 for a run that made no progress, which is not saved). */
    private int train(PrintWriter out, Trainer trainer, DataOptions.Split split, int[] sizes, Activation[] acts,
                       TrainingOptions options, Path plotFile) throws Exception {
        Network net = trainer.network();
        Dataset train = split.train();
        int totalEpochs = epochs != null ? epochs : data.source.idx != null ? 5 : 10;

        out.printf("data      %s: %,d training, %,d held-out samples, %d features, %d classes%n", split.description(),
                train.size(), split.heldOut().size(), train.features(), train.classes());
        out.printf("network   %s, %s (%,d parameters)%n", join(sizes, "-"),
                Arrays.stream(acts).map(Activation::id).collect(Collectors.joining(",")), net.parameterCount());
        out.printf("training  %s loss, %s, learning rate %s, batch %d, %s, seed %d, backend %s, %s%n",
                loss.id(), optimizer.id(), options.learningRate(), batch, Flags.count(totalEpochs, "epoch", "epochs"),
                seed, Kernels.named(trainer.kernels().name()).describe(),
                Flags.count(options.threads(), "thread", "threads"));
        out.flush();

        Trainer.Evaluation untrained = trainer.evaluate(split.heldOut());
        Trainer.Evaluation held = untrained;
        List<double[]> curve = new ArrayList<>();
        boolean terminal = System.console() != null;
        for (int e = 1; e <= totalEpochs; e++) {
            long start = System.nanoTime();
            Trainer.EpochResult result;
            if (terminal) {
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("epoch " + e).setInitialMax(train.size())
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
                        .setUnit(" samples", 1).build()) {
                    result = trainer.trainEpoch(train, bar::stepTo);
                }
            } else {
                result = trainer.trainEpoch(train, null);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            held = trainer.evaluate(split.heldOut());
            curve.add(new double[] {e, result.meanLoss(), held.accuracy()});
            out.printf(Locale.ROOT, "epoch %3d  loss %.4f  held-out accuracy %6.2f%%  time %7.3f s  %,10.0f samples/s%s%n",
                    e, result.meanLoss(), 100 * held.accuracy(), seconds, train.size() / seconds,
                    result.recoveries() > 0 ? "  (" + Flags.count(result.recoveries(), "recovery", "recoveries")
                            + " so far, learning rate now " + result.learningRate() + ")" : "");
            out.flush();
        }
        if (plotFile != null) {
            try {
                LossPlot.write(plotFile, curve, "training loss, " + join(sizes, "-") + " " + loss.id() + " "
                        + optimizer.id());
            } catch (IOException e) {
                throw new UserException("--plot " + plotFile + ": could not write it (" + PathChecks.reason(e) + ")");
            }
            out.println("plotted   " + plotFile);
        }
        String problem = ProgressCheck.problem(untrained, held, split.heldOut());
        if (problem != null) {
            PrintWriter err = spec.commandLine().getErr();
            String name = Flags.commandName(spec.commandLine()) + ": ";
            double saturated = Saturation.hiddenUnitShare(net, trainer.kernels(), split.heldOut());
            err.println(name + problem);
            err.println(name + ProgressCheck.advice(saturated, activations.hidden.id(), options.learningRate(),
                    optimizer.defaultLearningRate(loss, batch)));
            if (save != null) {
                err.println(name + "the model was not saved to " + save);
            }
            return Main.NO_USABLE_MODEL;
        }
        if (save != null) {
            Map<String, String> info = new LinkedHashMap<>();
            info.put(ModelFile.INPUT_MAX, Float.toString(split.inputMax()));
            info.putAll(split.source().toInfo());
            info.put("loss", loss.id());
            try {
                ModelFile.save(save, net, info);
            } catch (IOException e) {
                throw new UserException("--save " + save + ": could not write it (" + PathChecks.reason(e) + ")");
            }
            out.println("saved     " + save);
        }
        return 0;
    }

    private int[] architecture(Dataset train) {
        if (layers == null) {
            int hidden = train.features() <= 100 ? 32 : 128;
            return new int[] {train.features(), hidden, train.classes()};
        }
        if (layers.first() != train.features()) {
            throw Flags.bad(spec, "--layers starts with " + layers.first() + " but the data has " + train.features()
                    + " features");
        }
        if (layers.last() < train.classes()) {
            throw Flags.bad(spec, "--layers ends with " + layers.last() + " but the data has " + train.classes()
                    + " classes");
        }
        return layers.widths().clone();
    }

    static String join(int[] v, String sep) {
        return Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(sep));
    }
}
