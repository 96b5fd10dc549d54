package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Trains a {@link Network} in place by mini-batch backpropagation.
 *
 * <p>Each epoch visits the samples in a fresh random order drawn from the seed; with the same
 * network, options, data and backend, two runs give bit-identical weights. A batch's loss and
 * gradient are means over its samples. Buffers are sized in the constructor (the sample order on the
 * first epoch of a dataset size), so steady-state training allocates nothing per sample or batch.
 *
 * <p>Per-sample gradient descent (batch size 1, {@link Optimizer#SGD}) defers each sample's update of
 * the first layer's weights and applies it in the same pass over them as the next sample's forward
 * product; the weights are brought up to date before anything reads them (checkpoints, recovery,
 * {@link #evaluate}, the end of {@link #trainEpoch}), and the result is bit-identical to applying
 * each update at once. Batches of more than one sample run through matrix-matrix products ({@link
 * BatchBackprop}): the same gradient as the per-sample loop, up to float rounding.
 *
 * <h2>Irregular points</h2>
 * Before a batch's update is applied, its loss and the norm of its gradient are checked: a NaN or
 * infinite value, a step {@code k |g|} that overflows, or a smoothed loss above {@code jumpFactor}
 * times its lowest value is an irregular point. The update is then dropped, the parameters are
 * restored from the last checkpoint (taken every 4,096 samples and at every epoch start, and only
 * when every parameter is finite), the optimizer's state is reset and the learning rate halved.
 * After {@code maxRecoveries} such recoveries the next one throws a {@link
 * TrainingDivergedException} naming the epoch, the batch and the value; the network then holds the
 * checkpoint. So a network is never left with non-finite weights.
 *
 * <p>A rate so large that the hidden units saturate (tanh at ±1, where the gradient vanishes) is not
 * caught here: the loss stays finite and flat, and training goes on without learning. {@link
 * Saturation} measures it; the command line reports such a run and does not save it.
 *
 * <h2>Threads</h2>
 * With {@link TrainingOptions#threads()} above 1 the trainer starts daemon threads; {@link #close()}
 * stops them. Mini-batches are data-parallel: each thread runs a share of the batch's samples forward
 * and back, then a share of each layer's rows through the weight gradient and the update (see {@link
 * BatchBackprop}); between these steps the threads poll briefly and then park, and the calling
 * thread runs any share that no other thread has taken up. Per-sample descent (batch 1) instead
 * splits the large products (layers with about 2^19 weights or more) across a {@link KernelPool},
 * whose calls allocate a few small objects. Either way the weights are bit-identical for any thread
 * count.
 *
 * <p>Not thread-safe; the network must not be used for inference elsewhere while it trains.
 */
public final class Trainer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.lanes.nn");
    private static final int CHECKPOINT_SAMPLES = 4096;
    private static final int LOSS_WINDOW = 100;
    /** The lowest smoothed loss a jump is measured from, as a fraction of the first one. */
    private static final double JUMP_FLOOR = 0.01;

    private final Network net;
    private final KernelPool threads;
    /** The batch path's threads (one, the caller, unless {@link TrainingOptions#threads()} says more). */
    private final Crew crew;
    private final Kernels k;
    private final TrainingOptions options;
    private final Backprop bp;
    /** The gemm path for batches of more than one sample; null on the per-sample paths. */
    private final BatchBackprop batchBp;
    /** Per-sample descent: each sample's gradient goes straight into the weights. */
    private final boolean directSgd;
    /** ... with W_1's update deferred and fused with the next sample's forward product. */
    private final boolean fused;
    private final float[][] gradW;
    private final float[][] gradB;
    /** Momentum's velocity or Adam's first moment. */
    private final float[][] m1W;
    private final float[][] m1B;
    /** Adam's second moment. */
    private final float[][] m2W;
    private final float[][] m2B;
    private final float[][] goodW;
    private final float[][] goodB;
    private final Random shuffle;
    private final float[] evalTarget;
    private final int[] evalLabel = new int[1];
    private final Network.Workspace evalWs;
    private int[] order;
    private float learningRate;
    private long adamStep;
    /** The factor from the summed gradient to the one the next update applies (1 / batch, times clipping). */
    private float updateScale;
    /** Adam's bias-corrected step size for the current step. */
    private float adamStepSize;
    private final BatchBackprop.RowUpdate rowUpdate = this::updateRows;
    private int epoch;
    private int recoveries;
    private double ema;
    private double emaMin;
    private double emaFirst;
    private int emaCount;

    /**
     * @throws IllegalArgumentException if the loss does not fit the network's output activation
     */
    public Trainer(Network network, Kernels kernels, TrainingOptions options) {
        this(network, kernels, options, false);
    }

    /**
     * With {@code reference}, every batch runs the plain per-sample loop of the derivation (no fused
     * first-layer update, no batched products): the baseline the tests compare the fast paths with.
     */
    Trainer(Network network, Kernels kernels, TrainingOptions options, boolean reference) {
        this.net = Objects.requireNonNull(network, "network");
        Objects.requireNonNull(kernels, "kernels");
        this.options = Objects.requireNonNull(options, "options");
        options.loss().requireCompatible(network.activation(network.layers() - 1));
        boolean batched = options.batchSize() > 1 && !reference;
        this.threads = KernelPool.of(kernels, batched ? 1 : options.threads());
        this.k = threads.kernels();
        this.bp = new Backprop(network, k, options.loss());
        this.directSgd = options.optimizer() == Optimizer.SGD && options.batchSize() == 1;
        this.fused = directSgd && !reference;
        this.crew = new Crew(batched ? options.threads() : 1);
        this.batchBp = batched ? new BatchBackprop(network, k, options.loss(), options.batchSize(), crew) : null;
        boolean accumulate = !directSgd;
        gradW = accumulate ? like(net.weights) : null;
        gradB = accumulate ? like(net.biases) : null;
        boolean firstMoment = options.optimizer() != Optimizer.SGD;
        m1W = firstMoment ? like(net.weights) : null;
        m1B = firstMoment ? like(net.biases) : null;
        boolean adam = options.optimizer() == Optimizer.ADAM;
        m2W = adam ? like(net.weights) : null;
        m2B = adam ? like(net.biases) : null;
        goodW = like(net.weights);
        goodB = like(net.biases);
        shuffle = new Random(options.seed());
        evalTarget = new float[net.outputs()];
        evalWs = net.newWorkspace(k);
        learningRate = options.learningRate();
        resetLossWatch();
    }

    private static float[][] like(float[][] shapes) {
        float[][] r = new float[shapes.length][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new float[shapes[i].length];
        }
        return r;
    }

    /** What one epoch did. */
    public record EpochResult(int epoch, double meanLoss, int samples, int recoveries, float learningRate) {
    }

    /** Mean loss and accuracy of the network on a dataset. */
    public record Evaluation(double meanLoss, double accuracy, int samples) {
    }

    /** The backend the trainer runs on, with its {@link TrainingOptions#threads() threads}. */
    public Kernels kernels() {
        return k;
    }

    /** Stops the kernel threads of {@link TrainingOptions#threads()} above 1; training still works after, on one thread. */
    @Override
    public void close() {
        threads.close();
        crew.close();
    }

    /** The network being trained. */
    public Network network() {
        return net;
    }

    /** The current learning rate (halved at each recovery). */
    public float learningRate() {
        return learningRate;
    }

    /** Irregular points recovered from so far. */
    public int recoveries() {
        return recoveries;
    }

    /** Epochs started so far. */
    public int epochs() {
        return epoch;
    }

    /**
     * Trains one epoch over {@code data}.
     *
     * @param progress if not null, told the number of samples done after each batch
     * @return the mean loss over the batches whose update was applied
     * @throws TrainingDivergedException after too many irregular points
     * @throws IllegalArgumentException if the data does not fit the network
     */
    public EpochResult trainEpoch(Dataset data, IntConsumer progress) {
        requireFits(data);
        int n = data.size();
        if (order == null || order.length != n) {
            order = new int[n];
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        epoch++;
        checkpoint(0);
        int batchSize = options.batchSize();
        int checkpointBatches = Math.max(1, CHECKPOINT_SAMPLES / batchSize);
        float[] x = data.featuresArray();
        double lossSum = 0;
        int counted = 0;
        int batch = 0;
        for (int from = 0; from < n; from += batchSize, batch++) {
            int to = Math.min(n, from + batchSize);
            double loss = step(data, x, from, to, batch);
            if (!Double.isNaN(loss)) {
                lossSum += loss * (to - from);
                counted += to - from;
            }
            if ((batch + 1) % checkpointBatches == 0) {
                checkpoint(batch);
            }
            if (progress != null) {
                progress.accept(to);
            }
        }
        checkpoint(batch);
        return new EpochResult(epoch, counted == 0 ? Double.NaN : lossSum / counted, n, recoveries, learningRate);
    }

    private void requireFits(Dataset data) {
        requireFits(net, data);
    }

    private static void requireFits(Network net, Dataset data) {
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

    /** One batch; returns its mean loss, or NaN if the batch was an irregular point and dropped. */
    private double step(Dataset data, float[] x, int from, int to, int batch) {
        int features = data.features();
        int b = to - from;
        if (batchBp != null) {
            return batchStep(data, from, b, batch);
        }
        double lossSum = 0;
        double norm2;
        if (directSgd) {
            int i = order[from];
            lossSum = bp.run(x, i * features, data.label(i));
            norm2 = bp.gradientNormSquared();
        } else {
            lossSum = perSampleGradientSum(data, from, to);
            norm2 = sumOfSquares(gradW) + sumOfSquares(gradB);
            norm2 /= (double) b * b;
        }
        double loss = lossSum / b;
        double norm = Math.sqrt(norm2);
        if (!Double.isFinite(loss)) {
            return irregular(batch, "loss", loss);
        }
        if (!Double.isFinite(norm) || !(learningRate * norm < Float.MAX_VALUE)) {
            return irregular(batch, "gradient norm", norm);
        }
        if (watchLoss(loss)) {
            return irregular(batch, "smoothed loss", ema);
        }
        float clip = options.clipNorm() > 0 && norm > options.clipNorm() ? (float) (options.clipNorm() / norm) : 1f;
        if (fused) {
            bp.applyGradientDeferringFirstWeights(-learningRate * clip);
        } else if (directSgd) {
            bp.addGradient(-learningRate * clip, net.weights, net.biases);
        } else {
            beginUpdate(clip / b);
            for (int l = 0; l < net.layers(); l++) {
                updateRows(l, 0, net.width(l + 1));
            }
        }
        return loss;
    }

    /**
     * A batch through {@link BatchBackprop}. Without clipping each range of rows is updated as soon as
     * its gradient is summed; a gradient found non-finite afterwards is an irregular point all the
     * same, and the restore of the last good parameters undoes the update.
     */
    private double batchStep(Dataset data, int from, int b, int batch) {
        double loss = batchBp.forwardBackward(data, order, from, b) / b;
        if (!Double.isFinite(loss)) {
            return irregular(batch, "loss", loss);
        }
        if (watchLoss(loss)) {
            return irregular(batch, "smoothed loss", ema);
        }
        boolean clipping = options.clipNorm() > 0;
        beginUpdate(1f / b);
        batchBp.gradients(gradW, gradB, clipping ? null : rowUpdate);
        // On this thread, one dot product per tensor: the same bits for any thread count.
        double norm = Math.sqrt(sumOfSquares(gradW) + sumOfSquares(gradB)) / b;
        if (!Double.isFinite(norm) || !(learningRate * norm < Float.MAX_VALUE)) {
            return irregular(batch, "gradient norm", norm);
        }
        if (clipping) {
            float clip = norm > options.clipNorm() ? (float) (options.clipNorm() / norm) : 1f;
            updateScale = clip / b;
            batchBp.apply(rowUpdate);
        }
        return loss;
    }

    /** The batch's gradient summed sample by sample into gradW and gradB; returns the summed loss. */
    private double perSampleGradientSum(Dataset data, int from, int to) {
        float[] x = data.featuresArray();
        int features = data.features();
        zero(gradW);
        zero(gradB);
        double lossSum = 0;
        for (int s = from; s < to; s++) {
            int i = order[s];
            lossSum += bp.run(x, i * features, data.label(i));
            bp.addGradient(1f, gradW, gradB);
        }
        return lossSum;
    }

    /**
     * Starts an optimizer step whose gradient is the accumulated sum times {@code gradScale}: Adam's
     * step count and bias correction.
     */
    private void beginUpdate(float gradScale) {
        updateScale = gradScale;
        if (options.optimizer() == Optimizer.ADAM) {
            adamStep++;
            double c1 = 1 - Math.pow(Optimizer.ADAM_BETA1, adamStep);
            double c2 = 1 - Math.pow(Optimizer.ADAM_BETA2, adamStep);
            adamStepSize = (float) (learningRate * Math.sqrt(c2) / c1);
        }
    }

    /**
     * The optimizer on rows {@code [from, to)} of layer l's weights and the same bias entries. Every
     * parameter's update depends on its own values only, so any cut into ranges gives the same bits.
     */
    private void updateRows(int l, int from, int to) {
        int n = net.width(l);
        updateRange(gradW[l], m1W == null ? null : m1W[l], m2W == null ? null : m2W[l], net.weights[l],
                from * n, (to - from) * n);
        updateRange(gradB[l], m1B == null ? null : m1B[l], m2B == null ? null : m2B[l], net.biases[l],
                from, to - from);
    }

    private void updateRange(float[] g, float[] m1, float[] m2, float[] p, int off, int len) {
        switch (options.optimizer()) {
            case SGD -> k.axpy(len, -learningRate * updateScale, g, off, p, off);
            case MOMENTUM -> {
                k.scale(len, Optimizer.MOMENTUM_MU, m1, off);
                k.axpy(len, updateScale, g, off, m1, off);
                k.axpy(len, -learningRate, m1, off, p, off);
            }
            case ADAM -> adam(g, m1, m2, p, off, len, updateScale, adamStepSize);
        }
    }

    /** Adam's update; a plain loop because the kernels have no square root. */
    private static void adam(float[] g, float[] m, float[] v, float[] p, int off, int len, float gradScale,
                             float stepSize) {
        float b1 = Optimizer.ADAM_BETA1;
        float b2 = Optimizer.ADAM_BETA2;
        for (int i = off; i < off + len; i++) {
            float gi = g[i] * gradScale;
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + Optimizer.ADAM_EPS);
        }
    }

    private double sumOfSquares(float[][] arrays) {
        double s = 0;
        for (float[] a : arrays) {
            s += k.dot(a.length, a, 0, a, 0);
        }
        return s;
    }

    private static void zero(float[][] arrays) {
        for (float[] a : arrays) {
            Arrays.fill(a, 0f);
        }
    }

    /** Updates the smoothed loss; true if it jumped. */
    private boolean watchLoss(double loss) {
        ema = emaCount == 0 ? loss : ema + (loss - ema) / LOSS_WINDOW;
        emaCount++;
        if (emaCount < LOSS_WINDOW) {
            return false;
        }
        if (emaCount == LOSS_WINDOW) {
            emaFirst = ema;
        }
        double reference = Math.max(emaMin, JUMP_FLOOR * emaFirst);
        if (ema > options.jumpFactor() * reference) {
            return true;
        }
        emaMin = Math.min(emaMin, ema);
        return false;
    }

    private void resetLossWatch() {
        emaCount = 0;
        ema = 0;
        emaMin = Double.POSITIVE_INFINITY;
        emaFirst = 0;
    }

    /** Saves the parameters as the last good ones, unless some parameter is not finite. */
    private void checkpoint(int batch) {
        bp.flush();
        if (!net.isFinite()) {
            irregular(batch, "non-finite parameter count", countNonFinite());
            return;
        }
        for (int l = 0; l < goodW.length; l++) {
            System.arraycopy(net.weights[l], 0, goodW[l], 0, goodW[l].length);
            System.arraycopy(net.biases[l], 0, goodB[l], 0, goodB[l].length);
        }
    }

    private int countNonFinite() {
        int c = 0;
        for (int l = 0; l < net.weights.length; l++) {
            for (float w : net.weights[l]) {
                c += Float.isFinite(w) ? 0 : 1;
            }
            for (float b : net.biases[l]) {
                c += Float.isFinite(b) ? 0 : 1;
            }
        }
        return c;
    }

    /** Handles an irregular point: restore, lower the rate, or give up. Returns NaN (batch dropped). */
    private double irregular(int batch, String what, double value) {
        bp.flush();
        net.copyParametersFrom(goodW, goodB);
        if (m1W != null) {
            zero(m1W);
            zero(m1B);
        }
        if (m2W != null) {
            zero(m2W);
            zero(m2B);
        }
        adamStep = 0;
        resetLossWatch();
        if (recoveries >= options.maxRecoveries()) {
            throw new TrainingDivergedException(epoch, batch, what, value, recoveries + 1, learningRate);
        }
        recoveries++;
        learningRate *= 0.5f;
        LOG.log(System.Logger.Level.WARNING, "irregular point at epoch {0}, batch {1}: {2} = {3}; restored the "
                + "last good parameters, learning rate now {4}", epoch, batch, what, value, learningRate);
        return Double.NaN;
    }

    /**
     * The mean loss and the accuracy (fraction of samples whose largest output is the label) of the
     * trained network on {@code data}. Allocates only the result.
     */
    public Evaluation evaluate(Dataset data) {
        bp.flush();
        return evaluate(net, options.loss(), data, evalWs, evalTarget, evalLabel);
    }

    /**
     * The mean loss and the accuracy of any network on {@code data}, with the given loss.
     *
     * @throws IllegalArgumentException if the data does not fit the network or the loss its output
     */
    public static Evaluation evaluate(Network net, Kernels kernels, Loss loss, Dataset data) {
        loss.requireCompatible(net.activation(net.layers() - 1));
        return evaluate(net, loss, data, net.newWorkspace(kernels), new float[net.outputs()], new int[1]);
    }

    private static Evaluation evaluate(Network net, Loss loss, Dataset data, Network.Workspace evalWs,
                                       float[] evalTarget, int[] evalLabel) {
        requireFits(net, data);
        Kernels k = evalWs.kernels();
        float[] x = data.featuresArray();
        int features = data.features();
        int classes = net.outputs();
        int top = net.layers() - 1;
        double lossSum = 0;
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            int label = data.label(i);
            float[] p = net.forward(x, i * features, evalWs);
            Loss.setTarget(evalTarget, evalLabel, 0, classes, label);
            lossSum += loss.rowLoss(k, classes, p, evalWs.z[top], evalTarget, evalLabel, 0);
            if (Network.argmax(p, classes) == label) {
                correct++;
            }
        }
        int n = data.size();
        return new Evaluation(n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, n);
    }
}
