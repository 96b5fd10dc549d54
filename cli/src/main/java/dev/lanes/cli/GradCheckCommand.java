package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.GradientCheck;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Network;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Compares backpropagation's gradients with central differences (h = 1e-4, loss in double "
            + "precision) on a random network and random inputs, and prints the largest relative error per tensor."},
        exitCodeListHeading = Main.EXIT_CODES,
        exitCodeList = {"0:every relative error is at most 1e-3", "1:some relative error exceeds 1e-3", Main.EXIT_2})
final class GradCheckCommand implements Callable<Integer> {
    static final double LIMIT = 1e-3;

    @Spec
    CommandSpec spec;

    @Option(names = "--layers", defaultValue = "20,16,12,10", paramLabel = "N,N,...", converter = Flags.Widths.class,
            description = "Layer widths, input first (default: ${DEFAULT-VALUE}).")
    Flags.Layers layers;

    @Mixin
    ActivationOptions activations;

    @Option(names = "--loss", defaultValue = "mse", paramLabel = "mse|xent", converter = Flags.LossName.class,
            description = "Loss (default: ${DEFAULT-VALUE}).")
    Loss loss;

    @Option(names = "--samples", defaultValue = "4", paramLabel = "N", converter = Flags.AtLeastOne.class,
            description = "Samples in the checked batch (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--entries", defaultValue = "1000", paramLabel = "N", converter = Flags.AtLeastOne.class,
            description = "Entries checked per tensor; larger tensors are sampled (default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", converter = Flags.Seed.class,
            description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = backend.kernels();
        int[] sizes = layers.widths();
        Activation[] acts = activations.forLayers(sizes, loss);
        Network net = Network.glorot(sizes, acts, seed);
        Loss lossFn = loss;
        Random random = new Random(seed);
        float[] x = new float[samples * net.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = random.nextInt(net.outputs());
        }
        List<GradientCheck.TensorError> errors = GradientCheck.check(net, kernels, lossFn, x, labels, entries, seed);
        out.printf("network %s %s, %s loss, %d samples, backend %s, h = %s%n", TrainCommand.join(sizes, "-"),
                String.join(",", Arrays.stream(acts).map(Activation::id).toList()), lossFn.id(), samples,
                kernels.describe(), GradientCheck.H);
        double worst = 0;
        for (GradientCheck.TensorError e : errors) {
            out.printf(Locale.ROOT, "%-18s %6d of %6d entries  largest relative error %.2e%n", e.tensor(), e.checked(),
                    e.size(), e.maxRelativeError());
            worst = Math.max(worst, e.maxRelativeError());
        }
        boolean ok = worst <= LIMIT;
        out.printf(Locale.ROOT, "%s: largest %.2e, limit %.0e%n", ok ? "ok" : "FAILED", worst, LIMIT);
        return ok ? 0 : 1;
    }
}
