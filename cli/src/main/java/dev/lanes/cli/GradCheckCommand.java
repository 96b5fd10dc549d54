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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Compares backpropagation's gradients with central differences (h = 1e-4, loss in double "
            + "precision) on a random network and random inputs, and prints the largest relative error per tensor.",
            "Exits with 1 if some error exceeds 1e-3."})
final class GradCheckCommand implements Callable<Integer> {
    static final double LIMIT = 1e-3;

    @Spec
    CommandSpec spec;

    @Option(names = "--layers", split = ",", defaultValue = "20,16,12,10", paramLabel = "N,N,...",
            description = "Layer widths, input first (default: ${DEFAULT-VALUE}).")
    int[] layers;

    @Option(names = "--activation", defaultValue = "tanh", paramLabel = "NAME",
            description = "Hidden activation (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--output-activation", defaultValue = "softmax", paramLabel = "NAME",
            description = "Output activation (default: ${DEFAULT-VALUE}).")
    String outputActivation;

    @Option(names = "--loss", defaultValue = "mse", paramLabel = "mse|xent", description = "Loss (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--samples", defaultValue = "4", paramLabel = "N",
            description = "Samples in the checked batch (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--entries", defaultValue = "1000", paramLabel = "N",
            description = "Entries checked per tensor; larger tensors are sampled (default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "scalar|vector|auto",
            description = "Kernel backend (default: ${DEFAULT-VALUE}).")
    String backend;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = Kernels.named(backend);
        if (samples < 1 || entries < 1) {
            throw new UserException("--samples and --entries must be at least 1");
        }
        Activation[] acts = new Activation[Math.max(0, layers.length - 1)];
        Arrays.fill(acts, Activation.named(activation));
        if (acts.length > 0) {
            acts[acts.length - 1] = Activation.named(outputActivation);
        }
        Network net = Network.glorot(layers, acts, seed);
        Loss lossFn = Loss.named(loss);
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
        out.printf("network %s %s, %s loss, %d samples, backend %s, h = %s%n", TrainCommand.join(layers, "-"),
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
