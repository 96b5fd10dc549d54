package dev.lanes.kernels;

import java.util.Objects;

/** Argument checks shared by every public kernel; each message names the offending argument. */
final class Checks {
    private Checks() {
    }

    static void checkSize(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    /** Checks that {@code array[off .. off + n)} exists. */
    static void checkVector(String name, float[] array, int off, int n) {
        Objects.requireNonNull(array, name);
        if (off < 0) {
            throw new IndexOutOfBoundsException(name + ": offset must be >= 0, got " + off);
        }
        if ((long) off + n > array.length) {
            throw new IndexOutOfBoundsException(name + ": offset " + off + " + length " + n
                    + " exceeds the array length " + array.length);
        }
    }

    /** Checks a row-major rows-by-cols matrix at {@code off} with leading dimension {@code ld}. */
    static void checkMatrix(String name, float[] array, int off, int ld, int rows, int cols) {
        Objects.requireNonNull(array, name);
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("ld" + name + " must be >= max(1, " + cols + "), got " + ld);
        }
        if (off < 0) {
            throw new IndexOutOfBoundsException(name + ": offset must be >= 0, got " + off);
        }
        long extent = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        if (off + extent > array.length) {
            throw new IndexOutOfBoundsException(name + ": offset " + off + " + extent " + extent + " of a "
                    + rows + "x" + cols + " matrix with ld" + name + " " + ld
                    + " exceeds the array length " + array.length);
        }
    }
}
