package dev.lanes.data;

import dev.lanes.io.CorruptFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Comma-separated numbers, one sample a line, with at most one header line. The first line is a
 * header exactly when one of its cells is not a number; every other line must then be all numbers.
 * Parsing works on the raw bytes, so a cell only becomes a String on the slow path (decimals).
 */
final class CsvReader {
    /** Largest label accepted: the label sets the width of a network's output layer. */
    static final int MAX_LABEL = 65_535;
    /** The label column of rows that have none (rows to predict): every column is a feature. */
    static final int NO_LABEL = Integer.MIN_VALUE;
    /**
     * Rows to predict: the label column (if any) is read as a number but not checked as a label, and
     * blank lines are skipped (a list of rows typed or pasted by hand often has some).
     */
    private boolean ignoreLabel;

    private final Path name;
    private final byte[] b;
    private final int labelColumn;
    private int line;
    private int pos;
    /** Where the first line that is not blank starts, and its number. */
    private int firstStart;
    private int firstLine;

    private CsvReader(Path name, byte[] content, int labelColumn) {
        this.name = name;
        this.b = content;
        this.labelColumn = labelColumn;
    }

    static Dataset read(Path name, byte[] content, int labelColumn) throws IOException {
        return new CsvReader(name, content, labelColumn).read();
    }

    /**
     * Rows of features only, every label 0: {@code ignoredColumn} is a column to leave out (a label
     * column, any number), or {@link #NO_LABEL} for none.
     */
    static Dataset readFeatures(Path name, byte[] content, int ignoredColumn) throws IOException {
        CsvReader r = new CsvReader(name, content, ignoredColumn);
        r.ignoreLabel = true;
        return r.read();
    }

    private Dataset read() throws IOException {
        pos = startsWithBom() ? 3 : 0;
        int lastData = lastNonBlankLineEnd();
        if (lastData <= pos) {
            throw new CorruptFileException(name, "empty: no rows");
        }
        line = 1;
        while (ignoreLabel && (b[pos] == '\n' || (b[pos] == '\r' && pos + 1 < b.length && b[pos + 1] == '\n'))) {
            pos = nextLine(lineEnd(pos));
            line++;
        }
        firstStart = pos;
        firstLine = line;
        int firstEnd = lineEnd(pos);
        int columns = countColumns(pos, firstEnd);
        boolean labelled = labelColumn != NO_LABEL;
        if (labelled && columns < 2) {
            throw new CorruptFileException(name, "line 1 has " + columns
                    + " column; need at least one feature column and the label column");
        }
        int label = !labelled ? -1 : labelColumn < 0 ? columns + labelColumn : labelColumn;
        if (labelled && (label < 0 || label >= columns)) {
            throw new IllegalArgumentException("label column " + labelColumn + " is outside the " + columns
                    + " columns of " + name + " (0 to " + (columns - 1) + ", or -" + columns + " to -1 from the end)");
        }
        int features = labelled ? columns - 1 : columns;
        float[] x = new float[features];
        int[] y = new int[1];
        int rows = 0;
        int maxLabel = 0;
        float largest = 0f;
        boolean header = !isNumericRow(pos, firstEnd);
        if (header) {
            pos = nextLine(firstEnd);
            line++;
        }
        while (pos < lastData) {
            int end = lineEnd(pos);
            if (end == pos || (end == pos + 1 && b[pos] == '\r')) {
                if (ignoreLabel) {
                    pos = nextLine(end);
                    line++;
                    continue;
                }
                throw new CorruptFileException(name, "line " + line + " is blank; only blank lines at the end are allowed");
            }
            int xo = rows * features;
            if (rows == y.length) {
                y = Arrays.copyOf(y, grown(y.length, rows + 1));
            }
            if (xo + features > x.length) {
                x = Arrays.copyOf(x, grown(x.length, xo + features));
            }
            int column = 0;
            int cell = pos;
            while (true) {
                int cellEnd = cellEnd(cell, end);
                if (column >= columns) {
                    throw wrongColumns(end);
                }
                float v = number(cell, cellEnd, column);
                if (column == label) {
                    y[rows] = ignoreLabel ? 0 : label(v, column);
                    maxLabel = Math.max(maxLabel, y[rows]);
                } else {
                    x[xo++] = v;
                    largest = Math.max(largest, Math.abs(v));
                }
                column++;
                if (cellEnd == end) {
                    break;
                }
                cell = cellEnd + 1;
            }
            if (column != columns) {
                throw wrongColumns(end);
            }
            rows++;
            pos = nextLine(end);
            line++;
        }
        if (rows == 0) {
            throw new CorruptFileException(name, "no data rows after the header line");
        }
        return Dataset.owning(name.getFileName() == null ? name.toString() : name.getFileName().toString(),
                Arrays.copyOf(x, rows * features), Arrays.copyOf(y, rows), features, maxLabel + 1, largest);
    }

