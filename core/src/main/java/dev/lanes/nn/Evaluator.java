package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Objects;

/**
 * Measures a network on a dataset: the mean loss and the accuracy (the share of samples whose largest
 * output is the label). Buffers are sized once, so an evaluation allocates only its result.
 *
 * <p>Samples go through one at a time (matrix-vector products, the bits of {@link Network#predict}),
 * or in blocks of rows through matrix products. A trainer on mini-batches evaluates in blocks of its
 * batch size: the products are then the ones its training runs, so a fresh JVM compiles one set of
 * kernels instead of two, and the evaluation before the first epoch already brings them to the JIT.
 * A block's sums associate differently from gemv's, so a sample's outputs can differ in the last
 * bits (within the kernels' bounds) between the two forms; they never depend on the block a sample
 * falls in.
 */
final class Evaluator {
    private final Network net;
    private final Loss loss;
    private final Network.Workspace ws;
    private final float[] target;
    private final int[] label = new int[1];
    /** Rows per block, or 1 for one sample at a time. */
    private final int blockRows;
    /** Per layer, the block's Z and A (row-major, blockRows rows); null for one sample at a time. */
    private final float[][] blockZ;
    private final float[][] blockA;
    /** The block's one-hot targets and labels, row by row; null for one sample at a time. */
    private final float[] blockTarget;
    private final int[] blockLabel;

    /** @throws IllegalArgumentException if the loss does not fit the network's output activation */
    Evaluator(Network net, Kernels kernels, Loss loss) {
        this(net, kernels, loss, 1);
    }

    /**
     * @param blockRows samples per matrix product, or 1 for one sample at a time
     * @throws IllegalArgumentException if the loss does not fit the network's output activation
     */
    Evaluator(Network net, Kernels kernels, Loss loss, int blockRows) {
        loss.requireCompatible(net.activation(net.layers() - 1));
        this.net = net;
        this.loss = loss;
        this.ws = net.newWorkspace(kernels);
        this.target = new float[net.outputs()];
        this.blockRows = blockRows;
        if (blockRows > 1) {
            blockZ = new float[net.layers()][];
            blockA = new float[net.layers()][];
            for (int l = 0; l < net.layers(); l++) {
                blockZ[l] = new float[blockRows * net.width(l + 1)];
                blockA[l] = new float[blockRows * net.width(l + 1)];
            }
            blockTarget = new float[blockRows * net.outputs()];
            blockLabel = new int[blockRows];
        } else {
            blockZ = null;
            blockA = null;
            blockTarget = null;
            blockLabel = null;
        }
    }

    /** @throws IllegalArgumentException if the data does not fit the network */
    Trainer.Evaluation evaluate(Dataset data) {
        return evaluate(data, null);
    }

    /**
     * With {@code turnedFirst} not null (the first layer's weights turned, {@code in x out}, as they
     * are now), blocks of rows run the first layer's product from it, as the training does (see
     * {@link BatchBackprop}); the results are the same.
     *
     * @throws IllegalArgumentException if the data does not fit the network
     */
    Trainer.Evaluation evaluate(Dataset data, float[] turnedFirst) {
        requireFits(net, data);
        if (blockRows > 1) {
            return evaluateBlocks(data, turnedFirst);
        }
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

    private Trainer.Evaluation evaluateBlocks(Dataset data, float[] turnedFirst) {
        Kernels k = ws.kernels();
        float[] x = data.featuresArray();
        int features = data.features();
        int classes = net.outputs();
        int top = net.layers() - 1;
        int n = data.size();
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < n; from += blockRows) {
            int rows = Math.min(blockRows, n - from);
            net.layer(0).forwardBlock(k, rows, x, from * features, turnedFirst, blockZ[0], 0, blockA[0]);
            for (int l = 1; l <= top; l++) {
                net.layer(l).forwardBlock(k, rows, blockA[l - 1], 0, null, blockZ[l], 0, blockA[l]);
            }
            float[] p = blockA[top];
            for (int r = 0; r < rows; r++) {
                int y = data.label(from + r);
                Loss.setTarget(blockTarget, blockLabel, r, classes, y);
                lossSum += loss.rowLoss(k, classes, p, blockZ[top], blockTarget, blockLabel, r);
                if (Predictor.argmax(p, r * classes, classes) == y) {
                    correct++;
                }
            }
        }
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
