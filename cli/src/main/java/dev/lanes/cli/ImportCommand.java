package dev.lanes.cli;

import dev.lanes.nn.Activation;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import dev.lanes.nn.TorchImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Converts a PyTorch nn.Sequential of Linear layers, saved as safetensors "
            + "(safetensors.torch.save_file(model.state_dict(), path); F32, F16 or BF16), into a lanes model file "
            + "that eval, predict and serve take.",
            "The file holds no activations, so --activations names them, one per Linear layer."},
        exitCodeListHeading = Main.EXIT_CODES, exitCodeList = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.safetensors", description = "The PyTorch model's weights.")
    Path in;

    @Option(names = "--activations", required = true, split = ",", paramLabel = "NAME,NAME,...",
            converter = Flags.ActivationName.class,
            description = "One activation per Linear layer: tanh, sigmoid, relu, identity, softmax (last layer only).")
    List<Activation> activations;

    @Option(names = "--save", required = true, paramLabel = "OUT.safetensors", description = "The lanes model file to write.")
    Path save;

    @Option(names = "--input-max", paramLabel = "X", converter = Flags.Positive.class,
            description = "What the model's raw features are divided by, as in its training (255 for pixels "
                    + "0..255 trained as x / 255); default: none, features are used as they come.")
    Float inputMax;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        for (int l = 0; l < activations.size() - 1; l++) {
            if (activations.get(l) == Activation.SOFTMAX) {
                throw Flags.bad(spec, "--activations: softmax is only supported on the last layer, got it for layer "
                        + l + " of " + activations.size());
            }
        }
        PathChecks.requireReadableFile("IN.safetensors", in);
        PathChecks.requireWritable("--save", save);
        TorchImport.Imported imported;
        try {
            imported = TorchImport.read(in, activations);
        } catch (IllegalArgumentException e) {
            // The file is fine (it was read); the activations do not fit its layers.
            throw Flags.bad(spec, "--activations: " + in + " has " + e.getMessage());
        }
        Network net = imported.network();
        Map<String, String> info = new LinkedHashMap<>();
        if (inputMax != null) {
            info.put(ModelFile.INPUT_MAX, Float.toString(inputMax));
        }
        info.put("imported_from", in.toAbsolutePath().normalize().toString());
        info.put("imported_dtypes", String.join(",", imported.dtypes()));
        String sum;
        try {
            sum = ModelFile.save(save, net, info);
        } catch (IOException e) {
            throw new UserException("--save " + save + ": could not write it (" + PathChecks.reason(e) + ")");
        }
        out.printf(Locale.ROOT, "imported  %s: %d Linear layers, %s, %s (%,d parameters, %s)%n", in, net.layers(),
                Arrays.stream(net.sizes()).mapToObj(Integer::toString).collect(Collectors.joining("-")),
                activations.stream().map(Activation::id).collect(Collectors.joining(",")), net.parameterCount(),
                String.join(", ", imported.dtypes()));
        out.println("inputs    " + (inputMax != null ? "divided by " + inputMax + " (input_max)"
                : "used as they come (no --input-max)"));
        out.println("saved     " + save + " (content_sha256 " + sum.substring(0, 16) + "...)");
        return 0;
    }
}
