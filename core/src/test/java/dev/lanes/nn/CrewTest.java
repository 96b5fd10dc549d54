package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrewTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void everyPieceRunsOncePerTaskOnItsOwnThread(int parts) {
        try (Crew crew = new Crew(parts)) {
            for (int round = 0; round < 2_000; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                Thread[] by = new Thread[parts];
                crew.run((part, of) -> {
                    assertEquals(parts, of);
                    runs.incrementAndGet(part);
                    by[part] = Thread.currentThread();
                });
                for (int p = 0; p < parts; p++) {
                    assertEquals(1, runs.get(p), "piece " + p + " in round " + round);
                }
                assertSame(Thread.currentThread(), by[0], "piece 0 runs on the caller");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aFailingPieceIsRethrownAfterTheOthersEnd(int parts) {
        try (Crew crew = new Crew(parts)) {
            int failing = parts - 1;
            AtomicIntegerArray done = new AtomicIntegerArray(parts);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> crew.run((part, of) -> {
                if (part == failing) {
                    throw new IllegalStateException("piece " + part);
                }
                done.set(part, 1);
            }));
            assertEquals("piece " + failing, e.getMessage());
            for (int p = 0; p < parts; p++) {
                assertEquals(p == failing ? 0 : 1, done.get(p));
            }
            // The crew still works after a failure.
            int[] seen = new int[parts];
            crew.run((part, of) -> seen[part] = part + 1);
            for (int p = 0; p < parts; p++) {
                assertEquals(p + 1, seen[p]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void afterCloseTheCallerRunsEveryPiece(int parts) {
        Crew crew = new Crew(parts);
        crew.close();
        crew.close();
        Thread[] by = new Thread[parts];
        crew.run((part, of) -> by[part] = Thread.currentThread());
        Thread[] expected = new Thread[parts];
        java.util.Arrays.fill(expected, Thread.currentThread());
        assertArrayEquals(expected, by);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void rejectsFewerThanOnePart(int parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Crew(parts));
        assertEquals("parts must be >= 1, got " + parts, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 32})
    void boundariesCoverTheRangeInOrder(int parts) {
        for (int count = 0; count < 70; count++) {
            assertEquals(0, Crew.boundary(count, 0, parts));
            assertEquals(count, Crew.boundary(count, parts, parts));
            for (int p = 0; p < parts; p++) {
                int size = Crew.boundary(count, p + 1, parts) - Crew.boundary(count, p, parts);
                assertEquals(count / parts, size, 1, "near-equal pieces");
            }
        }
    }
}
