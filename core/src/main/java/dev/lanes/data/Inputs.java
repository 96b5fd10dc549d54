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

    /**
     * Deflate cannot expand data more than about 1032 times; rounding up gives a hard bound on what a
     * gzip file of known size can decompress to, so a size read from inside it can be checked before
     * anything is allocated for it.
     */
    static final long GZIP_MAX_RATIO = 1100;

    /** A stream of a file's bytes, decompressed if it is gzip, and the most bytes it can yield. */
    record Input(InputStream stream, long maxBytes) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /** The file's bytes after decompression if it is gzip. */
    static byte[] readAll(Path file) throws IOException {
        try (Input in = open(file)) {
            return readAll(file, in.stream());
        }
    }

    /** The same for bytes already in memory; {@code name} is what messages call them. */
    static byte[] readAll(Path name, byte[] content) throws IOException {
        try (Input in = open(name, content)) {
            return readAll(name, in.stream());
        }
    }

    static Input open(Path file) throws IOException {
        long size = Files.size(file);
        return open(file, Files.newInputStream(file), size);
    }

    static Input open(Path name, byte[] content) throws IOException {
        return open(name, new ByteArrayInputStream(content), content.length);
    }

    private static Input open(Path name, InputStream raw, long size) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1f || b1 != 0x8b) {
            return new Input(in, size);
        }
        try {
            return new Input(new GZIPInputStream(in, BUFFER), size * GZIP_MAX_RATIO);
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

    /** Reads until {@code dst[off .. off + len)} is full or the data ends; returns the bytes read. */
    static int readFully(Path name, InputStream in, byte[] dst, int off, int len) throws IOException {
        try {
            return in.readNBytes(dst, off, len);
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
