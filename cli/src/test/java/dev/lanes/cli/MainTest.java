package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line in process. Train, eval and predict need the data readers and the safetensors code. */
class MainTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void gradcheckPrintsTheLargestRelativeErrorPerTensor() {
        Result r = run("gradcheck", "--layers", "20,16,12,10", "--activation", "tanh", "--loss", "mse");
        assertEquals(0, r.code(), r.err());
        for (String tensor : List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.2.bias")) {
            Matcher m = Pattern.compile(Pattern.quote(tensor) + " .*largest relative error (\\S+)").matcher(r.out());
            assertTrue(m.find(), r.out());
            assertTrue(Double.parseDouble(m.group(1)) <= 1e-3, m.group());
        }
        assertTrue(r.out().contains("ok: largest"), r.out());
    }

    @Test
    void aMalformedCommandLineIsOneLineAndAPointerToHelpWithExitCode2() {
        Result r = run("train", "--no-such-flag");
        assertBadCommandLine(r, "lanes train: Unknown option: '--no-such-flag'");
        assertTrue(r.err().endsWith("Try 'lanes train --help' for more information." + System.lineSeparator()),
                r.err());
        assertBadCommandLine(run("train", "--batch", "many"), "--batch must be a whole number of at least 1, got 'many'");
        assertBadCommandLine(run("frobnicate"), "lanes: unknown command 'frobnicate' (the commands are info, train, "
                + "eval, predict, gradcheck, bench)");
        assertBadCommandLine(run("train", "extra"), "lanes train: unexpected argument 'extra' (flags start with --)");
    }

    /** Every bad flag value is exit code 2 and names the flag, whichever check finds it. */
    @Test
    void everyBadFlagValueNamesTheFlagWithExitCode2() {
        assertBadCommandLine(run("train", "--lr", "nan"), "--lr must be a positive number, got 'nan'");
        assertBadCommandLine(run("train", "--lr", "NaN"), "--lr must be a positive number, got 'NaN'");
        assertBadCommandLine(run("train", "--lr", "-0.1"), "--lr must be a positive number, got '-0.1'");
        assertBadCommandLine(run("train", "--lr", "Infinity"), "--lr must be a positive number");
        assertBadCommandLine(run("train", "--clip-norm", "-1"), "--clip-norm must be 0 (off) or a positive number");
        assertBadCommandLine(run("train", "--backend", "bogus"), "--backend must be scalar, vector or auto, got 'bogus'");
        assertBadCommandLine(run("gradcheck", "--backend", "gpu"), "--backend must be scalar, vector or auto");
        assertBadCommandLine(run("eval", "--model", "m", "--backend", "gpu"), "--backend must be scalar, vector or auto");
        assertBadCommandLine(run("train", "--layers", "64,0,10"), "--layers must be widths of at least 1");
        assertBadCommandLine(run("train", "--layers", "64"), "--layers needs at least an input and an output width");
        assertBadCommandLine(run("gradcheck", "--layers", "4,x"), "--layers must be widths of at least 1");
        assertBadCommandLine(run("train", "--threads", "0"), "--threads must be a whole number of at least 1, got '0'");
        assertBadCommandLine(run("eval", "--model", "m", "--threads", "0"), "--threads must be a whole number");
        assertBadCommandLine(run("train", "--epochs", "0"), "--epochs must be a whole number of at least 1");
        assertBadCommandLine(run("train", "--batch", "-3"), "--batch must be a whole number of at least 1");
        assertBadCommandLine(run("train", "--seed", "1.5"), "--seed must be a whole number, got '1.5'");
        assertBadCommandLine(run("train", "--loss", "hinge"), "--loss must be mse or xent, got 'hinge'");
        assertBadCommandLine(run("train", "--optimizer", "rmsprop"), "--optimizer must be sgd, momentum or adam");
        assertBadCommandLine(run("gradcheck", "--activation", "swish"),
                "--activation must be tanh, softmax, sigmoid, relu or identity, got 'swish'");
        assertBadCommandLine(run("gradcheck", "--samples", "0"), "--samples must be a whole number of at least 1");
        assertBadCommandLine(run("gradcheck", "--layers", "4,3", "--output-activation", "tanh", "--loss", "xent"),
                "--loss xent needs --output-activation softmax, got tanh");
        assertBadCommandLine(run("train", "--activation", "softmax"),
                "--activation softmax: softmax is only supported on the output layer");
        assertBadCommandLine(run("train", "--layers", "10,5"), "--layers starts with 10 but the data has 64 features");
        assertBadCommandLine(run("train", "--layers", "64,5"), "--layers ends with 5 but the data has 10 classes");
        assertBadCommandLine(run("train", "--label-column", "3"), "--label-column applies to --csv data only");
        assertBadCommandLine(run("train", "--idx", dir.toString(), "--split-seed", "3"),
                "--split-seed does not apply to --idx data");
    }

    @Test
    void missingFilesAreOneLineWithExitCode1() {
        Path missing = dir.resolve("missing.safetensors");
        assertOneLineError(run("eval", "--model", missing.toString()), "no such file: " + missing);
        assertOneLineError(run("predict", "--model", missing.toString()), "no such file: " + missing);
        assertOneLineError(run("train", "--csv", missing.toString()), "no such file: " + missing);
    }

    /** Point 3 of the command-line issue: say what was looked for, and where. */
    @Test
    void idxDirectoriesAndModelPathsThatDoNotFitSayWhy() throws Exception {
        assertOneLineError(run("train", "--idx", dir.toString()),
                dir + ": no training images file there; looked for train-images-idx3-ubyte.gz, ");
        Files.write(dir.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7});
        Files.write(dir.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 0});
        assertOneLineError(run("train", "--idx", dir.toString()),
                dir + ": no held-out images file there; looked for t10k-images-idx3-ubyte.gz, ");
        Path file = dir.resolve("train-images-idx3-ubyte");
        assertOneLineError(run("train", "--idx", file.toString()),
                file + ": is a file; expected a directory that holds MNIST-style IDX files");
        assertOneLineError(run("predict", "--model", dir.toString()), "--model " + dir + " is a directory, not a file");
        assertOneLineError(run("eval", "--model", dir.toString()), "--model " + dir + " is a directory, not a file");
        assertOneLineError(run("train", "--csv", dir.toString()), "--csv " + dir + " is a directory, not a file");
    }

    @Test
    void aCorruptModelIsOneLine() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertOneLineError(run("eval", "--model", bad.toString()), bad.toString());
        dev.lanes.nn.ModelFile.save(bad, dev.lanes.nn.Network.glorot(new int[] {64, 10},
                new dev.lanes.nn.Activation[] {dev.lanes.nn.Activation.SOFTMAX}, 1), java.util.Map.of("loss", "hinge"));
        assertOneLineError(run("eval", "--model", bad.toString()), bad + ": __metadata__ loss 'hinge' is not mse or xent");
    }

    /**
     * Point 1: --save and --plot are checked before training starts (no epoch is printed), and the
     * message names the path the user gave, not a temporary file.
     */
    @Test
    void unusableSaveAndPlotPathsFailBeforeTraining() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertNoTraining(run("train", "--save", dir.resolve("missing/dir/m.safetensors").toString()),
                "--save " + dir.resolve("missing/dir/m.safetensors") + ": the directory " + dir.resolve("missing/dir")
                        + " does not exist");
        assertNoTraining(run("train", "--save", dir.toString()), "--save " + dir + " is a directory");
        assertNoTraining(run("train", "--save", file.resolve("m.safetensors").toString()),
                ": " + file + " is not a directory");
        assertNoTraining(run("train", "--plot", dir.resolve("missing/curves").toString()),
                "--plot " + dir.resolve("missing/curves.png") + ": the directory " + dir.resolve("missing")
                        + " does not exist");
        assertNoTraining(run("train", "--plot", dir.toString() + "/"), "--plot " + dir + " is a directory");
    }

    private static void assertNoTraining(Result r, String expected) {
        assertOneLineError(r, expected);
        assertFalse(r.out().contains("epoch"), "nothing was trained: " + r.out());
        assertFalse(r.err().contains(".tmp"), r.err());
    }

    /** Point 2: more threads than processors are capped, with a note that says so. */
    @Test
    void threadsAboveTheProcessorsAreCapped() {
        int processors = Runtime.getRuntime().availableProcessors();
        Result r = run("train", "--epochs", "1", "--batch", "16", "--threads", "10000");
        assertEquals(0, r.code(), r.err());
        assertEquals("lanes train: --threads 10000 is more than the " + processors + " processor"
                + (processors == 1 ? "" : "s") + " here; using " + processors, r.err().strip());
        assertTrue(r.out().contains(", " + processors + " thread" + (processors == 1 ? "" : "s")
                + System.lineSeparator()), r.out());
        assertTrue(r.out().contains("batch 16, 1 epoch, seed"), "1 epoch, not 1 epochs: " + r.out());
    }

    /**
     * Point 5: a label column outside the row is an error, and so is one that holds a single value
     * (which used to train a one-class network that scored 100%).
     */
    @Test
    void aLabelColumnThatIsNotTheLabelIsAnError() throws Exception {
        StringBuilder csv = new StringBuilder();
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 60; i++) {
            int label = random.nextInt(3);
            csv.append(label * 2 + random.nextFloat()).append(",0,").append(label).append('\n');
        }
        Path file = Files.writeString(dir.resolve("f.csv"), csv);
        assertBadCommandLine(run("train", "--csv", file.toString(), "--label-column", "-2"),
                "--label-column -2: every training row of " + file + " has the label 0 there, so there is one class");
        assertBadCommandLine(run("train", "--csv", file.toString(), "--label-column", "-4"),
                "--label-column: label column -4 is outside the 3 columns of " + file);
        assertBadCommandLine(run("train", "--csv", file.toString(), "--label-column", "3"),
                "--label-column: label column 3 is outside the 3 columns");
        assertBadCommandLine(run("train", "--csv", file.toString(), "--label-column", "x"),
                "--label-column must be a whole number (0 is the first column, -1 the last), got 'x'");
        Result ok = run("train", "--csv", file.toString(), "--epochs", "1");
        assertEquals(0, ok.code(), ok.err());
    }

    /**
     * Point 6: a rate so large that the units saturate trains to chance level with a flat loss; the
     * run is reported with the cause and a smaller rate, the model is not saved (the plot, which shows
     * it, is), and the exit code is 3.
     */
    @Test
    void aRunThatMakesNoProgressIsReportedAndNotSaved() throws Exception {
        Path model = dir.resolve("m.safetensors");
        Path plot = dir.resolve("curves.png");
        Result r = run("train", "--lr", "1e6", "--epochs", "2", "--save", model.toString(), "--plot", plot.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("lanes train: no progress: held-out accuracy "), lines.get(0));
        assertTrue(lines.get(0).contains("is chance level (always answering the most common class scores "),
                lines.get(0));
        assertTrue(lines.get(1).matches("lanes train: \\d+% of the hidden units are saturated \\(tanh .*"), lines.get(1));
        assertTrue(lines.get(1).endsWith("the learning rate 1000000.0 is far too large; try a smaller one, such as "
                + "--lr 0.01"), lines.get(1));
        assertEquals("lanes train: the model was not saved to " + model, lines.get(2));
        assertFalse(Files.exists(model));
        assertTrue(Files.size(plot) > 0, "the plot shows what happened");
        assertFalse(r.out().contains("saved"), r.out());
    }

    @Test
    void progressIsJudgedAgainstChanceLevelAndTheUntrainedLoss() {
        int[] labels = new int[100];
        java.util.Arrays.fill(labels, 0, 40, 2);
        java.util.Arrays.fill(labels, 40, 100, 1);
        dev.lanes.data.Dataset heldOut = new dev.lanes.data.Dataset("h", new float[100], labels, 1, 3);
        assertEquals(0.6, ProgressCheck.chanceAccuracy(heldOut), 1e-12);
        // Two standard errors at 60% of 100 samples: 9.8 points.
        assertEquals(null, ProgressCheck.problem(ev(1.0, 0.2), ev(0.5, 0.71), heldOut));
        assertTrue(ProgressCheck.problem(ev(1.0, 0.2), ev(0.5, 0.69), heldOut).contains("is chance level"));
        assertTrue(ProgressCheck.problem(ev(1.0, 0.2), ev(1.0, 0.9), heldOut).startsWith(
                "no progress: the held-out loss went from 1.000 (untrained) to 1.000, with held-out accuracy 90.00%"));
        assertTrue(ProgressCheck.problem(ev(1.0, 0.2), ev(Double.NaN, 0.9), heldOut).startsWith("no progress"));
        // With few held-out samples only the loss counts.
        assertEquals(null, ProgressCheck.problem(ev(1.0, 0.2), ev(0.5, 0.6), heldOut.subset("few", new int[] {0, 50})));
    }

    private static dev.lanes.nn.Trainer.Evaluation ev(double loss, double accuracy) {
        return new dev.lanes.nn.Trainer.Evaluation(loss, accuracy, 100);
    }

    /** Point 7: help lists every command, every command takes --help, no command is a usage error. */
    @Test
    void helpListsEveryCommandAndEveryCommandTakesHelp() {
        Result help = run("--help");
        assertEquals(0, help.code());
        for (String command : List.of("info", "train", "eval", "predict", "gradcheck", "bench")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " in " + help.out());
            Result r = run(command, "--help");
            assertEquals(0, r.code(), command + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: lanes " + command), r.out());
        }
        assertTrue(help.out().contains("Exit codes:"), help.out());
        Result train = run("train", "--help");
        assertTrue(train.out().contains("--layers=N,N,..."), train.out());
        assertFalse(train.out().contains("N,N,...["), "no repetition syntax: " + train.out());
        Result none = run();
        assertEquals(2, none.code());
        assertEquals("", none.out());
        assertTrue(none.err().startsWith("lanes: a command is needed"), none.err());
        assertTrue(none.err().contains("Usage: lanes"), none.err());
    }

    private static void assertOneLineError(Result r, String expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(expected), lines[0]);
        assertTrue(lines[0].startsWith("lanes "), lines[0]);
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    private static void assertBadCommandLine(Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[0].contains(expected), lines[0]);
        assertTrue(lines[0].startsWith("lanes"), lines[0]);
        assertTrue(lines[lines.length - 1].startsWith("Try 'lanes"), r.err());
        assertTrue(lines.length <= 3, r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void trainSavesAModelThatEvalAndPredictUse() throws Exception {
        Path model = dir.resolve("digits.safetensors");
        Path plot = dir.resolve("curves.png");
        Result t = run("train", "--epochs", "3", "--save", model.toString(), "--plot", plot.toString(),
                "--threads", "2");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains(", 2 threads"), t.out());
        List<String> epochs = t.out().lines().filter(l -> l.startsWith("epoch")).toList();
        assertEquals(3, epochs.size(), t.out());
        assertTrue(t.out().contains("64-32-10, tanh,softmax"), t.out());
        byte[] png = Files.readAllBytes(plot);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));

        Matcher last = Pattern.compile("held-out accuracy\\s+(\\S+)%").matcher(epochs.get(2));
        assertTrue(last.find(), epochs.get(2));
        Result e = run("eval", "--model", model.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("held-out accuracy " + last.group(1) + "%"),
                "eval measures the same held-out split: " + e.out() + " vs " + epochs.get(2));
        assertEquals(e.out(), run("eval", "--model", model.toString(), "--threads", "2").out(),
                "threads do not change the result");

        Path rows = dir.resolve("rows.csv");
        Files.writeString(rows, "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,"
                + "9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0\n\n"
                + String.join(",", java.util.Collections.nCopies(64, "0")) + "\n");
        Result p = run("predict", "--model", model.toString(), "--input", rows.toString());
        assertEquals(0, p.code(), p.err());
        List<String> classes = p.out().lines().toList();
        assertEquals(2, classes.size(), p.out());
        assertEquals("0", classes.get(0), "the first row is the digits set's first image, a 0");

        Files.writeString(rows, "1,2,3\n");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", rows.toString()),
                "line 1: 3 values, the model takes 64");
    }

    @Test
    void trainReadsCsv() throws Exception {
        StringBuilder csv = new StringBuilder();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 300; i++) {
            int label = random.nextInt(3);
            csv.append(label).append(',').append(label * 4 + random.nextGaussian()).append(',')
                    .append(8 - label * 3 + random.nextGaussian()).append('\n');
        }
        Path file = dir.resolve("three.csv");
        Files.writeString(file, csv);
        Result r = run("train", "--csv", file.toString(), "--label-column", "0", "--loss", "xent",
                "--optimizer", "adam", "--batch", "8", "--epochs", "20");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2-32-3"), r.out());
        Matcher m = Pattern.compile("epoch  20 .*held-out accuracy\\s+(\\S+)%").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 90, m.group());
    }
}
