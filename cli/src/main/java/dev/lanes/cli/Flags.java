package dev.lanes.cli;

import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Optimizer;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Flag values: picocli converters that accept only what a flag can use, and the error for a value
 * that does not fit. Every bad value ends the same way, whatever finds it: one line that starts with
 * the flag's name, and exit code 2 (see {@link Main}).
 *
 * <p>A converter's message says what the flag must be ("must be ..., got 'x'"); {@link Main} puts the
 * flag's name in front of it.
 */
final class Flags {
    private Flags() {
    }

    /** A bad flag value found after parsing (one that does not fit the data, say): exit code 2. */
    static ParameterException bad(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A whole number of at least 1. */
    static final class AtLeastOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            Integer n = parseInt(value);
            if (n == null || n < 1) {
                throw new TypeConversionException("must be a whole number of at least 1, got '" + value + "'");
            }
            return n;
        }
    }

    /** Any whole number (a CSV column: 0 is the first, -1 the last). */
    static final class Column implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            Integer n = parseInt(value);
            if (n == null) {
                throw new TypeConversionException("must be a whole number (0 is the first column, -1 the last), got '"
                        + value + "'");
            }
            return n;
        }
    }

    /** A seed: any whole number that fits 64 bits. */
    static final class Seed implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a whole number, got '" + value + "'");
            }
        }
    }

    /** A positive, finite float (a learning rate). */
    static final class Positive implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            float v = parseFloat(value);
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new TypeConversionException("must be a positive number, got '" + value + "'");
            }
            return v;
        }
    }

    /** Zero or a positive, finite float (a threshold where 0 is off). */
    static final class ZeroOrPositive implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            float v = parseFloat(value);
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new TypeConversionException("must be 0 (off) or a positive number, got '" + value + "'");
            }
            return v;
        }
    }

    /** Layer widths, input first: at least two, each at least 1 (a type of its own, so picocli takes one value). */
    record Layers(int[] widths) {
        int first() {
            return widths[0];
        }

        int last() {
            return widths[widths.length - 1];
        }
    }

    /** Layer widths separated by commas. */
    static final class Widths implements ITypeConverter<Layers> {
        @Override
        public Layers convert(String value) {
            String[] parts = value.split(",", -1);
            int[] widths = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                Integer w = parseInt(parts[i]);
                if (w == null || w < 1) {
                    throw new TypeConversionException("must be widths of at least 1 separated by commas, input first, "
                            + "such as 64,32,10; got '" + value + "'");
                }
                widths[i] = w;
            }
            if (widths.length < 2) {
                throw new TypeConversionException("needs at least an input and an output width, such as 64,10; got '"
                        + value + "'");
            }
            return new Layers(widths);
        }
    }

    /** A layer activation by name. */
    static final class ActivationName implements ITypeConverter<Activation> {
        @Override
        public Activation convert(String value) {
            return byName(Activation::named, value, "tanh, softmax, sigmoid, relu or identity");
        }
    }

    static final class LossName implements ITypeConverter<Loss> {
        @Override
        public Loss convert(String value) {
            return byName(Loss::named, value, "mse or xent");
        }
    }

    static final class OptimizerName implements ITypeConverter<Optimizer> {
        @Override
        public Optimizer convert(String value) {
            return byName(Optimizer::named, value, "sgd, momentum or adam");
        }
    }

    /** The library's lookup by name, its refusal turned into what the flag must be. */
    private static <T> T byName(Function<String, T> lookup, String value, String expected) {
        try {
            return lookup.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("must be " + expected + ", got '" + value + "'");
        }
    }

    /** A kernel backend's name (whether it can run here is found out when it is created). */
    static final class BackendName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (!v.equals("scalar") && !v.equals("vector") && !v.equals("auto")) {
                throw new TypeConversionException("must be scalar, vector or auto, got '" + value + "'");
            }
            return v;
        }
    }

    private static Integer parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The value as a float, NaN if it is not a plain decimal number (Java's "NaN", "1f" or hex are not). */
    private static float parseFloat(String s) {
        String t = s.trim();
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            return Float.NaN;
        }
        return Float.parseFloat(t);
    }

    /** "1 epoch", "2 epochs". */
    static String count(long n, String singular, String plural) {
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? singular : plural);
    }

    /** The command's name as the user typed it, such as "lanes train". */
    static String commandName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }
}
