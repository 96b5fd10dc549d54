package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.CorruptFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsvReaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private static float[] features(Dataset d, int i) {
        float[] row = new float[d.features()];
        d.copyFeatures(i, row, 0);
        return row;
    }

    @Test
    void readsNumbersWithLabelLast() throws IOException {
        Dataset d = DataReaders.csv(file("a.csv", "1,2.5,0\n-3,1e2,2\n+4, .5 ,1\n\n\n"), -1);
        assertEquals("a.csv", d.name());
        assertEquals(3, d.size());
        assertEquals(2, d.features());
        assertEquals(3, d.classes());
        assertArrayEquals(new float[] {1, 2.5f}, features(d, 0));
        assertArrayEquals(new float[] {-3, 100}, features(d, 1));
        assertArrayEquals(new float[] {4, 0.5f}, features(d, 2));
        assertEquals(100f, d.featureBound(), "the largest magnitude, not the label");
        assertEquals(7.5f, DataReaders.csv(file("neg.csv", "-7.5,1\n2,0\n"), -1).featureBound(), "a magnitude");
        assertEquals(0, d.label(0));
        assertEquals(2, d.label(1));
        assertEquals(1, d.label(2));
    }

    @Test
    void readsHeaderLabelFirstCrlfBomAndGzip() throws IOException {
        String text = "\uFEFFlabel,x,y\r\n3,0.25,1234567890123\r\n0,7,8\r\n";
        Path plain = file("b.csv", text);
        Path gz = Files.write(dir.resolve("b.data"), IdxReaderTest.gzip(text.getBytes(StandardCharsets.UTF_8)));
        for (Path p : new Path[] {plain, gz}) {
            Dataset d = DataReaders.csv(p, 0);
            assertEquals(2, d.size());
            assertEquals(4, d.classes());
            assertArrayEquals(new float[] {0.25f, 1234567890123f}, features(d, 0));
            assertArrayEquals(new float[] {7, 8}, features(d, 1));
            assertEquals(3, d.label(0));
        }
        Dataset fromEnd = DataReaders.csv(file("c.csv", "5,6,3.0"), -3);
        assertEquals(5, fromEnd.label(0), "negative label columns count from the end");
        assertArrayEquals(new float[] {6, 3}, features(fromEnd, 0));
    }

    private String corrupt(String text, int labelColumn) throws IOException {
        Path p = file("bad.csv", text);
        String m = assertThrows(CorruptFileException.class, () -> DataReaders.csv(p, labelColumn)).getMessage();
        assertTrue(m.startsWith(p.toString()), "message names the file: " + m);
        return m;
    }

    static Stream<Arguments> badContent() {
        return Stream.of(
                Arguments.of("1,2,0\n3,x,1\n", "line 2, column 2: 'x' is not a finite number"),
                Arguments.of("a,b,c\n1,2,0\n3,,1", "line 3, column 2: '' is not a finite number"),
                Arguments.of("a,b,c\n1,2,0\n3,b,1", "line 3, column 2"),
                Arguments.of("1,2,0\n1,NaN,0", "line 2, column 2: 'NaN'"),
                Arguments.of("1,2,0\n1,Infinity,0", "line 2, column 2"),
                Arguments.of("1,2,0\n1,1e39,0", "line 2, column 2: '1e39'"),
                Arguments.of("1,2,0\n1,0x10,0", "line 2, column 2"),
                Arguments.of("1,2,0\n1,1f,0", "line 2, column 2"),
                Arguments.of("1,2,0\n1,2,0,4", "line 2 has 4 columns, line 1 has 3"),
                Arguments.of("1,2,0\n1,2", "line 2 has 2 columns, line 1 has 3"),
                Arguments.of("h1,h2\n1,2,0", "line 2 has 3 columns, line 1 has 2"),
                Arguments.of("1,2,0\n\n1,2,0", "line 2 is blank"),
                Arguments.of("1,2,0.5", "line 1, column 3: label 0.5 is not an integer"),
                Arguments.of("1,2,-1", "line 1, column 3: label -1 is not an integer"),
                Arguments.of("1,2,70000", "label 70000 is not an integer in [0, 65535]"),
                Arguments.of("", "empty"),
                Arguments.of(" \n\n", "empty"),
                Arguments.of("a,b,c\n", "no data rows after the header"),
                Arguments.of("1\n2", "line 1 has 1 column"));
    }

    @ParameterizedTest
    @MethodSource("badContent")
    void rejectsBadContentNamingLineAndColumn(String text, String expected) throws IOException {
        String m = corrupt(text, -1);
        assertTrue(m.contains(expected), m);
    }

    @Test
    void labelColumnOutsideTheFileIsAnArgumentError() throws IOException {
        Path p = file("d.csv", "1,2,3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataReaders.csv(p, 3));
        assertTrue(e.getMessage().contains("label column 3") && e.getMessage().contains("3 columns"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataReaders.csv(p, -4));
    }

    /** Rows to predict: every column a feature unless one is left out; blank lines skipped; the rest as csv(). */
    @Test
    void featuresForPredictionHaveNoLabel() throws IOException {
        Path name = Path.of("standard input");
        byte[] text = "\n\nx,y,label\r\n1,2.5,7\n\n-3,1e2,9.5\n\n".getBytes(StandardCharsets.UTF_8);
        Dataset all = DataReaders.csvFeatures(name, text, null);
        assertEquals(3, all.features());
        assertEquals(2, all.size());
        assertArrayEquals(new float[] {-3, 100, 9.5f}, features(all, 1), "a non-integer in the last column is a feature");
        Dataset dropped = DataReaders.csvFeatures(name, text, -1);
        assertEquals(2, dropped.features());
        assertArrayEquals(new float[] {1, 2.5f}, features(dropped, 0));
        assertArrayEquals(new float[] {-3, 100}, features(dropped, 1), "the left-out column need not be a label");
        assertArrayEquals(new float[] {100, 9.5f}, features(DataReaders.csvFeatures(name, text, 0), 1));

        CorruptFileException e = assertThrows(CorruptFileException.class,
                () -> DataReaders.csvFeatures(name, "1,2\n\n3,x\n".getBytes(StandardCharsets.UTF_8), null));
        assertEquals("standard input: line 3, column 2: 'x' is not a finite number", e.getMessage());
        e = assertThrows(CorruptFileException.class,
                () -> DataReaders.csvFeatures(name, "\n1,2\n3\n".getBytes(StandardCharsets.UTF_8), null));
        assertTrue(e.getMessage().contains("line 3 has 1 columns, line 2 has 2"), e.getMessage());
        e = assertThrows(CorruptFileException.class, () -> DataReaders.csvFeatures(name, "\n \n".getBytes(StandardCharsets.UTF_8), null));
        assertTrue(e.getMessage().contains("empty: no rows"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DataReaders.csvFeatures(name, "1,2\n".getBytes(StandardCharsets.UTF_8), 2));
    }
}
