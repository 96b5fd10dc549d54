package dev.lanes.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The JMH runs recorded under src/test/resources/jmh (see the README there for how they were made). */
final class Recorded {
    static final String BASELINE = "jmh/baseline.json";
    static final String RERUN = "jmh/rerun.json";

    private Recorded() {
    }

    static Path path(String resource) {
        try {
            return Paths.get(Recorded.class.getClassLoader().getResource(resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Result> read(String resource) throws IOException {
        return JmhJson.read(path(resource));
    }

    /** Every row scaled by {@code factor} where {@code which} holds, the others unchanged. */
    static List<Result> scaled(List<Result> rows, Predicate<Result> which, double factor) {
        return rows.stream().map(r -> which.test(r) ? r.scaled(factor) : r).collect(Collectors.toList());
    }
}
