package dev.lanes.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that cannot be read as what it claims to be; the message names the file and the position. */
public class CorruptFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CorruptFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
