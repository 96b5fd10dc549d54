package dev.lanes.cli;

import dev.lanes.io.CorruptFileException;
import dev.lanes.nn.ModelFile;
import java.nio.file.Path;

/** The information train saves with a model: how inputs were scaled and how the data was split. */
final class ModelInfo {
    private ModelInfo() {
    }

    /** The divisor that scaled the training features, or null if the model does not say. */
    static Float inputMax(Path file, ModelFile.Model m) throws CorruptFileException {
        String v = m.info().get("input_max");
        if (v == null) {
            return null;
        }
        try {
            float max = Float.parseFloat(v);
            if (max > 0 && Float.isFinite(max)) {
                return max;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CorruptFileException(file, "__metadata__ input_max '" + v + "' is not a positive number");
    }

    static long splitSeed(Path file, ModelFile.Model m) throws CorruptFileException {
        String v = m.info().get("split_seed");
        if (v == null) {
            return 1L;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CorruptFileException(file, "__metadata__ split_seed '" + v + "' is not an integer");
        }
    }
}