    /**
     * A doubled capacity, at least {@code needed}. Every value takes at least two bytes of a file no
     * larger than an array, so {@code needed} always fits an array.
     */
    private static int grown(int capacity, int needed) {
        return (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8L, capacity * 2L));
    }

    private CorruptFileException wrongColumns(int end) {
        int found = countColumns(pos, end);
        return new CorruptFileException(name, "line " + line + " has " + found + " columns, line " + firstLine + " has "
                + countColumns(firstStart, lineEnd(firstStart)));
    }

    private boolean startsWithBom() {
        return b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf;
    }

    /** End of the last line holding anything but whitespace, so trailing blank lines are ignored. */
    private int lastNonBlankLineEnd() {
        int e = b.length;
        while (e > 0 && isSpace(b[e - 1]) || e > 0 && (b[e - 1] == '\n' || b[e - 1] == '\r')) {
            e--;
        }
        return e;
    }

    private int lineEnd(int from) {
        int i = from;
        while (i < b.length && b[i] != '\n') {
            i++;
        }
        return i;
    }

    private int nextLine(int end) {
        return Math.min(end + 1, b.length);
    }

    private int cellEnd(int from, int end) {
        int i = from;
        while (i < end && b[i] != ',') {
            i++;
        }
        return i;
    }

    private int countColumns(int from, int end) {
        int n = 1;
        for (int i = from; i < end; i++) {
            if (b[i] == ',') {
                n++;
            }
        }
        return n;
    }

    private boolean isNumericRow(int from, int end) {
        int cell = from;
        while (true) {
            int cellEnd = cellEnd(cell, end);
            if (Float.isNaN(parse(cell, cellEnd))) {
                return false;
            }
            if (cellEnd >= end) {
                return true;
            }
            cell = cellEnd + 1;
        }
    }

    private float number(int from, int to, int column) throws CorruptFileException {
        float v = parse(from, to);
        if (Float.isNaN(v)) {
            String text = new String(b, from, to - from, StandardCharsets.UTF_8).strip();
            throw new CorruptFileException(name, "line " + line + ", column " + (column + 1) + ": '"
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "' is not a finite number");
        }
        return v;
    }

    private int label(float v, int column) throws CorruptFileException {
        if (v != Math.rint(v) || v < 0 || v > MAX_LABEL) {
            String shown = v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
            throw new CorruptFileException(name, "line " + line + ", column " + (column + 1) + ": label " + shown
                    + " is not an integer in [0, " + MAX_LABEL + "]");
        }
        return (int) v;
    }

    /**
     * The cell as a float, or NaN if it is not a finite decimal number. Only plain decimals are
     * numbers: no hex, no "NaN"/"Infinity", no Java suffixes like "1f" that {@code parseFloat} allows.
     */
    private float parse(int from, int to) {
        int s = from;
        int e = to;
        while (s < e && isSpace(b[s])) {
            s++;
        }
        while (e > s && (isSpace(b[e - 1]) || b[e - 1] == '\r')) {
            e--;
        }
        if (s == e) {
            return Float.NaN;
        }
        int i = s;
        boolean negative = b[i] == '-';
        if (b[i] == '-' || b[i] == '+') {
            i++;
        }
        int digitsStart = i;
        int value = 0;
        while (i < e && isDigit(b[i]) && i - digitsStart < 9) {
            value = value * 10 + (b[i] - '0');
            i++;
        }
        if (i == e && i > digitsStart) {
            return negative ? -value : value;
        }
        return parseDecimal(s, e);
    }

    private float parseDecimal(int s, int e) {
        int i = s;
        if (b[i] == '-' || b[i] == '+') {
            i++;
        }
        int intDigits = skipDigits(i, e);
        i += intDigits;
        int fracDigits = 0;
        if (i < e && b[i] == '.') {
            i++;
            fracDigits = skipDigits(i, e);
            i += fracDigits;
        }
        if (intDigits + fracDigits == 0) {
            return Float.NaN;
        }
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < e && (b[i] == '-' || b[i] == '+')) {
                i++;
            }
            int expDigits = skipDigits(i, e);
            if (expDigits == 0) {
                return Float.NaN;
            }
            i += expDigits;
        }
        if (i != e) {
            return Float.NaN;
        }
        float v = Float.parseFloat(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
        return Float.isInfinite(v) ? Float.NaN : v;
    }

    private int skipDigits(int from, int end) {
        int i = from;
        while (i < end && isDigit(b[i])) {
            i++;
        }
        return i - from;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }
}
