package dev.lanes.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259) for safetensors headers, and the string escaping the writer needs
 * (public, {@link #quote}, for anything else in lanes that writes JSON).
 * Objects become {@code LinkedHashMap}s in document order (a repeated key is an error), arrays
 * {@code List}s, numbers a {@link Number} record holding their text, plus String, Boolean and
 * {@link #NULL}. Nesting is capped so hostile input cannot overflow the stack.
 */
public final class Json {
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    static final int MAX_DEPTH = 64;

    /** A JSON number as written; callers decide which values they accept. */
    record Number(String text) {
        boolean isInteger() {
            return text.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'));
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A syntax error at a character offset of the text. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message, int offset) {
            super(message + " at character " + offset);
        }
    }

    private final String s;
    private int i;
    private int depth;

    private Json(String text) {
        this.s = text;
    }

    /** One JSON value, with only whitespace around it. */
    static Object parse(String text) throws SyntaxException {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.i != text.length()) {
            throw new SyntaxException("unexpected '" + text.charAt(p.i) + "' after the JSON value", p.i);
        }
        return v;
    }

    private Object value() throws SyntaxException {
        if (i >= s.length()) {
            throw new SyntaxException("unexpected end of JSON", i);
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw new SyntaxException("unexpected '" + c + "'", i);
        }
    }

    private Map<String, Object> object() throws SyntaxException {
        enter();
        i++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            i++;
            depth--;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw new SyntaxException("expected a string key", i);
            }
            int keyAt = i;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value();
            if (map.putIfAbsent(key, v) != null) {
                throw new SyntaxException("duplicate key \"" + key + "\"", keyAt);
            }
            skipSpace();
            char c = peek();
            i++;
            if (c == '}') {
                depth--;
                return Collections.unmodifiableMap(map);
            }
            if (c != ',') {
                throw new SyntaxException("expected ',' or '}'", i - 1);
            }
        }
    }

    private List<Object> array() throws SyntaxException {
        enter();
        i++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            i++;
            depth--;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipSpace();
            list.add(value());
            skipSpace();
            char c = peek();
            i++;
            if (c == ']') {
                depth--;
                return Collections.unmodifiableList(list);
            }
            if (c != ',') {
                throw new SyntaxException("expected ',' or ']'", i - 1);
            }
        }
    }

    private void enter() throws SyntaxException {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxException("nested deeper than " + MAX_DEPTH, i);
        }
    }

    private String string() throws SyntaxException {
        int start = i;
        i++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw new SyntaxException("unterminated string", start);
            }
            char c = s.charAt(i++);
            if (c == '"') {
                String text = sb.toString();
                if (!isWellFormed(text)) {
                    throw new SyntaxException("string holds an unpaired surrogate", start);
                }
                return text;
            }
            if (c < 0x20) {
                throw new SyntaxException("control character in string", i - 1);
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw new SyntaxException("unterminated string", start);
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(hex4());
                default -> throw new SyntaxException("bad escape '\\" + e + "'", i - 2);
            }
        }
    }

    private char hex4() throws SyntaxException {
        if (i + 4 > s.length()) {
            throw new SyntaxException("truncated \\u escape", i - 2);
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0 || s.charAt(i + k) > 'f') {
                throw new SyntaxException("bad \\u escape", i - 2);
            }
            v = v * 16 + d;
        }
        i += 4;
        return (char) v;
    }

    private Number number() throws SyntaxException {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (isDigit(peek())) {
            skipDigits();
        } else {
            throw new SyntaxException("bad number", start);
        }
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw new SyntaxException("bad number: no digits after '.'", start);
            }
            skipDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw new SyntaxException("bad number: no digits in the exponent", start);
            }
            skipDigits();
        }
        return new Number(s.substring(start, i));
    }

    private Object literal(String word, Object v) throws SyntaxException {
        if (!s.startsWith(word, i)) {
            throw new SyntaxException("unexpected '" + s.charAt(i) + "'", i);
        }
        i += word.length();
        return v;
    }

    private void skipDigits() {
        while (isDigit(peek())) {
            i++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The next character, or 0 at the end (0 is never valid there, so callers report it as unexpected). */
    private char peek() {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private void expect(char c) throws SyntaxException {
        if (peek() != c) {
            throw new SyntaxException("expected '" + c + "'", i);
        }
        i++;
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

    /** True if every surrogate in {@code text} is half of a pair, so that it has a UTF-8 encoding. */
    static boolean isWellFormed(String text) {
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (Character.isHighSurrogate(c) && k + 1 < text.length() && Character.isLowSurrogate(text.charAt(k + 1))) {
                k++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} as a JSON string literal, quotes included, control characters escaped. */
    public static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
