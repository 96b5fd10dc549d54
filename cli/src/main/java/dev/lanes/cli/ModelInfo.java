package dev.lanes.cli;

import dev.lanes.io.CorruptFileException;
import dev.lanes.nn.ModelFile;
import java.nio.file.Path;

/** The information train saves with a model that the command line reads: how the data was split. */
final class ModelInfo {
    private ModelInfo() {
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
