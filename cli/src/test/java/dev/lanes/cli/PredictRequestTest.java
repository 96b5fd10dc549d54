package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PredictRequestTest {
    private static float[][] parse(String body, int width) throws PredictRequest.BadRequest {
        return PredictRequest.parse(body.getBytes(StandardCharsets.UTF_8), width);
    }

    @Test
    void readsRowsOfJsonNumbers() throws Exception {
        float[][] rows = parse(" {\n \"rows\" : [ [1, -2.5e1 ,0.125], [0,1E-3,-0] ] } \n", 3);
        assertEquals(2, rows.length);
        assertArrayEquals(new float[] {1f, -25f, 0.125f}, rows[0]);
        assertArrayEquals(new float[] {0f, 0.001f, -0f}, rows[1]);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(rows[1][2]));
        assertArrayEquals(new float[] {0.1f}, parse("{\"rows\":[[0.1]]}", 1)[0], "the float nearest the decimal");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"rows\": [[1,2,3],[4,5]]}                | rows[1] has 2 values, the model takes 3",
        "{\"rows\": [[1,2,3],[4,5,6,7]]}            | rows[1] has more than 3 values, the model takes 3 (character 25)",
        "{\"rows\": [[1,2,3],[]]}                   | rows[1] has 0 values, the model takes 3",
        "{\"rows\": [[1,2,x]]}                      | rows[0][2]: expected a number, found 'x' at character 15",
        "{\"rows\": [[1,2,\"3\"]]}                  | rows[0][2]: expected a number, found '\"' at character 15",
        "{\"rows\": [[1,2,NaN]]}                    | rows[0][2]: expected a number, found 'N'",
        "{\"rows\": [[1,2,01]]}                     | rows[0]: expected ',' or ']' after column 2, found '1' at character 16",
        "{\"rows\": [[1,2,1.]]}                     | rows[0][2]: expected a digit after '.', found ']'",
        "{\"rows\": [[1,2,1e]]}                     | rows[0][2]: expected a digit in the exponent",
        "{\"rows\": [[1,2,1e39]]}                   | rows[0][2] = 1e39 is too large for a float (character 15)",
        "{\"rows\": [[1,2,3] [4,5,6]]}              | rows: expected ',' or ']' after rows[0], found '['",
        "{\"rows\": [[1,2,3],                       | rows[1] must be an array of numbers, found the end of the body (character 18)",
        "{\"rows\": [[1,2                           | rows[0]: expected ',' or ']' after column 1, found the end of the body (character 14)",
        "{\"rows\": []}                             | \"rows\" is empty; send at least one row of 3 numbers",
        "{\"rows\": [1,2,3]}                        | rows[0] must be an array of numbers, found '1'",
        "{\"rows\": 5}                              | \"rows\" must be an array of rows, found '5'",
        "{\"data\": [[1,2,3]]}                      | unknown key \"data\" at character 1",
        "{\"rows\": [[1,2,3]], \"rows\": [[1,2,3]]} | \"rows\" appears twice",
        "[[1,2,3]]                                  | the body must be a JSON object {\"rows\": [[...], ...]}, found '['",
        "''                                         | the body must be a JSON object {\"rows\": [[...], ...]}, found the end of the body (character 0)",
        "{\"rows\": [[1,2,3]]} x                    | unexpected 'x' after the JSON object at character 20",
        "{\"rows\" [[1,2,3]]}                       | expected ':' after \"rows\", found '['",
        "{\"rows\": [[1,2,3]],}                     | expected the key \"rows\", found '}'"})
    void everyMalformedBodySaysWhere(String body, String expected) {
        PredictRequest.BadRequest e = assertThrows(PredictRequest.BadRequest.class, () -> parse(body.strip(), 3));
        assertTrue(e.getMessage().contains(expected.strip()), "expected '" + expected.strip() + "' in: " + e.getMessage());
    }

    /**
     * Request bodies come from the network: any bytes either parse or give a BadRequest (a 400), never
     * another exception (a 500 with a stack trace). Valid bodies cut, spliced and with bytes replaced.
     */
    @Test
    void mangledBodiesOnlyEverGiveABadRequest() {
        byte[] valid = "{\"rows\": [[1, -2.5e-3, 0.125, 7], [0, 1E+2, -0, 3.0]]}".getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = "{}[],:\" -+.eE0123456789rowsxtrue\\\u00ff\n".getBytes(StandardCharsets.UTF_8);
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        int parsed = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] body = java.util.Arrays.copyOf(valid, r.nextBoolean() ? valid.length : r.nextInt(valid.length + 1));
            for (int k = r.nextInt(4); k > 0 && body.length > 0; k--) {
                body[r.nextInt(body.length)] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            }
            try {
                float[][] rows = PredictRequest.parse(body, 4);
                assertTrue(rows.length > 0);
                for (float[] row : rows) {
                    assertEquals(4, row.length);
                    for (float v : row) {
                        assertTrue(Float.isFinite(v));
                    }
                }
                parsed++;
            } catch (PredictRequest.BadRequest expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
            }
        }
        assertTrue(parsed > 0, "some mangled bodies are still valid");
    }
}
