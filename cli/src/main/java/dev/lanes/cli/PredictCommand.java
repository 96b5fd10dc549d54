package dev.lanes.cli;

import dev.lanes.kernels.Kernels;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Network;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Reads CSV rows of raw features (as in the training data, before scaling) and prints the "
            + "predicted class of each row, one per line."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train --save.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE", description = "The CSV rows (default: standard input).")
    Path input;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = backend.kernels();
        ModelFile.Model m = ModelInfo.load("--model", model);
        if (input != null) {
            PathChecks.requireReadableFile("--input", input);
        }
        Network net = m.network();
        Float max = ModelInfo.inputMax(model, m);
        float scale = max == null ? 1f : 1f / max;
        Network.Workspace ws = net.newWorkspace(kernels);
        float[] x = new float[net.inputs()];
        String source = input == null ? "standard input" : input.toString();
        try (BufferedReader reader = input == null
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length != x.length) {
                    throw new UserException(source + " line " + lineNo + ": " + cells.length + " values, the model takes "
                            + x.length);
                }
                for (int j = 0; j < cells.length; j++) {
                    try {
                        x[j] = Float.parseFloat(cells[j].trim()) * scale;
                    } catch (NumberFormatException e) {
                        throw new UserException(source + " line " + lineNo + ", column " + (j + 1) + ": '" + cells[j]
                                + "' is not a number");
                    }
                }
                out.println(net.classify(x, 0, ws));
            }
        }
        return 0;
    }
}
