package dev.lanes.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzz target for the safetensors reader: any bytes either read or throw an IOException (normally
 * {@link CorruptFileException}). What reads must encode and read again to the same tensors. Plain
 * {@code mvn verify} replays the committed inputs in
 * {@code src/test/resources/dev/lanes/io/SafeTensorsFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class SafeTensorsFuzzTest {
    private static final Path NAME = Path.of("fuzz.safetensors");

    @FuzzTest(maxDuration = "3m")
    void read(FuzzedDataProvider data) throws IOException {
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(NAME, data.consumeRemainingAsBytes());
        } catch (IOException expected) {
            return;
        }
        SafeTensors.Contents again = SafeTensors.read(NAME, SafeTensors.toBytes(c.tensors(), c.metadata()));
        if (!again.metadata().equals(c.metadata()) || !again.tensors().keySet().equals(c.tensors().keySet())) {
            throw new AssertionError("names or metadata changed in an encode/read round trip");
        }
        for (String name : c.tensors().keySet()) {
            SafeTensors.Tensor a = c.tensors().get(name);
            SafeTensors.Tensor b = again.tensors().get(name);
            if (!Arrays.equals(a.shape(), b.shape()) || !Arrays.equals(bits(a.data()), bits(b.data()))) {
                throw new AssertionError("tensor \"" + name + "\" changed in an encode/read round trip");
            }
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
