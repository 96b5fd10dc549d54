package dev.lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChecksTest {
    @Test
    void vectorExtentIsCheckedWithoutIntOverflow() {
        float[] a = new float[10];
        assertDoesNotThrow(() -> Checks.checkVector("x", a, 10, 0));
        assertDoesNotThrow(() -> Checks.checkVector("x", a, 3, 7));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Checks.checkVector("x", a, Integer.MAX_VALUE, 2));
        assertEquals("x: offset 2147483647 + length 2 exceeds the array length 10", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Checks.checkVector("x", a, 11, 0));
        assertEquals("y", assertThrows(NullPointerException.class, () -> Checks.checkVector("y", null, 0, 0)).getMessage());
    }

    @Test
    void matrixExtentCountsOnlyTheLastRowsLength() {
        float[] a = new float[2 * 5 + 3];
        assertDoesNotThrow(() -> Checks.checkMatrix("a", a, 0, 5, 3, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Checks.checkMatrix("a", a, 1, 5, 3, 3));
        assertDoesNotThrow(() -> Checks.checkMatrix("a", a, 0, 1, 0, 0));
        assertDoesNotThrow(() -> Checks.checkMatrix("a", new float[0], 0, 7, 0, 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checks.checkMatrix("b", a, 0, 2, 3, 3));
        assertEquals("ldb must be >= max(1, 3), got 2", e.getMessage());
        IndexOutOfBoundsException big = assertThrows(IndexOutOfBoundsException.class,
                () -> Checks.checkMatrix("a", a, 0, Integer.MAX_VALUE, 3, 3));
        assertEquals(true, big.getMessage().startsWith("a: "));
    }
}
