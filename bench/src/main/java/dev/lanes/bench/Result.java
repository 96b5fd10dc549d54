package dev.lanes.bench;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One row of a JMH run, reduced to what the report and the regression check need. Times are in
 * nanoseconds per operation whatever unit or mode JMH used.
 *
 * <p>Naming convention of the benchmarks: a method {@code op} takes the {@code backend} parameter
 * and measures lanes; a method {@code op_peer} measures a peer (netlib or a reference loop) on the
 * same data. Rows with the same class, op and parameters (other than backend) form a <em>case</em>;
 * {@code impl} is the backend or the peer name.
 *
 * @param benchmark the full JMH benchmark name
 * @param group     class and op, e.g. {@code MatrixBench.gemv}
 * @param impl      {@code scalar}, {@code vector} or the peer's name
 * @param params    the JMH parameters other than {@code backend}
 * @param timeNs    mean time per operation, ns
 * @param errorNs   JMH's 99.9% confidence half-width, ns (NaN when the run had too few iterations)
 * @param allocBytesPerOp gc.alloc.rate.norm, NaN when the run had no GC profiler
 */
record Result(String benchmark, String group, String impl, SortedMap<String, String> params,
              double timeNs, double errorNs, double allocBytesPerOp) {

    static final String BACKEND = "backend";

    static Result of(String benchmark, Map<String, String> allParams, double timeNs, double errorNs, double alloc) {
        String simple = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
        int dot = simple.indexOf('.');
        String method = simple.substring(dot + 1);
        int underscore = method.indexOf('_');
        String op = underscore < 0 ? method : method.substring(0, underscore);
        SortedMap<String, String> params = new TreeMap<>(allParams);
        String backend = params.remove(BACKEND);
        String impl = underscore >= 0 ? method.substring(underscore + 1) : backend != null ? backend : "lanes";
        return new Result(benchmark, simple.substring(0, dot + 1) + op, impl, params, timeNs, errorNs, alloc);
    }

    /** Whether this row measures lanes itself (as opposed to a peer it is compared with). */
    boolean isLanes() {
        return impl.equals("scalar") || impl.equals("vector") || impl.equals("lanes");
    }

    /** Group and parameters: the rows of one case measure the same work. */
    String caseKey() {
        if (params.isEmpty()) {
            return group;
        }
        return group + " " + params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    String key() {
        return caseKey() + " [" + impl + "]";
    }

    /** The relative error, 0 when JMH gave none (a single iteration). */
    double relativeError() {
        return Double.isNaN(errorNs) || timeNs <= 0 ? 0 : errorNs / timeNs;
    }

    Result scaled(double factor) {
        return new Result(benchmark, group, impl, params, timeNs * factor, errorNs * factor, allocBytesPerOp);
    }
}
