package dev.lanes.cli;

import dev.lanes.io.CorruptFileException;
import dev.lanes.nn.Loss;
import dev.lanes.nn.ModelFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The information train saves with a model that the command line reads: the loss and how the data
 * was split (the input scaling and the data source are the library's, in {@link ModelFile.Model}).
 */
final class ModelInfo {
    private ModelInfo() {
    }

    /** The model named by {@code flag}, after checking that it names a readable file. */
    static ModelFile.Model load(String flag, Path file) throws IOException {
        PathChecks.requireReadableFile(flag, file);
        return ModelFile.load(file);
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

    /** The seed that split the training data (recorded by train), 1 if the model does not say. */
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
