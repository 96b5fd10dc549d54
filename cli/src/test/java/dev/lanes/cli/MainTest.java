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
    void aMalformedCommandLineIsAUsageErrorWithExitCode2() {
        Result r = run("train", "--no-such-flag");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--no-such-flag'"), r.err());
        assertTrue(r.err().contains("Usage: lanes train"), r.err());
        assertEquals(2, run("train", "--batch", "many").code());
    }

    @Test
    void badValuesAndMissingFilesAreOneLineWithExitCode1() {
        assertOneLineError(run("gradcheck", "--loss", "hinge"), "unknown loss 'hinge'");
        assertOneLineError(run("gradcheck", "--activation", "swish"), "unknown activation 'swish'");
        assertOneLineError(run("gradcheck", "--backend", "gpu"), "gpu");
        assertOneLineError(run("gradcheck", "--layers", "4,3", "--output-activation", "tanh", "--loss", "xent"),
                "needs a softmax output");
        Path missing = dir.resolve("missing.safetensors");
        assertOneLineError(run("eval", "--model", missing.toString()), "no such file: " + missing);
        assertOneLineError(run("train", "--threads", "0"), "--threads must be at least 1, got 0");
        assertOneLineError(run("eval", "--model", missing.toString(), "--threads", "0"), "--threads must be at least 1");
        assertOneLineError(run("predict", "--model", missing.toString()), "no such file: " + missing);
    }

    @Test
    void aCorruptModelIsOneLine() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertOneLineError(run("eval", "--model", bad.toString()), bad.toString());
    }

    private static void assertOneLineError(Result r, String expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(expected), lines[0]);
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
        assertOneLineError(run("train", "--layers", "10,5"), "--layers starts with 10 but the data has 64 features");
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
