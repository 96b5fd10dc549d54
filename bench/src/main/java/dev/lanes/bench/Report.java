package dev.lanes.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table printed after a run: per case, each implementation's time with its error, GFLOP/s and
 * GB/s, allocation per operation, and the same-run speedups: the vector backend over the scalar one,
 * and lanes (vector, else scalar) over each peer. Speedups above 1 mean lanes (or vector) is faster;
 * their error is the first-order propagation of the two rows' relative errors.
 */
final class Report {
    private Report() {
    }

    /** Rows grouped by case, cases in name order, within a case scalar, vector, then the peers. */
    static Map<String, List<Result>> byCase(List<Result> results) {
        Map<String, List<Result>> cases = new TreeMap<>(Report::naturalOrder);
        for (Result r : results) {
            cases.computeIfAbsent(r.caseKey(), k -> new ArrayList<>()).add(r);
        }
        Map<String, List<Result>> ordered = new LinkedHashMap<>();
        cases.forEach((k, rows) -> {
            rows.sort(Comparator.comparing((Result r) -> !r.impl().equals("scalar"))
                    .thenComparing(r -> !r.isLanes()).thenComparing(Result::impl));
            ordered.put(k, rows);
        });
        return ordered;
    }

    /** Orders digit runs by their value, so that n=64 comes before n=1024. */
    static int naturalOrder(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                int c = new java.math.BigInteger(a.substring(i, ei)).compareTo(new java.math.BigInteger(b.substring(j, ej)));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** {@code slow / fast} as a speedup of {@code fast} over {@code slow}, with its propagated relative error. */
    static double[] speedup(Result slow, Result fast) {
        double value = slow.timeNs() / fast.timeNs();
        double rel = Math.hypot(slow.relativeError(), fast.relativeError());
        return new double[] {value, value * rel};
    }

    /** The lanes row a peer is compared with: vector if the case has it, else scalar. */
    static Result lanesOf(List<Result> rows) {
        Result best = null;
        for (Result r : rows) {
            if (r.impl().equals("vector") || (best == null && r.isLanes())) {
                best = r;
            }
        }
        return best;
    }

    static String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-44s %-11s %22s %8s %8s %8s  %s%n",
                "case", "impl", "time/op", "GFLOP/s", "GB/s", "B/op", "speedup"));
        for (Map.Entry<String, List<Result>> c : byCase(results).entrySet()) {
            List<Result> rows = c.getValue();
            Result scalar = rows.stream().filter(r -> r.impl().equals("scalar")).findFirst().orElse(null);
            Result lanes = lanesOf(rows);
            String label = c.getKey();
            for (Result r : rows) {
                Work w = Work.of(r);
                String ratio = "";
                if (r.impl().equals("vector") && scalar != null) {
                    ratio = formatRatio(speedup(scalar, r)) + " vector/scalar";
                } else if (!r.isLanes() && lanes != null) {
                    ratio = formatRatio(speedup(r, lanes)) + " lanes(" + lanes.impl() + ")/" + r.impl();
                }
                out.append(String.format(Locale.ROOT, "%-44s %-11s %22s %8s %8s %8s  %s%n",
                        label, r.impl(), formatTime(r.timeNs(), r.errorNs()),
                        w.flops() > 0 ? String.format(Locale.ROOT, "%.2f", w.gflops(r.timeNs())) : "",
                        w.bytes() > 0 ? String.format(Locale.ROOT, "%.2f", w.gbytes(r.timeNs())) : "",
                        Double.isNaN(r.allocBytesPerOp()) ? "" : String.format(Locale.ROOT, "%.1f", r.allocBytesPerOp()),
                        ratio).stripTrailing()).append(System.lineSeparator());
                label = "";
            }
        }
        return out.toString();
    }

    static String formatRatio(double[] r) {
        return Double.isNaN(r[1]) || r[1] == 0
                ? String.format(Locale.ROOT, "x%.2f", r[0])
                : String.format(Locale.ROOT, "x%.2f ±%.2f", r[0], r[1]);
    }

    static String formatTime(double ns) {
        return formatTime(ns, Double.NaN, false);
    }

    static String formatTime(double ns, double errNs) {
        return formatTime(ns, errNs, true);
    }

    private static String formatTime(double ns, double errNs, boolean withError) {
        String[] units = {"ns", "us", "ms", "s"};
        double scale = 1;
        int u = 0;
        while (u < units.length - 1 && ns >= 1000 * scale) {
            scale *= 1000;
            u++;
        }
        if (!withError) {
            return String.format(Locale.ROOT, "%.4g %s", ns / scale, units[u]);
        }
        String err = Double.isNaN(errNs) ? "?" : String.format(Locale.ROOT, "%.3g", errNs / scale);
        return String.format(Locale.ROOT, "%.4g ± %s %s", ns / scale, err, units[u]);
    }
}
