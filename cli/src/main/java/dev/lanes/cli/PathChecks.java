package dev.lanes.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks of the files a command will read or write, made before any work starts, so that a typo in
 * {@code --save} costs a second rather than a training run. Messages name the path as the user gave it.
 */
final class PathChecks {
    private PathChecks() {
    }

    /**
     * That {@code file} can be created or replaced: its directory exists and takes new files (found
     * by creating and deleting an empty file there), and the path is not a directory.
     *
     * @param flag the flag that named the file, for the message
     */
    static void requireWritable(String flag, Path file) {
        if (Files.isDirectory(file)) {
            throw new UserException(flag + " " + file + " is a directory; give a file name in it");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.exists(dir)) {
            throw new UserException(flag + " " + file + ": the directory " + shown(file, dir) + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new UserException(flag + " " + file + ": " + shown(file, dir) + " is not a directory");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".lanes-", ".probe"));
        } catch (AccessDeniedException e) {
            throw new UserException(flag + " " + file + ": no permission to create files in " + shown(file, dir));
        } catch (IOException e) {
            throw new UserException(flag + " " + file + ": cannot create files in " + shown(file, dir) + " ("
                    + e.getMessage() + ")");
        }
    }

    /**
     * That {@code file} is a file that exists (a missing one is a {@link NoSuchFileException}, which the
     * command line reports as such).
     */
    static void requireReadableFile(String flag, Path file) throws NoSuchFileException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new UserException(flag + " " + file + " is a directory, not a file");
        }
        if (!Files.isReadable(file)) {
            throw new UserException(flag + " " + file + ": permission denied");
        }
    }

    /** Why writing or reading failed, in words, without the temporary file a failed atomic save names. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "its directory no longer exists";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** The directory as the user wrote it when they did ("missing/dir"), else its absolute path. */
    private static String shown(Path file, Path absoluteDir) {
        Path given = file.getParent();
        return given != null ? given.toString() : absoluteDir.toString();
    }
}
