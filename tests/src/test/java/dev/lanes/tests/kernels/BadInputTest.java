package dev.lanes.tests.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments fail before anything is written, with an exception whose message names the
 * argument. Every case runs on every backend and checks the outputs are untouched.
 */
class BadInputTest {
    static Stream<Kernels> backends() {
        return BackendsUnderTest.stream();
    }

    /** Arrays the call may write; checked unchanged after the exception. */
    private float[] a;
    private float[] x;
    private float[] y;
    private float[] out;

    private void fresh() {
        a = filled(64);
        x = filled(16);
        y = filled(16);
        out = filled(16);
    }

    private static float[] filled(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 0.5f;
        }
        return v;
    }

    private <T extends RuntimeException> void rejects(Class<T> type, String name, Kernels k, Consumer<Kernels> call) {
        fresh();
        float[][] before = {a.clone(), x.clone(), y.clone(), out.clone()};
        T e = assertThrows(type, () -> call.accept(k));
        String msg = String.valueOf(e.getMessage());
        assertTrue(msg.equals(name) || msg.startsWith(name + ":") || msg.startsWith(name + " "),
                k + ": message '" + msg + "' should start by naming '" + name + "'");
        assertArrayEquals(before[0], a, "a untouched");
        assertArrayEquals(before[1], x, "x untouched");
        assertArrayEquals(before[2], y, "y untouched");
        assertArrayEquals(before[3], out, "out untouched");
    }

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    @ParameterizedTest
    @MethodSource("backends")
    void negativeSizes(Kernels k) {
        rejects(IAE, "n", k, kk -> kk.dot(-1, x, 0, y, 0));
        rejects(IAE, "n", k, kk -> kk.axpy(-1, 1f, x, 0, y, 0));
        rejects(IAE, "n", k, kk -> kk.scale(-3, 1f, x, 0));
        rejects(IAE, "n", k, kk -> kk.tanh(-1, x, 0, out, 0));
        rejects(IAE, "n", k, kk -> kk.softmax(-1, x, 0, out, 0));
        rejects(IAE, "m", k, kk -> kk.gemv(-1, 4, 1f, a, 0, 4, x, 0, 0f, y, 0));
        rejects(IAE, "n", k, kk -> kk.gemvT(4, -1, 1f, a, 0, 4, x, 0, 0f, y, 0));
        rejects(IAE, "m", k, kk -> kk.ger(-2, 4, 1f, x, 0, y, 0, a, 0, 4));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void arraysTooShortForOffsetAndLength(Kernels k) {
        rejects(IOOBE, "y", k, kk -> kk.dot(16, x, 0, y, 1));
        rejects(IOOBE, "x", k, kk -> kk.dot(17, x, 0, y, 0));
        rejects(IOOBE, "y", k, kk -> kk.axpy(16, 1f, x, 0, y, 1));
        rejects(IOOBE, "x", k, kk -> kk.scale(10, 2f, x, 7));
        rejects(IOOBE, "out", k, kk -> kk.mul(16, x, 0, y, 0, out, 2));
        rejects(IOOBE, "out", k, kk -> kk.add(16, x, 0, y, 0, out, 1));
        rejects(IOOBE, "out", k, kk -> kk.tanh(16, x, 0, out, 5));
        rejects(IOOBE, "out", k, kk -> kk.sech2(16, x, 0, out, 5));
        rejects(IOOBE, "t", k, kk -> kk.tanhGradFromOutput(16, x, 3, out, 0));
        rejects(IOOBE, "out", k, kk -> kk.softmax(9, x, 0, out, 8));
        rejects(IOOBE, "g", k, kk -> kk.softmaxBackward(16, x, 0, y, 4, out, 0));
        rejects(IOOBE, "target", k, kk -> kk.squaredError(16, x, 0, y, 9));
        rejects(IOOBE, "out", k, kk -> kk.squaredErrorGradient(16, x, 0, y, 0, out, 9));
        // 8x8 needs 64 floats; from offset 1 it runs past the end.
        rejects(IOOBE, "a", k, kk -> kk.gemv(8, 8, 1f, a, 1, 8, x, 0, 0f, y, 0));
        rejects(IOOBE, "a", k, kk -> kk.gemv(8, 7, 1f, a, 0, 9, x, 0, 0f, y, 0));
        rejects(IOOBE, "y", k, kk -> kk.gemv(8, 8, 1f, a, 0, 8, x, 0, 0f, y, 9));
        rejects(IOOBE, "x", k, kk -> kk.gemvT(8, 8, 1f, a, 0, 8, x, 9, 0f, y, 0));
        rejects(IOOBE, "y", k, kk -> kk.gemvT(4, 16, 1f, a, 0, 16, x, 0, 0f, y, 1));
        rejects(IOOBE, "a", k, kk -> kk.ger(8, 8, 1f, x, 0, y, 0, a, 8, 8));
        rejects(IOOBE, "x", k, kk -> kk.ger(8, 8, 1f, x, 9, y, 0, a, 0, 8));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void negativeOffsets(Kernels k) {
        rejects(IOOBE, "x", k, kk -> kk.dot(4, x, -1, y, 0));
        rejects(IOOBE, "out", k, kk -> kk.tanh(4, x, 0, out, -1));
        rejects(IOOBE, "a", k, kk -> kk.gemv(2, 2, 1f, a, -1, 2, x, 0, 0f, y, 0));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void leadingDimensionBelowRowLength(Kernels k) {
        rejects(IAE, "lda", k, kk -> kk.gemv(4, 8, 1f, a, 0, 7, x, 0, 0f, y, 0));
        rejects(IAE, "lda", k, kk -> kk.gemvT(4, 8, 1f, a, 0, 7, x, 0, 0f, y, 0));
        rejects(IAE, "lda", k, kk -> kk.ger(4, 8, 1f, x, 0, y, 0, a, 0, 7));
        rejects(IAE, "lda", k, kk -> kk.gemv(0, 0, 1f, a, 0, 0, x, 0, 0f, y, 0));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void nullArrays(Kernels k) {
        rejects(NPE, "x", k, kk -> kk.dot(1, null, 0, y, 0));
        rejects(NPE, "y", k, kk -> kk.axpy(1, 1f, x, 0, null, 0));
        rejects(NPE, "out", k, kk -> kk.tanh(1, x, 0, null, 0));
        rejects(NPE, "a", k, kk -> kk.gemv(1, 1, 1f, null, 0, 1, x, 0, 0f, y, 0));
        rejects(NPE, "y", k, kk -> kk.ger(1, 1, 1f, x, 0, null, 0, a, 0, 1));
        // Null is rejected even when nothing would be read.
        rejects(NPE, "x", k, kk -> kk.scale(0, 1f, null, 0));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void emptyCallsAreFine(Kernels k) {
        fresh();
        float[] before = a.clone();
        k.gemv(0, 5, 1f, a, 0, 5, x, 0, 0f, y, 0);
        k.gemvT(5, 0, 1f, a, 0, 1, x, 0, 0f, y, 0);
        k.ger(0, 0, 1f, x, 0, y, 0, a, 0, 1);
        k.softmax(0, new float[0], 0, new float[0], 0);
        assertArrayEquals(before, a);
        assertTrue(k.dot(0, new float[0], 0, new float[0], 0) == 0f);
        assertArrayEquals(filled(16), Arrays.copyOf(y, 16), "m=0 gemv writes nothing");
    }
}
