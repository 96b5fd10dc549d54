package dev.lanes.cli;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import dev.lanes.nn.Optimizer;
import dev.lanes.nn.Trainer;
import dev.lanes.nn.TrainingOptions;
import java.io.PrintWriter;
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
            "With no data flags it trains on the embedded digits set (1,797 8x8 images)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--layers", split = ",", paramLabel = "N,N,...",
            description = "Layer widths, input first (default: features,32,classes for up to 100 features, "
                    + "else features,128,classes).")
    int[] layers;

    @Option(names = "--activation", defaultValue = "tanh", paramLabel = "NAME",
            description = "Hidden activation: tanh, sigmoid, relu, identity (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--output-activation", defaultValue = "softmax", paramLabel = "NAME",
            description = "Output activation (default: ${DEFAULT-VALUE}).")
    String outputActivation;

    @Option(names = "--loss", defaultValue = "mse", paramLabel = "mse|xent",
            description = "Squared error or cross-entropy (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "sgd|momentum|adam",
            description = "Update rule (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "K",
            description = "Learning rate (default: one that suits the loss, optimizer and batch size).")
    Float learningRate;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Samples per update; 1 is per-sample descent (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default: 10 for "
            + "digits and CSV, 5 for IDX).")
    Integer epochs;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "Seed of the initial weights and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clip-norm", defaultValue = "0", paramLabel = "C",
            description = "Scale down batch gradients whose norm exceeds C; 0 is off (default: ${DEFAULT-VALUE}).")
    float clipNorm;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "scalar|vector|auto",
            description = "Kernel backend (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Threads: a mini-batch's samples and weight rows are split between them (batch 1: "
                    + "the large matrix products); the weights are bit-identical for any N (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--save", paramLabel = "FILE", description = "Save the trained model (safetensors).")
    Path save;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write a PNG of the loss and accuracy curves.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = Kernels.named(backend);
        Loss lossFn = Loss.named(loss);
        Optimizer opt = Optimizer.named(optimizer);
        if (batch < 1) {
            throw new UserException("--batch must be at least 1, got " + batch);
        }
        if (threads < 1) {
            throw new UserException("--threads must be at least 1, got " + threads);
        }
        if (epochs != null && epochs < 1) {
            throw new UserException("--epochs must be at least 1, got " + epochs);
        }
        DataOptions.Split split = data.load(null, 1L);
        Dataset train = split.train();
        int[] sizes = architecture(train);
        Activation hidden = Activation.named(activation);
        Activation[] acts = new Activation[sizes.length - 1];
        Arrays.fill(acts, hidden);
        acts[acts.length - 1] = Activation.named(outputActivation);
        lossFn.requireCompatible(acts[acts.length - 1]);
        TrainingOptions options = TrainingOptions.defaults(lossFn, opt, batch).withSeed(seed).withClipNorm(clipNorm)
                .withThreads(threads);
        if (learningRate != null) {
            options = options.withLearningRate(learningRate);
        }
        Network net = Network.glorot(sizes, acts, seed);
        try (Trainer trainer = new Trainer(net, kernels, options)) {
            train(out, trainer, split, sizes, acts, lossFn, opt, options);
        }
        return 0;
    }

    private void train(PrintWriter out, Trainer trainer, DataOptions.Split split, int[] sizes, Activation[] acts,
                       Loss lossFn, Optimizer opt, TrainingOptions options) throws Exception {
        Network net = trainer.network();
        Dataset train = split.train();
        int totalEpochs = epochs != null ? epochs : data.source.idx != null ? 5 : 10;

        out.printf("data      %s: %,d training, %,d held-out samples, %d features, %d classes%n", split.description(),
                train.size(), split.heldOut().size(), train.features(), train.classes());
        out.printf("network   %s, %s (%,d parameters)%n", join(sizes, "-"),
                Arrays.stream(acts).map(Activation::id).collect(Collectors.joining(",")), net.parameterCount());
        out.printf("training  %s loss, %s, learning rate %s, batch %d, %d epochs, seed %d, backend %s, %d thread%s%n",
                lossFn.id(), opt.id(), options.learningRate(), batch, totalEpochs, seed, Kernels.named(trainer.kernels().name()).describe(),
                options.threads(), options.threads() == 1 ? "" : "s");
        out.flush();

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
            Trainer.Evaluation held = trainer.evaluate(split.heldOut());
            curve.add(new double[] {e, result.meanLoss(), held.accuracy()});
            out.printf(Locale.ROOT, "epoch %3d  loss %.4f  held-out accuracy %6.2f%%  time %7.3f s  %,10.0f samples/s%s%n",
                    e, result.meanLoss(), 100 * held.accuracy(), seconds, train.size() / seconds,
                    result.recoveries() > 0 ? "  (" + result.recoveries() + " recoveries, lr now "
                            + result.learningRate() + ")" : "");
            out.flush();
        }
        if (save != null) {
            Map<String, String> info = new LinkedHashMap<>();
            info.put("input_max", Float.toString(split.inputMax()));
            info.put("split_seed", Long.toString(split.splitSeed()));
            info.put("loss", lossFn.id());
            ModelFile.save(save, net, info);
            out.println("saved     " + save);
        }
        if (plot != null) {
            LossPlot.write(plot, curve, "training loss, " + join(sizes, "-") + " " + lossFn.id() + " " + opt.id());
            out.println("plotted   " + plot);
        }
    }

    private int[] architecture(Dataset train) {
        if (layers == null) {
            int hidden = train.features() <= 100 ? 32 : 128;
            return new int[] {train.features(), hidden, train.classes()};
        }
        if (layers.length < 2) {
            throw new UserException("--layers needs at least an input and an output width, got " + join(layers, ","));
        }
        if (layers[0] != train.features()) {
            throw new UserException("--layers starts with " + layers[0] + " but the data has " + train.features()
                    + " features");
        }
        if (layers[layers.length - 1] < train.classes()) {
            throw new UserException("--layers ends with " + layers[layers.length - 1] + " but the data has "
                    + train.classes() + " classes");
        }
        return layers;
    }

    static String join(int[] v, String sep) {
        return Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(sep));
    }
}
