package dev.lanes.data;

import dev.lanes.io.CorruptFileException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opens data files whether or not they are gzip-compressed. Compression is told by the two magic
 * bytes {@code 1f 8b}, not by the file name, so a renamed file still reads.
 */
final class Inputs {
    private static final int BUFFER = 1 << 16;

    private Inputs() {
    }

    /** The file's bytes after decompression if it is gzip. */
    static byte[] readAll(Path file) throws IOException {
        try (InputStream in = open(file, Files.newInputStream(file))) {
            return readAll(file, in);
        }
    }

    /** The same for bytes already in memory; {@code name} is what messages call them. */
    static byte[] readAll(Path name, byte[] content) throws IOException {
        try (InputStream in = open(name, new ByteArrayInputStream(content))) {
            return readAll(name, in);
        }
    }

    static InputStream open(Path name, InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1f || b1 != 0x8b) {
            return in;
        }
        try {
            return new GZIPInputStream(in, BUFFER);
        } catch (ZipException | EOFException e) {
            in.close();
            throw corruptGzip(name, e);
        }
    }

    /**
     * Reads up to {@code n} bytes; fewer only at end of data. {@code readNBytes} grows its buffer as
     * data arrives, so a header that lies about a huge size costs no more memory than the data really
     * present.
     */
    static byte[] readUpTo(Path name, InputStream in, int n) throws IOException {
        try {
            return in.readNBytes(n);
        } catch (ZipException | EOFException e) {
            throw corruptGzip(name, e);
        }
    }

    /** True if the stream has no more data. */
    static boolean atEnd(Path name, InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (ZipException | EOFException e) {
            throw corruptGzip(name, e);
        }
    }

    private static byte[] readAll(Path name, InputStream in) throws IOException {
        byte[] all = readUpTo(name, in, Integer.MAX_VALUE - 8);
        if (!atEnd(name, in)) {
            throw new CorruptFileException(name, "larger than the 2 GB a reader can hold");
        }
        return all;
    }

    private static CorruptFileException corruptGzip(Path name, IOException e) {
        String why = e.getMessage() == null ? "unexpected end of data" : e.getMessage();
        return new CorruptFileException(name, "bad gzip data: " + why, e);
    }
}
