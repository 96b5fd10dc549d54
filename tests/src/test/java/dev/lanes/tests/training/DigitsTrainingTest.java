package dev.lanes.tests.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.DataReaders;
import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Network;
import dev.lanes.nn.Optimizer;
import dev.lanes.nn.Trainer;
import dev.lanes.nn.TrainingOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's default job: the embedded digits set, 64-32-10, tanh then softmax, squared error and
 * per-sample descent at the default learning rate, at least 95% on the held-out 20%, on each backend.
 */
class DigitsTrainingTest {
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void digitsReach95PercentOnHeldOutData(String backend) throws Exception {
        Dataset[] split = DataReaders.digits().scaled(16f).split(0.2, 1);
        Network net = Network.glorot(new int[] {64, 32, 10}, new Activation[] {Activation.TANH, Activation.SOFTMAX}, 1);
        Trainer trainer = new Trainer(net, Kernels.named(backend),
                TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1));
        for (int epoch = 0; epoch < 10; epoch++) {
            trainer.trainEpoch(split[0], null);
        }
        double accuracy = trainer.evaluate(split[1]).accuracy();
        assertTrue(accuracy >= 0.95, backend + ": held-out accuracy " + accuracy);
        assertTrue(net.isFinite());
    }
}
