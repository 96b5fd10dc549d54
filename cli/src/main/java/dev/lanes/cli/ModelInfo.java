package dev.lanes.cli;

import dev.lanes.io.CorruptFileException;
import dev.lanes.nn.Loss;
import dev.lanes.nn.ModelFile;
import java.io.IOException;
import java.nio.file.Path;

/** The information train saves with a model: how inputs were scaled and how the data was split. */
final class ModelInfo {
    private ModelInfo() {
    }

    /** The model named by {@code flag}, after checking that it names a readable file. */
    static ModelFile.Model load(String flag, Path file) throws IOException {
        PathChecks.requireReadableFile(flag, file);
        return ModelFile.load(file);
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

    /** The loss the model was trained with (mse if the model does not say). */
    static Loss loss(Path file, ModelFile.Model m) throws CorruptFileException {
        String v = m.info().getOrDefault("loss", "mse");
        try {
            return Loss.named(v);
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException(file, "__metadata__ loss '" + v + "' is not mse or xent");
        }
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
