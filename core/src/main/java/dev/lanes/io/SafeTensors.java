package dev.lanes.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header that
 * gives each tensor's dtype, shape and data_offsets (plus an optional {@code __metadata__} object of
 * string values), then the raw little-endian tensor data.
 *
 * <p>CONTRACT (skeleton, to be implemented): only F32 tensors are written; reading validates
 * everything and throws {@link CorruptFileException} naming the file and what is wrong.
 */
public final class SafeTensors {
    private SafeTensors() {
    }

    /** A float32 tensor: its shape and its data in row-major order. */
    public record Tensor(int[] shape, float[] data) {
    }

    /** What a file holds: tensors in header order, and the metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /** Writes atomically: a temporary file in the same directory, then a rename over {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    public static Contents read(Path file) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
