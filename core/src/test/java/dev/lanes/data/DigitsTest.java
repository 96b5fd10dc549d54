package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class DigitsTest {

    @Test
    void embeddedDigitsHaveTheDocumentedShape() throws IOException {
        Dataset d = DataReaders.digits();
        assertEquals("digits", d.name());
        assertEquals(1797, d.size());
        assertEquals(64, d.features());
        assertEquals(10, d.classes());
        int[] perClass = new int[10];
        for (int i = 0; i < d.size(); i++) {
            perClass[d.label(i)]++;
        }
        // The set is close to balanced: about 180 samples of each digit.
        for (int c = 0; c < 10; c++) {
            assertTrue(perClass[c] >= 170 && perClass[c] <= 190, "digit " + c + " has " + perClass[c] + " samples");
        }
        for (float v : d.featuresArray()) {
            assertTrue(v >= 0 && v <= 16 && v == Math.rint(v), "value " + v + " is not an integer in 0..16");
        }
    }

    /** Compares every value with a naive independent parse of the resource. */
    @Test
    void embeddedDigitsMatchTheResourceText() throws IOException {
        String text;
        try (InputStream in = new GZIPInputStream(DataReaders.class.getResourceAsStream(DataReaders.DIGITS_RESOURCE))) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        String[] lines = text.strip().split("\n");
        Dataset d = DataReaders.digits();
        assertEquals(lines.length, d.size());
        float[] row = new float[64];
        for (int i = 0; i < lines.length; i++) {
            String[] cells = lines[i].split(",");
            assertEquals(65, cells.length);
            float[] expected = new float[64];
            for (int j = 0; j < 64; j++) {
                expected[j] = Integer.parseInt(cells[j].trim());
            }
            d.copyFeatures(i, row, 0);
            assertArrayEquals(expected, row, "row " + i);
            assertEquals(Integer.parseInt(cells[64].trim()), d.label(i), "label of row " + i);
        }
    }
}
