package dev.lanes.cli;

import dev.lanes.data.DataReaders;
import dev.lanes.data.Dataset;
import dev.lanes.nn.ModelFile;
import dev.lanes.nn.ModelFile.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where training and evaluation data come from: the embedded digits set by default, an IDX directory
 * (its train files to train, its t10k files held out) or a CSV file. Digits and CSV data are split
 * 80/20 by a seed; the held-out part is what train reports and eval measures.
 */
final class DataOptions {
    static final double HELD_OUT = 0.2;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--idx", paramLabel = "DIR",
                description = "A directory with MNIST-style IDX files (train-* to train, t10k-* held out).")
        Path idx;

        @Option(names = "--csv", paramLabel = "FILE", description = "A CSV file of numbers, one sample a row.")
        Path csv;
    }

    @Option(names = "--label-column", paramLabel = "N", converter = Flags.Column.class,
            description = "With --csv: the column of the label, 0 the first; negative counts from the end "
                    + "(default: -1, the last).")
    Integer labelColumn;

    @Option(names = "--split-seed", paramLabel = "SEED", converter = Flags.Seed.class,
            description = "Seed of the train/held-out split of digits and CSV data (default: 1, or the one a model "
                    + "was trained with).")
    Long splitSeed;

    /** Training and held-out data, both scaled to [0, 1] by {@code inputMax}, and where they came from. */
    record Split(Dataset train, Dataset heldOut, float inputMax, long splitSeed, String description, TrainingData source) {
    }

    /** True if a data flag was given. */
    boolean given() {
        return source.idx != null || source.csv != null;
    }

    /**
     * The held-out data to measure a saved model on: the data flags if given, else the data the
     * model records (the same split, the same scaling); a model that records none and does not take
     * the digits' 64 features (models saved by lanes 0.1 were trained on them) is an error saying
     * which flag to pass, as is recorded data that is no longer where it was.
     */
    Split loadFor(Path modelFile, ModelFile.Model m) throws IOException {
        Float inputMax = m.inputMax().orElse(null);
        TrainingData recorded = m.trainingData().orElse(null);
        if (given() || (recorded == null && m.network().inputs() == 64)) {
            return load(inputMax, ModelInfo.splitSeed(modelFile, m));
        }
        if (recorded == null) {
            throw new UserException(modelFile + " does not record its training data and takes " + m.network().inputs()
                    + " features (the embedded digits have 64): pass --idx DIR or --csv FILE [--label-column N]");
        }
        if (labelColumn != null) {
            throw Flags.bad(spec, "--label-column applies to --csv data only (" + modelFile + " was trained on "
                    + recorded.describe() + ", which eval reads with its recorded label column)");
        }
        boolean idx = recorded.source().equals(TrainingData.IDX);
        if (idx && splitSeed != null) {
            throw Flags.bad(spec, "--split-seed does not apply to --idx data, whose train and t10k files are the split ("
                    + modelFile + " was trained on " + recorded.describe() + ")");
        }
        long seed = splitSeed != null ? splitSeed : recorded.splitSeed();
        if (recorded.source().equals(TrainingData.DIGITS)) {
            return loadFrom(null, null, 0, recorded.heldOut(), inputMax, seed);
        }
        Path path = Path.of(recorded.path());
        if (idx ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
            throw new UserException(modelFile + " was trained on " + recorded.describe() + ", which is not there any more: "
                    + (idx ? "pass --idx DIR" : "pass --csv FILE --label-column " + recorded.labelColumn()));
        }
        return idx ? loadFrom(path, null, 0, 0, inputMax, seed)
                : loadFrom(null, path, recorded.labelColumn(), recorded.heldOut(), inputMax, seed);
    }

    /**
     * Loads the data the flags name. Features are divided by {@code inputMax} if given (a saved model's
     * scale), else by the source's range: 16 for digits, 255 for IDX images, the largest value for CSV.
     * A flag that does not apply to the data, or a label column outside the CSV rows, is a bad flag value.
     */
    Split load(Float inputMax, long defaultSplitSeed) throws IOException {
        if (labelColumn != null && source.csv == null) {
            throw Flags.bad(spec, "--label-column applies to --csv data only");
        }
        if (source.idx != null && splitSeed != null) {
            throw Flags.bad(spec, "--split-seed does not apply to --idx data, whose train and t10k files are the split");
        }
        long seed = splitSeed != null ? splitSeed : defaultSplitSeed;
        int column = labelColumn != null ? labelColumn : -1;
        if (source.csv != null) {
            PathChecks.requireReadableFile("--csv", source.csv);
            try {
                return loadFrom(null, source.csv, column, HELD_OUT, inputMax, seed);
            } catch (LabelColumnOutside e) {
                throw Flags.bad(spec, "--label-column: " + e.getMessage());
            }
        }
        return loadFrom(source.idx, null, column, HELD_OUT, inputMax, seed);
    }

    /**
     * IDX data if {@code idx} is not null, else CSV data if {@code csv} is not null, else the digits.
     *
     * @throws LabelColumnOutside if {@code labelColumn} is outside the CSV rows
     */
    private static Split loadFrom(Path idx, Path csv, int labelColumn, double heldOut, Float inputMax, long seed)
            throws IOException {
        if (idx != null) {
            float max = inputMax != null ? inputMax : 255f;
            Dataset train = DataReaders.idxDirectory(idx, true, max);
            Dataset test = DataReaders.idxDirectory(idx, false, max);
            return new Split(train, test, max, seed, idx + " (train, t10k held out)",
                    TrainingData.idx(idx));
        }
        Dataset all;
        float max;
        String what;
        if (csv != null) {
            try {
                all = DataReaders.csv(csv, labelColumn);
            } catch (IllegalArgumentException e) {
                throw new LabelColumnOutside(e.getMessage());
            }
            max = inputMax != null ? inputMax : largest(all);
            what = csv.toString();
        } else {
            all = DataReaders.digits();
            max = inputMax != null ? inputMax : 16f;
            what = "embedded digits";
        }
        if (all.size() < 2) {
            throw new UserException(what + " has " + all.size() + " samples; at least 2 are needed to hold some out");
        }
        Dataset[] parts = all.scaled(max).split(heldOut, seed);
        return new Split(parts[0], parts[1], max, seed, what + " (" + Math.round(100 * (1 - heldOut)) + "/"
                + Math.round(100 * heldOut) + " split, seed " + seed + ")",
                csv != null ? TrainingData.csv(csv, labelColumn, heldOut, seed) : TrainingData.digits(heldOut, seed));
    }

    /**
     * A label column outside the CSV rows: a bad {@code --label-column} when the flag named it, a data
     * problem (exit 1, as any {@link IllegalArgumentException} the command line reports) when a
     * model's record did.
     */
    private static final class LabelColumnOutside extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        LabelColumnOutside(String message) {
            super(message);
        }
    }

    /**
     * Refuses training data whose labels take a single value: a network would learn to say that
     * value and score 100% on held-out data of the same one class. With CSV data this is almost always
     * a label column that is not the label.
     */
    void requireSeveralClasses(Dataset train) {
        int first = train.size() > 0 ? train.label(0) : 0;
        for (int i = 1; i < train.size(); i++) {
            if (train.label(i) != first) {
                return;
            }
        }
        if (source.csv != null) {
            int column = labelColumn != null ? labelColumn : -1;
            throw Flags.bad(spec, "--label-column " + column + ": every training row of " + source.csv
                    + " has the label " + first + " there, so there is one class and nothing to learn; "
                    + "--label-column must name the column that holds the classes");
        }
        throw new UserException("every training sample has the label " + first + ": one class, nothing to learn");
    }

    /** The largest absolute feature value, or 1 if all are 0. */
    private static float largest(Dataset d) {
        float max = 0;
        for (float v : d.featuresArray()) {
            max = Math.max(max, Math.abs(v));
        }
        return max > 0 && Float.isFinite(max) ? max : 1f;
    }
}
