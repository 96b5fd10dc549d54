package dev.lanes.cli;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record on the console, as "lanes: warning: ...". The JDK's default format takes
 * two lines (a date and the class, then the message), where the README promises one line for the
 * backend's fallback. The command line is an application and owns its process's logging; the library
 * never configures it. A user's own logging configuration ({@code java.util.logging.config.file} or
 * {@code .class}) is left alone.
 */
final class OneLineLogging {
    private OneLineLogging() {
    }

    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        for (Handler h : Logger.getLogger("").getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(new OneLine());
            }
        }
    }

    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder s = new StringBuilder("lanes: ").append(levelName(r.getLevel())).append(": ")
                    .append(formatMessage(r));
            if (r.getThrown() != null) {
                s.append(" (").append(r.getThrown()).append(')');
            }
            return s.toString().replace('\n', ' ') + System.lineSeparator();
        }

        private static String levelName(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "error";
            }
            return level.getName().toLowerCase(Locale.ROOT);
        }
    }
}
