package dev.lanes.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares a run with a baseline run, noise-aware and machine-aware.
 *
 * <p>Raw times do not survive a change of machine, JDK build or background load, so each lanes row
 * is first <em>normalised within its own run</em>: divided by a peer of the same case (netlib or a
 * reference loop, code that lanes' changes do not touch), preferring the order of {@link #CALIBRATORS}.
 * A case without a peer in both runs is normalised by the run-wide speed factor: the geometric mean,
 * over all peer rows present in both runs, of current time over baseline time. Peers are calibration
 * only and are never judged.
 *
 * <p>A row is <em>regressed</em> when its normalised time grew by more than the threshold AND by more
 * than the combined relative error of the rows involved (JMH's 99.9% half-widths, added in
 * quadrature); <em>improved</em> symmetrically; otherwise unchanged.
 */
final class Comparison {
    /** Peers by preference as a same-case calibrator. */
    static final List<String> CALIBRATORS = List.of("vectorblas", "streamsum", "reference", "lanewise", "javablas", "mathtanh");

    enum Status { IMPROVED, UNCHANGED, REGRESSED }

    /**
     * @param change      normalised current / normalised baseline - 1 (positive: slower)
     * @param noise       combined relative error of that ratio
     * @param calibration what the row was normalised by
     */
    record Row(String key, double baselineNs, double currentNs, double change, double noise,
               String calibration, Status status) {
    }

    record Outcome(List<Row> rows, List<String> onlyInBaseline, List<String> onlyInCurrent, double machineFactor,
                   int machinePeers) {
        boolean regressed() {
            return rows.stream().anyMatch(r -> r.status == Status.REGRESSED);
        }
    }

    private Comparison() {
    }

    static Outcome compare(List<Result> baseline, List<Result> current, double threshold) {
        Map<String, Result> base = index(baseline);
        Map<String, Result> cur = index(current);
        double logSum = 0;
        int peers = 0;
        for (Result c : current) {
            Result b = base.get(c.key());
            if (!c.isLanes() && b != null) {
                logSum += Math.log(c.timeNs() / b.timeNs());
                peers++;
            }
        }
        double factor = peers == 0 ? 1 : Math.exp(logSum / peers);

        List<Row> rows = new ArrayList<>();
        List<String> onlyCurrent = new ArrayList<>();
        for (Result c : current) {
            if (!c.isLanes()) {
                continue;
            }
            Result b = base.get(c.key());
            if (b == null) {
                onlyCurrent.add(c.key());
                continue;
            }
            String calibrator = sameCasePeer(c, base, cur);
            double ratio;
            double noise;
            String calibration;
            if (calibrator != null) {
                Result cp = cur.get(c.caseKey() + " [" + calibrator + "]");
                Result bp = base.get(c.caseKey() + " [" + calibrator + "]");
                ratio = (c.timeNs() / cp.timeNs()) / (b.timeNs() / bp.timeNs());
                noise = rss(c.relativeError(), cp.relativeError(), b.relativeError(), bp.relativeError());
                calibration = "/" + calibrator;
            } else {
                ratio = c.timeNs() / factor / b.timeNs();
                noise = rss(c.relativeError(), b.relativeError());
                calibration = peers == 0 ? "raw" : "/machine";
            }
            double change = ratio - 1;
            Status status = Status.UNCHANGED;
            if (change > threshold && change > noise) {
                status = Status.REGRESSED;
            } else if (change < -threshold && -change > noise) {
                status = Status.IMPROVED;
            }
            rows.add(new Row(c.key(), b.timeNs(), c.timeNs(), change, noise, calibration, status));
        }
        List<String> onlyBase = new ArrayList<>();
        for (Result b : baseline) {
            if (b.isLanes() && !cur.containsKey(b.key())) {
                onlyBase.add(b.key());
            }
        }
        return new Outcome(rows, onlyBase, onlyCurrent, factor, peers);
    }

    private static String sameCasePeer(Result lanes, Map<String, Result> base, Map<String, Result> cur) {
        for (String p : CALIBRATORS) {
            String k = lanes.caseKey() + " [" + p + "]";
            if (base.containsKey(k) && cur.containsKey(k)) {
                return p;
            }
        }
        return null;
    }

    private static Map<String, Result> index(List<Result> results) {
        Map<String, Result> m = new HashMap<>();
        for (Result r : results) {
            if (m.put(r.key(), r) != null) {
                throw new IllegalArgumentException("the run holds " + r.key() + " twice");
            }
        }
        return m;
    }

    private static double rss(double... rel) {
        double s = 0;
        for (double r : rel) {
            s += r * r;
        }
        return Math.sqrt(s);
    }

    static String format(Outcome o, double threshold) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "Regression check: threshold %.0f%%; machine speed factor %.3f (current/baseline, geometric mean over %d peer rows)%n",
                threshold * 100, o.machineFactor(), o.machinePeers()));
        out.append(String.format(Locale.ROOT, "%-58s %12s %12s %9s %8s %-12s %s%n",
                "row", "baseline", "current", "change", "noise", "normalised", "verdict"));
        for (Row r : o.rows()) {
            out.append(String.format(Locale.ROOT, "%-58s %12s %12s %+8.1f%% %7.1f%% %-12s %s%n",
                    r.key(), Report.formatTime(r.baselineNs()), Report.formatTime(r.currentNs()),
                    r.change() * 100, r.noise() * 100, r.calibration(), r.status().name().toLowerCase(Locale.ROOT)));
        }
        for (String k : o.onlyInBaseline()) {
            out.append("missing from this run: ").append(k).append(System.lineSeparator());
        }
        for (String k : o.onlyInCurrent()) {
            out.append("new in this run (no baseline): ").append(k).append(System.lineSeparator());
        }
        long regressed = o.rows().stream().filter(r -> r.status() == Status.REGRESSED).count();
        long improved = o.rows().stream().filter(r -> r.status() == Status.IMPROVED).count();
        out.append(String.format(Locale.ROOT, "%d regressed, %d improved, %d unchanged%n",
                regressed, improved, o.rows().size() - regressed - improved));
        return out.toString();
    }
}
