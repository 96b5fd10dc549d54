package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrewTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void everyPieceRunsOncePerTaskAndPieceZeroOnTheCaller(int parts) {
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

    /**
     * Workers that never get a core (here: never started) do not hold a task up: the caller claims
     * the pieces no worker has claimed. Before pieces were claimed, this waited forever.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void theCallerRunsThePiecesThatNoWorkerClaimed(int parts) {
        try (Crew crew = new Crew(parts, false)) {
            int[] runs = new int[parts];
            Thread[] by = new Thread[parts];
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (int round = 0; round < 3; round++) {
                    crew.run((part, of) -> {
                        runs[part]++;
                        by[part] = Thread.currentThread();
                    });
                }
            });
            for (int p = 0; p < parts; p++) {
                assertEquals(3, runs[p], "piece " + p);
                assertSame(by[0], by[p], "piece " + p + " ran on the caller");
            }
        }
    }

    /** Between tasks the workers park (after a short poll) instead of spinning on a core. */
    @Test
    void idleWorkersPark() throws InterruptedException {
        try (Crew crew = new Crew(3)) {
            crew.run((part, of) -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("lanes-train-")).toList();
                if (workers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "workers still running: " + workers.stream()
                        .map(t -> t.getName() + " " + t.getState()).toList());
                Thread.sleep(5);
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
