package dev.lanes.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /v1/predict}: {@code {"rows": [[x, x, ...], ...]}}, strict JSON (RFC 8259)
 * with numbers that are finite floats, every row {@code width} long.
 *
 * <p>A parser of its own rather than lanes' general JSON reader: it reads numbers straight into
 * float rows, and every message says where in the rows it stopped ({@code rows[3][17]: expected a
 * number, found 'x' at character 1234}), which a client can act on.
 */
final class PredictRequest {
    /** A request the server answers with 400 and this message. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    private final String s;
    private final int width;
    private int i;

    private PredictRequest(String text, int width) {
        this.s = text;
        this.width = width;
    }

    /** The rows of a body (UTF-8). */
    static float[][] parse(byte[] body, int width) throws BadRequest {
        return new PredictRequest(new String(body, StandardCharsets.UTF_8), width).body();
    }

    private float[][] body() throws BadRequest {
        skipSpace();
        if (peek() != '{') {
            throw bad("the body must be a JSON object {\"rows\": [[...], ...]}, found " + found());
        }
        i++;
        skipSpace();
        float[][] rows = null;
        while (true) {
            if (peek() != '"') {
                throw bad("expected the key \"rows\", found " + found());
            }
            int keyAt = i;
            String key = key();
            if (!key.equals("rows")) {
                throw new BadRequest("unknown key \"" + key + "\" at character " + keyAt
                        + "; the body is {\"rows\": [[...], ...]}");
            }
            if (rows != null) {
                throw new BadRequest("\"rows\" appears twice (character " + keyAt + ")");
            }
            skipSpace();
            expect(':', "after \"rows\"");
            skipSpace();
            rows = rows();
            skipSpace();
            char c = peek();
            if (c == '}') {
                i++;
                break;
            }
            if (c != ',') {
                throw bad("expected ',' or '}' after the rows, found " + found());
            }
            i++;
            skipSpace();
        }
        skipSpace();
        if (i < s.length()) {
            throw bad("unexpected " + found() + " after the JSON object");
        }
        return rows;
    }

    private float[][] rows() throws BadRequest {
        if (peek() != '[') {
            throw bad("\"rows\" must be an array of rows, found " + found());
        }
        i++;
        List<float[]> rows = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            throw new BadRequest("\"rows\" is empty; send at least one row of " + width + " numbers");
        }
        while (true) {
            skipSpace();
            rows.add(row(rows.size()));
            skipSpace();
            char c = peek();
            i++;
            if (c == ']') {
                return rows.toArray(new float[0][]);
            }
            if (c != ',') {
                i--;
                throw bad("rows: expected ',' or ']' after rows[" + (rows.size() - 1) + "], found " + found());
            }
        }
    }

    private float[] row(int r) throws BadRequest {
        if (peek() != '[') {
            throw bad("rows[" + r + "] must be an array of numbers, found " + found());
        }
        i++;
        float[] row = new float[width];
        int n = 0;
        skipSpace();
        if (peek() == ']') {
            i++;
            throw new BadRequest("rows[" + r + "] has 0 values, the model takes " + width);
        }
        while (true) {
            skipSpace();
            if (n == width) {
                throw new BadRequest("rows[" + r + "] has more than " + width + " values, the model takes " + width
                        + " (character " + i + ")");
            }
            row[n] = number(r, n);
            n++;
            skipSpace();
            char c = peek();
            if (c == ']') {
                i++;
                break;
            }
            if (c != ',') {
                throw bad("rows[" + r + "]: expected ',' or ']' after column " + (n - 1) + ", found " + found());
            }
            i++;
        }
        if (n != width) {
            throw new BadRequest("rows[" + r + "] has " + n + " values, the model takes " + width);
        }
        return row;
    }

    /** A JSON number at rows[r][col], as a finite float. */
    private float number(int r, int col) throws BadRequest {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (isDigit(peek())) {
            skipDigits();
        } else {
            i = start;
            throw bad("rows[" + r + "][" + col + "]: expected a number, found " + found());
        }
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw bad("rows[" + r + "][" + col + "]: expected a digit after '.', found " + found());
            }
            skipDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw bad("rows[" + r + "][" + col + "]: expected a digit in the exponent, found " + found());
            }
            skipDigits();
        }
        String text = s.substring(start, i);
        float v = Float.parseFloat(text);
        if (Float.isInfinite(v)) {
            throw new BadRequest("rows[" + r + "][" + col + "] = " + text + " is too large for a float (character "
                    + start + ")");
        }
        return v;
    }

    /** A key without escapes (the only key is "rows"); returns it with the quotes removed. */
    private String key() throws BadRequest {
        int start = ++i;
        while (i < s.length() && s.charAt(i) != '"') {
            if (s.charAt(i) == '\\' || s.charAt(i) < 0x20) {
                throw new BadRequest("unexpected character in a key at character " + i
                        + "; the body is {\"rows\": [[...], ...]}");
            }
            i++;
        }
        if (i >= s.length()) {
            throw new BadRequest("the body ends inside a key (character " + start + ")");
        }
        return s.substring(start, i++);
    }

    private void expect(char c, String where) throws BadRequest {
        if (peek() != c) {
            throw bad("expected '" + c + "' " + where + ", found " + found());
        }
        i++;
    }

    private BadRequest bad(String message) {
        return new BadRequest(message + (i < s.length() ? " at character " + i : ""));
    }

    /** What stands at the current position, for messages. */
    private String found() {
        if (i >= s.length()) {
            return "the end of the body (character " + i + ")";
        }
        char c = s.charAt(i);
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private void skipDigits() {
        while (isDigit(peek())) {
            i++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }
}
