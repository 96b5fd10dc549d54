package dev.lanes.cli;

import dev.lanes.nn.Activation;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import dev.lanes.nn.TorchImport;
import java.io.PrintWriter;
import java.nio.file.Files;
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
            "The file holds no activations, so --activations names them, one per Linear layer."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.safetensors", description = "The PyTorch model's weights.")
    Path in;

    @Option(names = "--activations", required = true, split = ",", paramLabel = "NAME,NAME,...",
            description = "One activation per Linear layer: tanh, sigmoid, relu, identity, softmax (last layer only).")
    List<String> activations;

    @Option(names = "--save", required = true, paramLabel = "OUT.safetensors", description = "The lanes model file to write.")
    Path save;

    @Option(names = "--input-max", paramLabel = "X",
            description = "What the model's raw features are divided by, as in its training (255 for pixels "
                    + "0..255 trained as x / 255); default: none, features are used as they come.")
    Float inputMax;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (inputMax != null && !(inputMax > 0 && Float.isFinite(inputMax))) {
            throw new UserException("--input-max must be a positive number, got " + inputMax);
        }
        Path parent = save.toAbsolutePath().getParent();
        if (Files.isDirectory(save)) {
            throw new UserException("--save " + save + " is a directory; give a file name");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserException("--save " + save + ": the directory " + parent + " does not exist");
        }
        List<Activation> acts = activations.stream().map(Activation::named).toList();
        TorchImport.Imported imported = TorchImport.read(in, acts);
        Network net = imported.network();
        Map<String, String> info = new LinkedHashMap<>();
        if (inputMax != null) {
            info.put(ModelFile.INPUT_MAX, Float.toString(inputMax));
        }
        info.put("imported_from", in.toAbsolutePath().normalize().toString());
        info.put("imported_dtypes", String.join(",", imported.dtypes()));
        String sum = ModelFile.save(save, net, info);
        out.printf(Locale.ROOT, "imported  %s: %d Linear layers, %s, %s (%,d parameters, %s)%n", in, net.layers(),
                Arrays.stream(net.sizes()).mapToObj(Integer::toString).collect(Collectors.joining("-")),
                acts.stream().map(Activation::id).collect(Collectors.joining(",")), net.parameterCount(),
                String.join(", ", imported.dtypes()));
        out.println("inputs    " + (inputMax != null ? "divided by " + inputMax + " (input_max)"
                : "used as they come (no --input-max)"));
        out.println("saved     " + save + " (content_sha256 " + sum.substring(0, 16) + "...)");
        return 0;
    }
}
