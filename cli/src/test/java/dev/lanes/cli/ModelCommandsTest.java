package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.SafeTensors;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.Predictor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import, info --model, eval on recorded data, and predict's options, through the command line in process. */
class ModelCommandsTest {
    @TempDir
    Path dir;

    private static MainTest.Result run(String... args) {
        return MainTest.run(args);
    }

    private static void assertOneLineError(MainTest.Result r, String expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("", r.out(), "nothing on standard output");
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(expected), "expected '" + expected + "' in: " + lines[0]);
    }

    /** A PyTorch-style state dict (keys 0.* and 2.*, no lanes metadata) of a sizes[0]-hidden-classes Sequential. */
    private Path torchFile(String name, int in, int hidden, int out, boolean gap) throws Exception {
        Random r = new Random(4);
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        int second = gap ? 4 : 2;
        t.put("0.weight", new SafeTensors.Tensor(new int[] {hidden, in}, random(hidden * in, r)));
        t.put("0.bias", new SafeTensors.Tensor(new int[] {hidden}, random(hidden, r)));
        t.put(second + ".weight", new SafeTensors.Tensor(new int[] {out, hidden}, random(out * hidden, r)));
        t.put(second + ".bias", new SafeTensors.Tensor(new int[] {out}, random(out, r)));
        Path f = dir.resolve(name);
        SafeTensors.write(f, t, Map.of("format", "pt"));
        return f;
    }

    private static float[] random(int n, Random r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 0.3f;
        }
        return v;
    }

    @Test
    void importWritesAVerifiedModelThatInfoPredictAndEvalTake() throws Exception {
        Path torch = torchFile("torch.safetensors", 64, 16, 10, false);
        Path lanes = dir.resolve("imported.safetensors");
        MainTest.Result imp = run("import", torch.toString(), "--activations", "tanh,softmax", "--save", lanes.toString(),
                "--input-max", "16");
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().contains("imported  " + torch + ": 2 Linear layers, 64-16-10, tanh,softmax (1,210 parameters, F32)"),
                imp.out());
        assertTrue(imp.out().contains("inputs    divided by 16.0 (input_max)"), imp.out());

        MainTest.Result info = run("info", "--model", lanes.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("checksum  verified (content_sha256 "), info.out());
        assertTrue(info.out().contains("layers    64-16-10, tanh,softmax (1,210 parameters)"), info.out());
        assertTrue(info.out().contains("imported_from " + torch.toAbsolutePath()), info.out());
        assertTrue(info.out().contains("trained   data not recorded"), info.out());

        // predict applies the recorded input_max: the same classes as a Predictor on the raw rows.
        Path rows = dir.resolve("rows.csv");
        StringBuilder csv = new StringBuilder();
        Random r = new Random(9);
        float[][] raw = new float[5][64];
        for (float[] row : raw) {
            for (int j = 0; j < 64; j++) {
                row[j] = r.nextInt(17);
                csv.append(j == 0 ? "" : ",").append((int) row[j]);
            }
            csv.append('\n');
        }
        Files.writeString(rows, csv);
        MainTest.Result p = run("predict", "--model", lanes.toString(), "--input", rows.toString());
        assertEquals(0, p.code(), p.err());
        Predictor predictor = Predictor.load(lanes, Kernels.get());
        StringBuilder expected = new StringBuilder();
        for (float[] row : raw) {
            expected.append(predictor.classify(row)).append('\n');
        }
        assertEquals(expected.toString(), p.out().replace("\r\n", "\n"));

        // 64 features and no recorded data: eval falls back to the digits, as for models of lanes 0.1.
        MainTest.Result e = run("eval", "--model", lanes.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("on embedded digits (80/20 split, seed 1)"), e.out());
    }

    @Test
    void importRefusesWhatItCannotReadInOneLine() throws Exception {
        Path torch = torchFile("t.safetensors", 5, 4, 3, false);
        Path out = dir.resolve("out.safetensors");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh", "--save", out.toString()),
                "2 Linear layers (0 to 2) but 1 activation given");
        assertOneLineError(run("predict", "--model", torch.toString()),
                "not a lanes model: __metadata__ format is 'pt', expected 'lanes-mlp'; it looks like a PyTorch state dict: "
                        + "convert it with TorchImport (./lanes import)");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh,swish", "--save", out.toString()),
                "unknown activation 'swish'");
        assertOneLineError(run("import", torchFile("gap.safetensors", 5, 4, 3, true).toString(), "--activations",
                "tanh,softmax", "--save", out.toString()), "gap in the numbering between tensors 0.weight and 4.weight");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh,softmax", "--save",
                dir.resolve("no/such/dir/m.safetensors").toString()), "does not exist");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh,softmax", "--save", dir.toString()),
                "is a directory");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh,softmax", "--save", out.toString(),
                "--input-max", "0"), "--input-max must be a positive number");
        assertFalse(Files.exists(out));
    }

    @Test
    void infoSaysWhetherAFileIsVerifiedAndRefusesATamperedOne() throws Exception {
        Path torch = torchFile("t.safetensors", 784, 8, 10, false);
        Path lanes = dir.resolve("m.safetensors");
        assertEquals(0, run("import", torch.toString(), "--activations", "relu,softmax", "--save", lanes.toString(),
                "--input-max", "255").code());
        byte[] bytes = Files.readAllBytes(lanes);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"input_max\":\"255.0\"");
        assertTrue(at > 0);
        bytes[at + "\"input_max\":\"".length()] = '6';
        Path tampered = dir.resolve("tampered.safetensors");
        Files.write(tampered, bytes);
        assertOneLineError(run("info", "--model", tampered.toString()), tampered + ": checksum mismatch");
        assertOneLineError(run("serve", "--model", tampered.toString(), "--port", "0"), "checksum mismatch");

        // A file without a checksum (another tool's, or lanes 0.1's) is described as unverified.
        SafeTensors.Contents c = SafeTensors.read(lanes);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.remove(ModelFile.CHECKSUM);
        Path old = dir.resolve("old.safetensors");
        SafeTensors.write(old, c.tensors(), meta);
        MainTest.Result info = run("info", "--model", old.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("checksum  unverified: the file has no content_sha256"), info.out());

        // 784 features and no recorded data: eval says which flag to pass.
        assertOneLineError(run("eval", "--model", lanes.toString()), lanes + " does not record its training data and "
                + "takes 784 features (the embedded digits have 64): pass --idx DIR or --csv FILE [--label-column N]");
    }

    @Test
    void evalUsesTheRecordedCsvOrSaysWhichFlagToPass() throws Exception {
        StringBuilder csv = new StringBuilder("label,a,b\n");
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            int label = random.nextInt(3);
            csv.append(label).append(',').append(label * 4 + random.nextGaussian()).append(',')
                    .append(8 - label * 3 + random.nextGaussian()).append('\n');
        }
        Path data = dir.resolve("three.csv");
        Files.writeString(data, csv);
        Path model = dir.resolve("three.safetensors");
        MainTest.Result t = run("train", "--csv", data.toString(), "--label-column", "0", "--epochs", "3",
                "--split-seed", "7", "--save", model.toString());
        assertEquals(0, t.code(), t.err());
        Matcher last = Pattern.compile("epoch   3 .*held-out accuracy\\s+(\\S+)%").matcher(t.out());
        assertTrue(last.find(), t.out());

        MainTest.Result info = run("info", "--model", model.toString());
        assertTrue(info.out().contains("trained   CSV file " + data.toAbsolutePath() + " (label column 0, 20% held out, "
                + "split seed 7)"), info.out());
        MainTest.Result e = run("eval", "--model", model.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains(data + " (80/20 split, seed 7): held-out accuracy " + last.group(1) + "%"), e.out());

        Files.move(data, dir.resolve("moved.csv"));
        assertOneLineError(run("eval", "--model", model.toString()), "was trained on CSV file " + data.toAbsolutePath()
                + " (label column 0, 20% held out, split seed 7), which is not there any more: pass --csv FILE --label-column 0");
        MainTest.Result moved = run("eval", "--model", model.toString(), "--csv", dir.resolve("moved.csv").toString(),
                "--label-column", "0");
        assertEquals(0, moved.code(), moved.err());
        assertTrue(moved.out().contains("seed 7): held-out accuracy " + last.group(1) + "%"), moved.out());
    }

    @Test
    void predictPrintsProbabilitiesAndTopKAndChecksTheWholeInputFirst() throws Exception {
        Path model = dir.resolve("digits.safetensors");
        assertEquals(0, run("train", "--epochs", "1", "--save", model.toString()).code());
        Predictor p = Predictor.load(model, Kernels.get());
        String zero = "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,"
                + "9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0";
        float[] row = new float[64];
        String[] cells = zero.split(",");
        for (int j = 0; j < 64; j++) {
            row[j] = Float.parseFloat(cells[j]);
        }
        float[] probs = p.predict(row);
        int[] top = new int[3];
        float[] scores = new float[3];
        p.topK(row, 3, top, scores);

        // A header row and a label column, as train --csv takes them.
        Path input = dir.resolve("labelled.csv");
        Files.writeString(input, "p" + String.join(",p", java.util.Collections.nCopies(64, "x")) + ",label\n"
                + zero + ",0\n" + zero + ",7\n");
        MainTest.Result probabilities = run("predict", "--model", model.toString(), "--input", input.toString(),
                "--label-column", "-1", "--probabilities");
        assertEquals(0, probabilities.code(), probabilities.err());
        StringBuilder line = new StringBuilder().append(p.classify(row));
        for (float v : probs) {
            line.append(',').append(v);
        }
        assertEquals(List.of(line.toString(), line.toString()), probabilities.out().lines().toList());

        MainTest.Result topK = run("predict", "--model", model.toString(), "--input", input.toString(),
                "--label-column", "64", "--top", "3");
        assertEquals(0, topK.code(), topK.err());
        String expectedTop = top[0] + "," + scores[0] + "," + top[1] + "," + scores[1] + "," + top[2] + "," + scores[2];
        assertEquals(List.of(expectedTop, expectedTop), topK.out().lines().toList());
        assertTrue(scores[0] >= scores[1] && scores[1] >= scores[2], Arrays.toString(scores));

        // Without --label-column the extra column is named.
        assertOneLineError(run("predict", "--model", model.toString(), "--input", input.toString()),
                "rows have 65 values, the model takes 64 (pass --label-column N to leave out a label column)");
        // A bad row after good ones: nothing is printed, the line and column are named.
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, zero + "\n" + zero + "\n" + zero.replaceFirst("13", "x") + "\n");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", bad.toString()),
                "line 3, column 4: 'x' is not a finite number");
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "\n\n");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", empty.toString()), "empty: no rows");
        Path headerOnly = dir.resolve("header.csv");
        Files.writeString(headerOnly, "a,b,c\n");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", headerOnly.toString()),
                "no data rows after the header line");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", input.toString(), "--top", "11"),
                "--top must be between 1 and 10 (the model's outputs), got 11");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", input.toString(), "--top", "2",
                "--probabilities"), "--probabilities and --top print different columns");
        assertOneLineError(run("predict", "--model", model.toString(), "--input", input.toString(), "--label-column", "70"),
                "--label-column 70 is outside the rows of " + input);
    }
}
