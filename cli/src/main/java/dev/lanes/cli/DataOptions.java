package dev.lanes.cli;

import dev.lanes.data.DataReaders;
import dev.lanes.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where training and evaluation data come from: the embedded digits set by default, an IDX directory
 * (its train files to train, its t10k files held out) or a CSV file. Digits and CSV data are split
 * 80/20 by a seed; the held-out part is what train reports and eval measures.
 */
final class DataOptions {
    static final double HELD_OUT = 0.2;

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--idx", paramLabel = "DIR",
                description = "A directory with MNIST-style IDX files (train-* to train, t10k-* held out).")
        Path idx;

        @Option(names = "--csv", paramLabel = "FILE", description = "A CSV file of numbers, one sample a row.")
        Path csv;
    }

    @Option(names = "--label-column", paramLabel = "N", defaultValue = "-1",
            description = "The CSV column of the label, 0-based; negative counts from the end (default: ${DEFAULT-VALUE}, the last).")
    int labelColumn;

    @Option(names = "--split-seed", paramLabel = "SEED",
            description = "Seed of the train/held-out split of digits and CSV data (default: 1, or the one a model was trained with).")
    Long splitSeed;

    /** Training and held-out data, both scaled to [0, 1] by {@code inputMax}. */
    record Split(Dataset train, Dataset heldOut, float inputMax, long splitSeed, String description) {
    }

    /**
     * Loads the data. Features are divided by {@code inputMax} if given (a saved model's scale), else
     * by the source's range: 16 for digits, 255 for IDX images, the largest value for CSV.
     */
    Split load(Float inputMax, long defaultSplitSeed) throws IOException {
        long seed = splitSeed != null ? splitSeed : defaultSplitSeed;
        if (source.idx != null) {
            Dataset train = DataReaders.idxDirectory(source.idx, true);
            Dataset test = DataReaders.idxDirectory(source.idx, false);
            float max = inputMax != null ? inputMax : 255f;
            return new Split(train.scaled(max), test.scaled(max), max, seed, source.idx + " (train, t10k held out)");
        }
        Dataset all;
        float max;
        String what;
        if (source.csv != null) {
            all = DataReaders.csv(source.csv, labelColumn);
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

    /** The largest absolute feature value, or 1 if all are 0. */
    private static float largest(Dataset d) {
        float max = 0;
        for (float v : d.featuresArray()) {
            max = Math.max(max, Math.abs(v));
        }
        return max > 0 && Float.isFinite(max) ? max : 1f;
    }
}
