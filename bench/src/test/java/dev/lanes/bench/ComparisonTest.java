package dev.lanes.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.bench.Comparison.Outcome;
import dev.lanes.bench.Comparison.Status;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static final String GEMV_VECTOR = "MatrixBench.gemv shape=128x784 [vector]";

    private static List<String> flagged(Outcome o, Status s) {
        return o.rows().stream().filter(r -> r.status() == s).map(Comparison.Row::key).collect(Collectors.toList());
    }

    @Test
    void twoRealRunsOfTheSameCodeShowNoRegression() throws IOException {
        Outcome o = Comparison.compare(Recorded.read(Recorded.BASELINE), Recorded.read(Recorded.RERUN), 0.10);
        assertFalse(o.rows().isEmpty());
        assertEquals(List.of(), flagged(o, Status.REGRESSED), Comparison.format(o, 0.10));
        assertFalse(o.regressed());
    }

    @Test
    void aRealRunAgainstItselfIsUnchangedEverywhere() throws IOException {
        List<Result> run = Recorded.read(Recorded.BASELINE);
        Outcome o = Comparison.compare(run, run, 0.10);
        assertTrue(o.rows().stream().allMatch(r -> r.status() == Status.UNCHANGED && r.change() == 0));
        assertEquals(1.0, o.machineFactor(), 0);
    }

    @Test
    void aSlowerMachineIsNotARegressionBecausePeersSlowDownToo() throws IOException {
        List<Result> base = Recorded.read(Recorded.BASELINE);
        List<Result> rerun = Recorded.read(Recorded.RERUN);
        List<Result> slower = Recorded.scaled(rerun, r -> true, 3);
        Outcome o = Comparison.compare(base, slower, 0.10);
        assertEquals(List.of(), flagged(o, Status.REGRESSED), Comparison.format(o, 0.10));
        assertEquals(3 * Comparison.compare(base, rerun, 0.10).machineFactor(), o.machineFactor(), 1e-9);

        // Without the peers there is nothing to calibrate by, and the raw comparison flags the slowdown:
        // the normalisation above is what keeps a slower machine from failing the build.
        Predicate<Result> lanes = Result::isLanes;
        Outcome raw = Comparison.compare(base.stream().filter(lanes).collect(Collectors.toList()),
                slower.stream().filter(lanes).collect(Collectors.toList()), 0.10);
        assertEquals(1.0, raw.machineFactor());
        assertTrue(raw.rows().stream().allMatch(r -> r.calibration().equals("raw")));
        assertTrue(raw.regressed(), Comparison.format(raw, 0.10));
    }

    /*
     * The recorded runs come from a loaded machine: the normalised gemv row carries about 50% of
     * combined error, so the injected slowdowns are well beyond it (2.5x slower, 0.3x the time).
     */
    @Test
    void aSlowerKernelIsCaughtAndOnlyThatOne() throws IOException {
        List<Result> base = Recorded.read(Recorded.BASELINE);
        List<Result> rerun = Recorded.scaled(Recorded.read(Recorded.RERUN), r -> r.key().equals(GEMV_VECTOR), 2.5);
        Outcome o = Comparison.compare(base, rerun, 0.10);
        assertEquals(List.of(GEMV_VECTOR), flagged(o, Status.REGRESSED), Comparison.format(o, 0.10));
        assertTrue(o.regressed());
    }

    @Test
    void aFasterKernelIsMarkedImproved() throws IOException {
        List<Result> base = Recorded.read(Recorded.BASELINE);
        List<Result> rerun = Recorded.scaled(Recorded.read(Recorded.RERUN), r -> r.key().equals(GEMV_VECTOR), 0.3);
        Outcome o = Comparison.compare(base, rerun, 0.10);
        assertEquals(List.of(GEMV_VECTOR), flagged(o, Status.IMPROVED));
        assertFalse(o.regressed());
    }

    private static Result row(String method, String backend, double ns, double err) {
        Map<String, String> p = new TreeMap<>();
        p.put("n", "1024");
        if (backend != null) {
            p.put("backend", backend);
        }
        return Result.of("dev.lanes.bench.Level1Bench." + method, p, ns, err, 0);
    }

    @Test
    void aChangeBeyondTheThresholdButWithinTheErrorIsNotFlagged() {
        List<Result> base = List.of(row("dot", "vector", 100, 30), row("dot_vectorblas", null, 200, 2));
        List<Result> cur = List.of(row("dot", "vector", 120, 30), row("dot_vectorblas", null, 200, 2));
        Outcome o = Comparison.compare(base, cur, 0.10);
        assertEquals(Status.UNCHANGED, o.rows().get(0).status());
        assertEquals(0.2, o.rows().get(0).change(), 1e-12);

        List<Result> precise = List.of(row("dot", "vector", 100, 1), row("dot_vectorblas", null, 200, 2));
        List<Result> slower = List.of(row("dot", "vector", 120, 1), row("dot_vectorblas", null, 200, 2));
        assertEquals(Status.REGRESSED, Comparison.compare(precise, slower, 0.10).rows().get(0).status());
        assertEquals(Status.UNCHANGED, Comparison.compare(precise, slower, 0.25).rows().get(0).status());
    }

    @Test
    void aCaseWithoutPeerIsCalibratedByTheMachineFactor() {
        List<Result> base = List.of(row("mul", "vector", 100, 1), row("dot_vectorblas", null, 200, 2));
        List<Result> allSlower = List.of(row("mul", "vector", 130, 1), row("dot_vectorblas", null, 260, 2));
        Outcome o = Comparison.compare(base, allSlower, 0.10);
        assertEquals("/machine", o.rows().get(0).calibration());
        assertEquals(Status.UNCHANGED, o.rows().get(0).status());

        List<Result> mulSlower = List.of(row("mul", "vector", 130, 1), row("dot_vectorblas", null, 200, 2));
        assertEquals(Status.REGRESSED, Comparison.compare(base, mulSlower, 0.10).rows().get(0).status());
    }

    @Test
    void rowsPresentInOnlyOneRunAreListedNotJudged() {
        List<Result> base = List.of(row("mul", "vector", 100, 1), row("add", "vector", 100, 1));
        List<Result> cur = List.of(row("mul", "vector", 100, 1), row("scale", "vector", 100, 1));
        Outcome o = Comparison.compare(base, cur, 0.10);
        assertEquals(1, o.rows().size());
        assertEquals(List.of("Level1Bench.add n=1024 [vector]"), o.onlyInBaseline());
        assertEquals(List.of("Level1Bench.scale n=1024 [vector]"), o.onlyInCurrent());
    }
}
