package dev.lanes.tests.training;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.data.DataReaders;
import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import dev.lanes.nn.Network;
import dev.lanes.nn.Optimizer;
import dev.lanes.nn.Trainer;
import dev.lanes.nn.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Fashion-MNIST, 784-128-10, tanh then softmax, squared error and per-sample descent at the default
 * learning rate, exactly the derivation: one epoch reaches at least 80% on the 10,000 test images.
 * Needs the Debian package dataset-fashion-mnist; skipped, saying so, where it is not installed.
 */
class FashionMnistTrainingTest {
    static final Path DIR = Path.of(System.getProperty("lanes.fashion.dir", "/usr/share/datasets/fashion-mnist"));

    @Test
    void oneEpochOfPerSampleDescentReaches80Percent() throws Exception {
        assumeTrue(Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed in " + DIR + " (apt-get install dataset-fashion-mnist)");
        Dataset train = DataReaders.idxDirectory(DIR, true).scaled(255f);
        Dataset test = DataReaders.idxDirectory(DIR, false).scaled(255f);
        Network net = Network.glorot(new int[] {784, 128, 10}, new Activation[] {Activation.TANH, Activation.SOFTMAX}, 1);
        Trainer trainer = new Trainer(net, Kernels.get(), TrainingOptions.defaults(Loss.SQUARED_ERROR, Optimizer.SGD, 1));
        trainer.trainEpoch(train, null);
        double accuracy = trainer.evaluate(test).accuracy();
        assertTrue(accuracy >= 0.80, "test accuracy after one epoch " + accuracy);
    }
}
