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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** import, info --model, eval on recorded data, and predict's options, through the command line in process. */
class ModelCommandsTest {
    @TempDir
    Path dir;

    private static MainTest.Result run(String... args) {
        return MainTest.run(args);
    }

    /** A file or data problem: one line naming the command, exit code 1, nothing on standard output. */
    private static void assertOneLineError(MainTest.Result r, String expected) {
        MainTest.assertOneLineError(r, expected);
        assertEquals("", r.out(), "nothing on standard output");
    }

    /** A bad flag value: the flag first, a pointer to --help, exit code 2, nothing on standard output. */
    private static void assertBadFlag(MainTest.Result r, String command, String expected) {
        MainTest.assertBadCommandLine(r, expected);
        assertTrue(r.err().startsWith("lanes " + command + ": " + expected), r.err());
        assertTrue(r.err().contains("Try 'lanes " + command + " --help'"), r.err());
        assertEquals("", r.out(), "nothing on standard output");
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
        assertBadFlag(run("import", torch.toString(), "--activations", "tanh", "--save", out.toString()), "import",
                "--activations: " + torch + " has 2 Linear layers (0 to 2) but 1 activation given");
        assertOneLineError(run("predict", "--model", torch.toString()),
                "not a lanes model: __metadata__ format is 'pt', expected 'lanes-mlp'; it looks like a PyTorch state dict: "
                        + "convert it with TorchImport (./lanes import)");
        assertBadFlag(run("import", torch.toString(), "--activations", "tanh,swish", "--save", out.toString()), "import",
                "--activations must be tanh, softmax, sigmoid, relu or identity, got 'swish'");
        assertBadFlag(run("import", torch.toString(), "--activations", "softmax,softmax", "--save", out.toString()),
                "import", "--activations: softmax is only supported on the last layer, got it for layer 0 of 2");
        assertOneLineError(run("import", dir.resolve("missing.safetensors").toString(), "--activations", "tanh,softmax",
                "--save", out.toString()), "lanes import: no such file: " + dir.resolve("missing.safetensors"));
        assertOneLineError(run("import", dir.toString(), "--activations", "tanh,softmax", "--save", out.toString()),
                "IN.safetensors " + dir + " is a directory, not a file");
        Path notSafetensors = Files.writeString(dir.resolve("notes.txt"), "not a model");
        assertOneLineError(run("import", notSafetensors.toString(), "--activations", "tanh,softmax", "--save",
                out.toString()), notSafetensors.toString());
        MainTest.assertBadCommandLine(run("import", "--activations", "tanh,softmax", "--save", out.toString()),
                "lanes import: Missing required parameter: 'IN.safetensors'");
        assertOneLineError(run("import", torchFile("gap.safetensors", 5, 4, 3, true).toString(), "--activations",
                "tanh,softmax", "--save", out.toString()), "gap in the numbering between tensors 0.weight and 4.weight");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh,softmax", "--save",
                dir.resolve("no/such/dir/m.safetensors").toString()), "does not exist");
        assertOneLineError(run("import", torch.toString(), "--activations", "tanh,softmax", "--save", dir.toString()),
                "is a directory");
        assertBadFlag(run("import", torch.toString(), "--activations", "tanh,softmax", "--save", out.toString(),
                "--input-max", "0"), "import", "--input-max must be a positive number, got '0'");
        assertBadFlag(run("import", torch.toString(), "--activations", "tanh,softmax", "--save", out.toString(),
                "--input-max", "NaN"), "import", "--input-max must be a positive number, got 'NaN'");
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
        assertOneLineError(run("predict", "--model", model.toString(), "--input", dir.resolve("none.csv").toString()),
                "lanes predict: no such file: " + dir.resolve("none.csv"));
        assertOneLineError(run("predict", "--model", model.toString(), "--input", dir.toString()),
                "--input " + dir + " is a directory, not a file");
    }

    /** predict's new flags follow the command line's rule: a bad value names the flag, exit code 2. */
    @Test
    void predictsBadFlagValuesAreExitCode2NamingTheFlag() throws Exception {
        Path model = dir.resolve("digits.safetensors");
        assertEquals(0, run("train", "--epochs", "1", "--save", model.toString()).code());
        Path input = Files.writeString(dir.resolve("rows.csv"), String.join(",", java.util.Collections.nCopies(64, "1"))
                + "\n");
        String m = model.toString();
        String in = input.toString();
        assertBadFlag(run("predict", "--model", m, "--input", in, "--top", "11"), "predict",
                "--top must be between 1 and 10 (the outputs of " + model + "), got 11");
        assertBadFlag(run("predict", "--model", m, "--input", in, "--top", "0"), "predict",
                "--top must be a whole number of at least 1, got '0'");
        assertBadFlag(run("predict", "--model", m, "--input", in, "--top", "2", "--probabilities"), "predict",
                "--probabilities and --top print different columns");
        assertBadFlag(run("predict", "--model", m, "--input", in, "--label-column", "70"), "predict",
                "--label-column 70 is outside the rows of " + input);
        assertBadFlag(run("predict", "--model", m, "--input", in, "--label-column", "last"), "predict",
                "--label-column must be a whole number");
        assertBadFlag(run("predict", "--model", m, "--input", in, "--backend", "gpu"), "predict",
                "--backend must be scalar, vector or auto, got 'gpu'");
        MainTest.Result ok = run("predict", "--model", m, "--input", in, "--top", "10", "--backend", "scalar");
        assertEquals(0, ok.code(), ok.err());
    }

    /**
     * serve's flags: bad values exit 2 naming the flag, before the model is read or a port is bound;
     * a missing model or a port in use is exit code 1. More threads than processors are allowed (and
     * not capped, unlike train's): the command gets as far as binding the port.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a check that let serve start would wait forever
    void servesBadFlagValuesAreExitCode2AndItsFileProblemsExitCode1() throws Exception {
        Path model = dir.resolve("m.safetensors");
        ModelFile.save(model, dev.lanes.nn.Network.glorot(new int[] {3, 4, 2},
                new dev.lanes.nn.Activation[] {dev.lanes.nn.Activation.TANH, dev.lanes.nn.Activation.SOFTMAX}, 1),
                Map.of());
        String m = model.toString();
        assertBadFlag(run("serve", "--model", m, "--port", "70000"), "serve",
                "--port must be a port from 0 to 65535 (0: any free one), got '70000'");
        assertBadFlag(run("serve", "--model", m, "--port", "http"), "serve", "--port must be a port from 0 to 65535");
        assertBadFlag(run("serve", "--model", m, "--threads", "0"), "serve",
                "--threads must be a whole number of at least 1, got '0'");
        assertBadFlag(run("serve", "--model", m, "--threads", "5000"), "serve", "--threads must be at most 1024, got 5000");
        assertBadFlag(run("serve", "--model", m, "--queue", "-1"), "serve",
                "--queue must be a whole number of at least 0, got '-1'");
        assertBadFlag(run("serve", "--model", m, "--max-body", "0"), "serve",
                "--max-body must be a whole number of bytes, at least 1, got '0'");
        assertBadFlag(run("serve", "--model", m, "--warmup", "-1"), "serve",
                "--warmup must be a number of seconds, 0 or more, got '-1'");
        assertBadFlag(run("serve", "--model", m, "--warmup", "601"), "serve", "--warmup must be at most 600 seconds");
        assertBadFlag(run("serve", "--model", m, "--drain", "nan"), "serve", "--drain must be a number of seconds");
        assertBadFlag(run("serve", "--model", m, "--drain", "3601"), "serve", "--drain must be at most 3600 seconds");
        assertBadFlag(run("serve", "--model", m, "--backend", "gpu"), "serve",
                "--backend must be scalar, vector or auto, got 'gpu'");
        assertBadFlag(run("serve", "--model", m, "--host", "no-such-host.invalid"), "serve",
                "--host no-such-host.invalid is not an address or a known host name");
        MainTest.assertBadCommandLine(run("serve", "--port", "0"), "lanes serve: Missing required option: '--model=FILE'");

        assertOneLineError(run("serve", "--model", dir.resolve("none.safetensors").toString(), "--port", "0"),
                "lanes serve: no such file: " + dir.resolve("none.safetensors"));
        assertOneLineError(run("serve", "--model", dir.toString(), "--port", "0"),
                "--model " + dir + " is a directory, not a file");
        int manyThreads = Runtime.getRuntime().availableProcessors() + 3;
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            MainTest.Result r = run("serve", "--model", m, "--host", "127.0.0.1", "--port",
                    Integer.toString(taken.getLocalPort()), "--threads", Integer.toString(manyThreads));
            assertOneLineError(r, "lanes serve: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertFalse(r.err().contains("processor"), "--threads is not capped at the processors: " + r.err());
        }
    }

    @Test
    void infoWithABadModelPathIsExitCode1() {
        assertOneLineError(run("info", "--model", dir.resolve("none.safetensors").toString()),
                "lanes info: no such file: " + dir.resolve("none.safetensors"));
        assertOneLineError(run("info", "--model", dir.toString()), "--model " + dir + " is a directory, not a file");
        MainTest.assertBadCommandLine(run("info", "--model"), "lanes info: Missing required parameter for option '--model'");
    }
}
