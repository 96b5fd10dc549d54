package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Objects;

/**
 * Measures a network on a dataset: the mean loss and the accuracy (the share of samples whose largest
 * output is the label). Buffers are sized once, so an evaluation allocates only its result.
 */
final class Evaluator {
    private final Network net;
    private final Loss loss;
    private final Network.Workspace ws;
    private final float[] target;
    private final int[] label = new int[1];

    /** @throws IllegalArgumentException if the loss does not fit the network's output activation */
    Evaluator(Network net, Kernels kernels, Loss loss) {
        loss.requireCompatible(net.activation(net.layers() - 1));
        this.net = net;
        this.loss = loss;
        this.ws = net.newWorkspace(kernels);
        this.target = new float[net.outputs()];
    }

    /** @throws IllegalArgumentException if the data does not fit the network */
    Trainer.Evaluation evaluate(Dataset data) {
        requireFits(net, data);
        Kernels k = ws.kernels();
        float[] x = data.featuresArray();
        int features = data.features();
        int classes = net.outputs();
        int top = net.layers() - 1;
        double lossSum = 0;
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            int y = data.label(i);
            float[] p = net.forward(x, i * features, ws);
            Loss.setTarget(target, label, 0, classes, y);
            lossSum += loss.rowLoss(k, classes, p, ws.z[top], target, label, 0);
            if (Network.argmax(p, classes) == y) {
                correct++;
            }
        }
        int n = data.size();
        return new Trainer.Evaluation(n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, n);
    }

    /** @throws IllegalArgumentException naming the data, if its features or classes do not fit the network */
    static void requireFits(Network net, Dataset data) {
        Objects.requireNonNull(data, "data");
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.features()
                    + " features, the network takes " + net.inputs());
        }
        if (data.classes() > net.outputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.classes()
                    + " classes, the network has " + net.outputs() + " outputs");
        }
    }
}
