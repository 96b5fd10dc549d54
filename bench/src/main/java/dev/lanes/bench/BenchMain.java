package dev.lanes.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./lanes bench}: runs the benchmarks through JMH's API in this process, writes the JMH JSON
 * and a PNG chart next to it, prints the table of {@link Report}, and optionally saves the run as a
 * baseline or checks it against one ({@link Comparison}). Exit status: 0 fine, 1 a regression, 2 a
 * usage or input error.
 */
public final class BenchMain {
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: ./lanes bench [--quick | --full | --smoke] [--include REGEX] [--param NAME=V1,V2]...",
            "                     [--forks N] [--out DIR] [--report JSON] [--no-chart] [--save-baseline FILE]",
            "                     [--baseline FILE [--threshold 10%]]",
            "  --quick          (default) lanes, VectorBLAS and references at the network's shapes (128x784, 10x128)",
            "                   and n = 10, 1024; 1 fork, 2 x 0.8 s warmup, 3 x 0.4 s: about 6 minutes on 2 cores",
            "  --full           every benchmark at every size, 3 forks x (3 warmup + 5 x 1 s): about 90 minutes",
            "  --smoke          every benchmark once, 1 fork, one 100 ms iteration: proves they run (CI)",
            "  --include REGEX  only benchmarks matching REGEX, at all their sizes (narrow with --param)",
            "  --param N=V,...  override a JMH parameter, e.g. --param shape=128x784 --param backend=vector",
            "  --forks N        forks per benchmark (regression runs want 2 or more: results are bimodal across forks)",
            "  --out DIR        where the JSON and the PNG go (default target/bench)",
            "  --report JSON    do not run: report on (and compare) an existing JMH JSON file",
            "  --no-chart       do not write the PNG chart (by default it goes next to the JSON)",
            "  --save-baseline FILE   copy this run's JSON to FILE",
            "  --baseline FILE        compare with FILE; exit 1 if a row regressed beyond the threshold",
            "                         and beyond the runs' combined error",
            "  --threshold P%   regression threshold (default 10%)");

    /** One JMH invocation: which benchmarks and which parameter overrides. */
    record Selection(String include, String exclude, Map<String, String[]> params) {
    }

    /** A run preset: iteration settings and the selections it runs in turn. */
    record Preset(int forks, int warmups, TimeValue warmupTime, int iterations, TimeValue time, boolean gc,
                  List<Selection> selections) {
    }

    /*
     * Vector API code is only fast once C2 has compiled it; before that it runs 100 to 1000 times
     * slower. On a busy machine C2 needs more than a second, so even the quick preset warms up for
     * 2 x 800 ms: with 300 ms warmups, recorded runs here still had uncompiled first iterations.
     * Three measured iterations, because JMH gives no error estimate for fewer.
     */
    static final Preset QUICK = new Preset(1, 2, TimeValue.milliseconds(800), 3, TimeValue.milliseconds(400), true,
            List.of(new Selection("Level1Bench|MatrixBench|ActivationBench\\.(tanh|sech2)", "_javablas",
                            Map.of("n", new String[] {"10", "1024"}, "shape", new String[] {"128x784", "10x128"})),
                    new Selection("ActivationBench\\.softmax", "", Map.of())));
    static final Preset FULL = new Preset(3, 3, TimeValue.seconds(1), 5, TimeValue.seconds(1), true,
            List.of(new Selection("dev\\.lanes\\.bench\\.", "", Map.of())));
    static final Preset SMOKE = new Preset(1, 0, TimeValue.milliseconds(100), 1, TimeValue.milliseconds(100), false,
            List.of(new Selection("dev\\.lanes\\.bench\\.", "", Map.of())));

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Preset preset = QUICK;
        String include = null;
        Map<String, String[]> params = new LinkedHashMap<>();
        Path outDir = Paths.get("target", "bench");
        Path report = null;
        Path saveBaseline = null;
        Path baseline = null;
        double threshold = 0.10;
        boolean chart = true;
        int forks = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick": preset = QUICK; break;
                    case "--full": preset = FULL; break;
                    case "--smoke": preset = SMOKE; break;
                    case "--include": include = value(args, ++i, a); break;
                    case "--param": {
                        String p = value(args, ++i, a);
                        int eq = p.indexOf('=');
                        if (eq <= 0 || eq == p.length() - 1) {
                            throw new IllegalArgumentException("--param wants NAME=V1,V2, got " + p);
                        }
                        params.put(p.substring(0, eq), p.substring(eq + 1).split(","));
                        break;
                    }
                    case "--out": outDir = Paths.get(value(args, ++i, a)); break;
                    case "--report": report = Paths.get(value(args, ++i, a)); break;
                    case "--save-baseline": saveBaseline = Paths.get(value(args, ++i, a)); break;
                    case "--baseline": baseline = Paths.get(value(args, ++i, a)); break;
                    case "--threshold": threshold = parseThreshold(value(args, ++i, a)); break;
                    case "--no-chart": chart = false; break;
                    case "--forks": forks = parseForks(value(args, ++i, a)); break;
                    case "-h":
                    case "--help":
                        out.println(USAGE);
                        return 0;
                    default:
                        throw new IllegalArgumentException("unknown option " + a);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("lanes bench: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }

        try {
            Path json;
            if (report != null) {
                json = report;
            } else {
                Preset chosen = include == null ? preset : narrowed(preset, include);
                if (forks > 0) {
                    chosen = new Preset(forks, chosen.warmups(), chosen.warmupTime(), chosen.iterations(), chosen.time(),
                            chosen.gc(), chosen.selections());
                }
                json = runJmh(withParams(chosen, params), outDir);
            }
            List<Result> results = JmhJson.read(json);
            if (results.isEmpty()) {
                err.println("lanes bench: no results in " + json);
                return 2;
            }
            out.println();
            out.println("Results of " + json + " (speedup > 1: vector faster than scalar, lanes faster than the peer)");
            out.print(Report.table(results));
            if (chart) {
                Path png = sibling(json, ".png");
                Chart.write(results, "lanes benchmarks: " + json.getFileName(), png);
                out.println("chart: " + png);
            }
            if (saveBaseline != null) {
                Path parent = saveBaseline.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.copy(json, saveBaseline, StandardCopyOption.REPLACE_EXISTING);
                out.println("baseline saved: " + saveBaseline);
            }
            if (baseline != null) {
                Comparison.Outcome o = Comparison.compare(JmhJson.read(baseline), results, threshold);
                out.println();
                out.print(Comparison.format(o, threshold));
                if (o.regressed()) {
                    err.println("lanes bench: regression against " + baseline);
                    return 1;
                }
            }
            return 0;
        } catch (IOException | RunnerException | RuntimeException e) {
            err.println("lanes bench: " + e.getMessage());
            return 2;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static double parseThreshold(String s) {
        String t = s.endsWith("%") ? s.substring(0, s.length() - 1) : s;
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--threshold wants a percentage such as 10%, got " + s);
        }
        if (!(v > 0 && v < 1000)) {
            throw new IllegalArgumentException("--threshold must be between 0% and 1000%, got " + s);
        }
        return v / 100;
    }

    private static int parseForks(String s) {
        try {
            int f = Integer.parseInt(s);
            if (f >= 1) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--forks wants a count of at least 1, got " + s);
    }

    private static Preset narrowed(Preset p, String include) {
        return new Preset(p.forks(), p.warmups(), p.warmupTime(), p.iterations(), p.time(), p.gc(),
                List.of(new Selection(include, "", Map.of())));
    }

    private static Preset withParams(Preset p, Map<String, String[]> params) {
        if (params.isEmpty()) {
            return p;
        }
        List<Selection> sels = new ArrayList<>();
        for (Selection s : p.selections()) {
            Map<String, String[]> merged = new LinkedHashMap<>(s.params());
            merged.putAll(params);
            sels.add(new Selection(s.include(), s.exclude(), merged));
        }
        return new Preset(p.forks(), p.warmups(), p.warmupTime(), p.iterations(), p.time(), p.gc(), sels);
    }

    private static Path runJmh(Preset p, Path outDir) throws IOException, RunnerException {
        Files.createDirectories(outDir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path json = outDir.resolve("jmh-" + stamp + ".json");
        List<Path> parts = new ArrayList<>();
        for (int i = 0; i < p.selections().size(); i++) {
            Selection s = p.selections().get(i);
            Path part = outDir.resolve("jmh-" + stamp + ".part" + i + ".json");
            ChainedOptionsBuilder o = new OptionsBuilder().include(s.include())
                    .forks(p.forks()).warmupIterations(p.warmups()).warmupTime(p.warmupTime())
                    .measurementIterations(p.iterations()).measurementTime(p.time())
                    .shouldFailOnError(true).resultFormat(ResultFormatType.JSON).result(part.toString());
            if (!s.exclude().isEmpty()) {
                o.exclude(s.exclude());
            }
            if (p.gc()) {
                o.addProfiler(GCProfiler.class);
            }
            s.params().forEach(o::param);
            new Runner(o.build()).run();
            parts.add(part);
        }
        JmhJson.merge(parts, json);
        for (Path part : parts) {
            Files.delete(part);
        }
        return json;
    }

    private static Path sibling(Path json, String extension) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + extension);
    }
}
