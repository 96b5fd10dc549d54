package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Evaluation in blocks of rows (gemm) against one sample at a time (gemv). */
class EvaluatorTest {
    /** 1,000 samples: blocks of 7 and 32 end with a partial block. */
    private static final Dataset DATA = Blobs.make(1000, 72, 5, 0.6f, 9);

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void blocksMeasureWhatSingleSamplesMeasure(String backend) {
        Kernels k = Kernels.named(backend);
        for (Loss loss : Loss.values()) {
            Network net = Blobs.tanhSoftmax(3, 72, 80, 5);
            Trainer.Evaluation single = new Evaluator(net, k, loss, 1).evaluate(DATA);
            Trainer.Evaluation seven = new Evaluator(net, k, loss, 7).evaluate(DATA);
            Trainer.Evaluation many = new Evaluator(net, k, loss, 32).evaluate(DATA);
            // A row's bits do not depend on the rows it is multiplied with.
            assertEquals(seven, many, loss + ": blocks of 7 and of 32");
            assertEquals(single.samples(), many.samples());
            // Other sums than gemv's: the same measure up to float rounding.
            assertEquals(single.meanLoss(), many.meanLoss(), 1e-5 * single.meanLoss(), loss + " mean loss");
            assertEquals(single.accuracy(), many.accuracy(), 2.0 / DATA.size(), loss + " accuracy");
        }
    }
}
