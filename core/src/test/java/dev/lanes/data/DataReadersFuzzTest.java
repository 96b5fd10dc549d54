package dev.lanes.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzz targets for the data readers: whatever the bytes, a reader either returns a dataset or throws
 * an IOException (normally {@link dev.lanes.io.CorruptFileException}); any other exception, an
 * out-of-memory error or a hang is a bug. Plain {@code mvn verify} replays the committed inputs in
 * {@code src/test/resources/dev/lanes/data/DataReadersFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes one target, e.g. {@code -Dtest=DataReadersFuzzTest#idx}.
 */
class DataReadersFuzzTest {

    /** The input is a 2-byte big-endian length, that many bytes of image file, then the label file. */
    @FuzzTest(maxDuration = "3m")
    void idx(FuzzedDataProvider data) {
        byte[] all = data.consumeRemainingAsBytes();
        int split = all.length < 2 ? 0 : Math.min(all.length - 2, (all[0] & 0xff) << 8 | (all[1] & 0xff));
        int from = Math.min(all.length, 2);
        byte[] images = Arrays.copyOfRange(all, from, from + split);
        byte[] labels = Arrays.copyOfRange(all, from + split, all.length);
        try {
            Dataset d = IdxReader.read(Path.of("images"), images, Path.of("labels"), labels);
            checkConsistent(d);
        } catch (IOException expected) {
            // Rejecting bad input with a checked exception is the contract.
        }
    }

    @FuzzTest(maxDuration = "3m")
    void csv(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            Dataset d = CsvReader.read(Path.of("fuzz.csv"), Inputs.readAll(Path.of("fuzz.csv"), bytes), -1);
            checkConsistent(d);
        } catch (IOException expected) {
            // Rejecting bad input with a checked exception is the contract.
        }
    }

    private static void checkConsistent(Dataset d) {
        if (d.size() < 1 || d.features() < 1) {
            throw new AssertionError("a dataset was returned without samples or features: " + d);
        }
        for (float v : d.featuresArray()) {
            if (!Float.isFinite(v)) {
                throw new AssertionError("non-finite feature " + v + " in " + d);
            }
        }
    }
}
