package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The divergence guard on its own: checkpoint, detect a jump, roll back, halve the rate, give up. */
class DivergenceGuardTest {
    private static final TrainingOptions OPTIONS =
            TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1).withLearningRate(1e-3f).withMaxRecoveries(2);

    @Test
    void rollsBackToTheCheckpointHalvesTheRateAndGivesUpAfterMaxRecoveries() {
        Network net = Blobs.tanhSoftmax(1, 3, 4, 2);
        DivergenceGuard guard = new DivergenceGuard(net, OPTIONS);
        float[] good = net.weights(0);
        assertTrue(guard.checkpoint());
        net.weights[0][1] = Float.NaN;
        assertFalse(guard.checkpoint(), "no checkpoint of non-finite parameters");
        assertEquals(1, guard.nonFiniteCount());

        List<String> logged = capture(() -> guard.rollBack(3, 7, "loss", Double.NaN));
        assertArrayEquals(good, net.weights(0), "restored");
        assertEquals(1, guard.recoveries());
        assertEquals(5e-4f, guard.learningRate());
        guard.rollBack(3, 8, "loss", Double.NaN);
        assertEquals(2.5e-4f, guard.learningRate());
        // Small rates in full, not as MessageFormat's "0".
        assertEquals(List.of("irregular point at epoch 3, batch 7: loss = NaN; restored the last good parameters, "
                + "learning rate now 5.0E-4"), logged);

        net.weights[0][0] = 42f;
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> guard.rollBack(4, 9, "gradient norm", Double.POSITIVE_INFINITY));
        assertEquals("training diverged at epoch 4, batch 9: gradient norm = Infinity (irregular point 3; learning "
                + "rate already lowered to 2.5E-4)", e.getMessage());
        assertArrayEquals(good, net.weights(0), "the network holds the checkpoint when it gives up");
    }

    @Test
    void aSmoothedLossThatJumpsIsCaughtAfterAWindowOfBatches() {
        DivergenceGuard guard = new DivergenceGuard(Blobs.tanhSoftmax(1, 3, 4, 2), OPTIONS.withJumpFactor(2f));
        for (int i = 0; i < DivergenceGuard.LOSS_WINDOW; i++) {
            assertFalse(guard.lossJumped(1.0), "batch " + i);
        }
        int batches = 0;
        while (!guard.lossJumped(100.0)) {
            batches++;
            assertTrue(batches < DivergenceGuard.LOSS_WINDOW, "a loss of 100 from 1 is a jump");
        }
        assertTrue(guard.smoothedLoss() > 2.0, "jumped above twice the lowest: " + guard.smoothedLoss());
    }

    private static List<String> capture(Runnable r) {
        List<String> messages = new ArrayList<>();
        Logger logger = Logger.getLogger("dev.lanes.nn");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                messages.add(new java.util.logging.SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(h);
        try {
            r.run();
        } finally {
            logger.removeHandler(h);
        }
        return messages;
    }
}
