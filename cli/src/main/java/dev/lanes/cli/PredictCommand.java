package dev.lanes.cli;

import dev.lanes.data.DataReaders;
import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Predictor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Reads CSV rows of raw features (as in the training data, before scaling: the model's "
            + "input_max is applied) and prints the predicted class of each row, one per line.",
            "A header row is accepted as train --csv accepts one; the whole input is read and checked before "
            + "anything is printed."},
        exitCodeListHeading = Main.EXIT_CODES, exitCodeList = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A lanes model file.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE", description = "The CSV rows (default: standard input).")
    Path input;

    @Option(names = "--label-column", paramLabel = "N", converter = Flags.Column.class,
            description = "A column to leave out (a label), 0 the first; negative counts from the end (default: none).")
    Integer labelColumn;

    @Option(names = "--probabilities",
            description = "After the class, every output: class,p0,p1,... (raw outputs for a model without softmax).")
    boolean probabilities;

    @Option(names = "--top", paramLabel = "K", converter = Flags.AtLeastOne.class,
            description = "The K most likely classes with their probabilities: c1,p1,c2,p2,... largest first "
                + "(K at most the model's outputs).")
    Integer top;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (probabilities && top != null) {
            throw Flags.bad(spec, "--probabilities and --top print different columns; give one of them");
        }
        Kernels kernels = backend.kernels();
        Predictor p = Predictor.of(ModelInfo.load("--model", model), kernels);
        if (top != null && top > p.outputs()) {
            throw Flags.bad(spec, "--top must be between 1 and " + p.outputs() + " (the outputs of " + model + "), got "
                    + top);
        }
        if (input != null) {
            PathChecks.requireReadableFile("--input", input);
        }
        Path name = input == null ? Path.of("standard input") : input;
        byte[] content = input == null ? System.in.readAllBytes() : Files.readAllBytes(input);
        Dataset rows;
        try {
            rows = DataReaders.csvFeatures(name, content, labelColumn);
        } catch (IllegalArgumentException e) {
            throw Flags.bad(spec, "--label-column " + labelColumn + " is outside the rows of " + name);
        }
        if (rows.features() != p.inputs()) {
            throw new UserException(name + ": rows have " + rows.features() + " values, the model takes " + p.inputs()
                    + (labelColumn == null && rows.features() == p.inputs() + 1
                    ? " (pass --label-column N to leave out a label column)" : ""));
        }
        float[] x = rows.featuresArray();
        float[] outputs = new float[p.outputs()];
        int[] classes = new int[p.outputs()];
        float[] scores = new float[p.outputs()];
        StringBuilder line = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            line.setLength(0);
            if (top != null) {
                p.topK(x, r * p.inputs(), top, classes, scores);
                for (int i = 0; i < top; i++) {
                    line.append(i == 0 ? "" : ",").append(classes[i]).append(',').append(scores[i]);
                }
            } else {
                p.predict(x, r * p.inputs(), outputs, 0);
                line.append(Predictor.argmax(outputs, 0, outputs.length));
                if (probabilities) {
                    for (float v : outputs) {
                        line.append(',').append(v);
                    }
                }
            }
            out.println(line);
        }
        return 0;
    }
}
