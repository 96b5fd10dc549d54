package dev.lanes.cli;

import dev.lanes.data.DataReaders;
import dev.lanes.data.Dataset;
import java.io.IOException;
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

    /** Training and held-out data, both scaled to [0, 1] by {@code inputMax}. */
    record Split(Dataset train, Dataset heldOut, float inputMax, long splitSeed, String description) {
    }

    /**
     * Loads the data. Features are divided by {@code inputMax} if given (a saved model's scale), else
     * by the source's range: 16 for digits, 255 for IDX images, the largest value for CSV.
     */
    Split load(Float inputMax, long defaultSplitSeed) throws IOException {
        if (labelColumn != null && source.csv == null) {
            throw Flags.bad(spec, "--label-column applies to --csv data only");
        }
        if (source.idx != null) {
            if (splitSeed != null) {
                throw Flags.bad(spec, "--split-seed does not apply to --idx data, whose train and t10k files are the split");
            }
            Dataset train = DataReaders.idxDirectory(source.idx, true);
            Dataset test = DataReaders.idxDirectory(source.idx, false);
            float max = inputMax != null ? inputMax : 255f;
            return new Split(train.scaled(max), test.scaled(max), max, defaultSplitSeed,
                    source.idx + " (train, t10k held out)");
        }
        long seed = splitSeed != null ? splitSeed : defaultSplitSeed;
        Dataset all;
        float max;
        String what;
        if (source.csv != null) {
            PathChecks.requireReadableFile("--csv", source.csv);
            int column = labelColumn != null ? labelColumn : -1;
            try {
                all = DataReaders.csv(source.csv, column);
            } catch (IllegalArgumentException e) {
                throw Flags.bad(spec, "--label-column: " + e.getMessage());
            }
            max = inputMax != null ? inputMax : largest(all);
            what = source.csv.toString();
        } else {
            all = DataReaders.digits();
            max = inputMax != null ? inputMax : 16f;
            what = "embedded digits";
        }
        if (all.size() < 2) {
            throw new UserException(what + " has " + all.size() + " samples; at least 2 are needed to hold some out");
        }
        Dataset[] parts = all.scaled(max).split(HELD_OUT, seed);
        return new Split(parts[0], parts[1], max, seed, what + " (" + Math.round(100 * (1 - HELD_OUT)) + "/"
                + Math.round(100 * HELD_OUT) + " split, seed " + seed + ")");
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
