package dev.lanes.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads JMH's JSON result format (as written by {@code -rf json}) and merges several runs into one file. */
final class JmhJson {
    private JmhJson() {
    }

    static List<Result> read(Path file) throws IOException {
        JsonArray rows = parse(file);
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                results.add(row(rows.get(i).getAsJsonObject()));
            } catch (RuntimeException e) {
                throw new IOException(file + ": entry " + i + " is not a JMH result: " + e.getMessage(), e);
            }
        }
        return results;
    }

    /** Concatenates the result arrays of several JMH JSON files into {@code out}. */
    static void merge(List<Path> parts, Path out) throws IOException {
        JsonArray all = new JsonArray();
        for (Path p : parts) {
            all.addAll(parse(p));
        }
        Files.writeString(out, all.toString());
    }

    private static JsonArray parse(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            JsonElement root = JsonParser.parseReader(r);
            if (!root.isJsonArray()) {
                throw new IOException(file + ": not a JMH JSON result (expected an array at the top level)");
            }
            return root.getAsJsonArray();
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Result row(JsonObject o) {
        String benchmark = o.get("benchmark").getAsString();
        String mode = o.get("mode").getAsString();
        Map<String, String> params = new LinkedHashMap<>();
        if (o.has("params")) {
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("params").entrySet()) {
                params.put(e.getKey(), e.getValue().getAsString());
            }
        }
        JsonObject primary = o.getAsJsonObject("primaryMetric");
        double score = primary.get("score").getAsDouble();
        double error = primary.get("scoreError").getAsDouble();
        String unit = primary.get("scoreUnit").getAsString();
        double alloc = Double.NaN;
        JsonObject secondary = o.getAsJsonObject("secondaryMetrics");
        if (secondary != null && secondary.has("gc.alloc.rate.norm")) {
            alloc = secondary.getAsJsonObject("gc.alloc.rate.norm").get("score").getAsDouble();
        }
        double time;
        double timeError;
        if (mode.equals("thrpt")) {
            // ops per time unit: invert to time per op; the error propagates to first order.
            double perNs = nanosPer(unit.substring(unit.indexOf('/') + 1));
            time = perNs / score;
            timeError = time * error / score;
        } else {
            double nanos = nanosPer(unit.substring(0, unit.indexOf('/')));
            time = score * nanos;
            timeError = error * nanos;
        }
        return Result.of(benchmark, params, time, timeError, alloc);
    }

    private static double nanosPer(String unit) {
        switch (unit) {
            case "ns": return 1;
            case "us": return 1e3;
            case "ms": return 1e6;
            case "s": return 1e9;
            case "min": return 60e9;
            default: throw new IllegalArgumentException("unknown time unit " + unit);
        }
    }
}
