package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Trains a {@link Network} in place by mini-batch backpropagation. The trainer orchestrates: each
 * batch goes through backpropagation ({@link Backprop} per sample, {@link BatchBackprop} for a batch,
 * both over the network's {@link Dense} layers), its loss and gradient past the {@link
 * DivergenceGuard}, and its step through the optimizer's {@link Updater}; {@link #evaluate} measures
 * the network on other data.
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
 * checkpoint. So a network is never left with non-finite weights. Plain SGD on mini-batches may take
 * its step inside the weight-gradient products without ever holding the gradient (see {@code
 * batchStep}); it does so only where a bound on the gradient's norm shows the check would pass, so
 * the same batches are irregular points either way. On one thread it then also runs the first layer
 * on a copy of its weights turned to {@code in x out} (see {@link BatchBackprop}), written back into
 * the network at every checkpoint, recovery and evaluation and at the end of each epoch.
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
    private static final int CHECKPOINT_SAMPLES = 4096;

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
    /** The batch's summed gradient; null for per-sample descent. */
    private final float[][] gradW;
    private final float[][] gradB;
    /** The optimizer with its state; null for per-sample descent, which needs none. */
    private final Updater updater;
    private final DivergenceGuard guard;
    private final Evaluator evaluator;
    private final Shuffler shuffle;
    private int[] order;
    private final BatchBackprop.RowUpdate rowUpdate;
    /** {@link #rowUpdate} that also measures each weight row's squared gradient (see {@link #updateAndMeasureRows}). */
    private final BatchBackprop.RowUpdate measuredRowUpdate;
    /** The squared norm of each weight row's gradient, per layer, as {@link #measuredRowUpdate} left it. */
    private final double[][] rowSquares;
    /**
     * Whether plain SGD on mini-batches may add the step into the weights inside the weight-gradient
     * products ({@link BatchBackprop#descend}) instead of storing the gradient and adding it after:
     * only on the vector backend, whose gemm adds each finished sum into C with one FMA, and for
     * batches of at most {@link #DESCENT_IN_PRODUCT_MAX_BATCH}, which it sums in one block; so the
     * weights get the same bits either way. Not final, so that a test can compare the two.
     */
    boolean descentInProduct;
    /** Batches that took the {@link #descentInProduct} path, for the tests. */
    long descentsInProduct;
    /**
     * Whether a step without clipping that would measure its gradient's norm (a mini-batch step with
     * any optimizer but plain SGD in the product, or a plain SGD step on one sample) skips that where
     * the quick bound ({@link NormBounds#quick}) already shows that the measured norm would pass the
     * check: the norm is only looked at for that check, so the same steps are irregular points either
     * way, and the weights are the same bits. On mini-batches, measuring took a dot product per
     * weight row after its update: about 5% of a warm Adam epoch on Fashion-MNIST, and in the first
     * epoch its first 50 batches or so at 1.5-3 ms each, until C2 compiled the vector dot product.
     * Not final, so that a test can compare the two.
     */
    boolean boundSkipsMeasuring = true;
    /** Steps that took the {@link #boundSkipsMeasuring} path, for the tests. */
    long unmeasuredSteps;
    /** The longest k that the vector backend's gemm sums in one block (see {@link Kernels#gemm}). */
    static final int DESCENT_IN_PRODUCT_MAX_BATCH = 512;
    private int epoch;

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
        descentInProduct = batched && options.optimizer() == Optimizer.SGD && "vector".equals(k.name())
                && options.batchSize() <= DESCENT_IN_PRODUCT_MAX_BATCH;
        // The turned first layer pays only where the steps are taken in the products, and on one thread:
        // threads cut a layer by its outputs, which are W's rows but W^T's columns, and two threads
        // writing the two halves of every row of W^T fought over the cache line between them (a
        // Fashion-MNIST epoch took 1.2-1.6 s instead of 0.15-0.25 on two threads).
        this.batchBp = batched ? new BatchBackprop(network, k, options.loss(), options.batchSize(), crew,
                descentInProduct && options.clipNorm() <= 0 && options.threads() == 1) : null;
        gradW = directSgd ? null : Updater.like(net.weights);
        gradB = directSgd ? null : Updater.like(net.biases);
        updater = directSgd ? null : options.optimizer().newUpdater(net, k, gradW, gradB);
        rowUpdate = directSgd ? null : updater::updateRows;
        measuredRowUpdate = directSgd ? null : this::updateAndMeasureRows;
        rowSquares = new double[net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            rowSquares[l] = new double[net.width(l + 1)];
        }
        guard = new DivergenceGuard(net, options);
        // On mini-batches, evaluation runs the training's own matrix products (see Evaluator).
        evaluator = new Evaluator(net, k, options.loss(), batched ? options.batchSize() : 1);
        shuffle = new Shuffler(options.seed());
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
        return guard.learningRate();
    }

    /** Irregular points recovered from so far. */
    public int recoveries() {
        return guard.recoveries();
    }

    /** Epochs started so far. */
    public int epochs() {
        return epoch;
    }

    /**
     * Trains one epoch over {@code data}.
     *
     * @param progress if not null, told the number of samples done after each batch (the network's
     *     weights may then lag behind the steps taken, so it must not read them)
     * @return the mean loss over the batches whose update was applied
     * @throws TrainingDivergedException after too many irregular points
     * @throws IllegalArgumentException if the data does not fit the network
     */
    public EpochResult trainEpoch(Dataset data, IntConsumer progress) {
        Evaluator.requireFits(net, data);
        int n = data.size();
        if (order == null || order.length != n) {
            order = new int[n];
        }
        shuffle.shuffle(order, n);
        epoch++;
        if (batchBp != null) {
            // Nothing else writes the weights between epochs today; this keeps it so if that changes.
            batchBp.weightsChanged();
        }
        checkpoint(0);
        int batchSize = options.batchSize();
        int checkpointBatches = Math.max(1, CHECKPOINT_SAMPLES / batchSize);
        double lossSum = 0;
        int counted = 0;
        int batch = 0;
        for (int from = 0; from < n; from += batchSize, batch++) {
            int to = Math.min(n, from + batchSize);
            double loss = step(data, from, to, batch);
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
        return new EpochResult(epoch, counted == 0 ? Double.NaN : lossSum / counted, n, guard.recoveries(),
                guard.learningRate());
    }

    /** One batch; returns its mean loss, or NaN if the batch was an irregular point and dropped. */
    private double step(Dataset data, int from, int to, int batch) {
        int b = to - from;
        if (batchBp != null) {
            return batchStep(data, from, b, batch);
        }
        double lossSum;
        double norm2;
        if (directSgd) {
            int i = order[from];
            lossSum = bp.run(data.featuresArray(), i * data.features(), data.label(i));
            boolean measure = options.clipNorm() > 0 || !boundSkipsMeasuring
                    || !descentIsSafe(bp.quickGradientNormBound(data.featureBound()), guard.learningRate(), 1);
            // Zero stands for a norm that the bound shows to pass the check below.
            norm2 = measure ? bp.gradientNormSquared() : 0;
            unmeasuredSteps += measure ? 0 : 1;
        } else {
            lossSum = perSampleGradientSum(data, from, to);
            norm2 = sumOfSquares(gradW) + sumOfSquares(gradB);
            norm2 /= (double) b * b;
        }
        double loss = lossSum / b;
        double norm = Math.sqrt(norm2);
        float rate = guard.learningRate();
        if (!Double.isFinite(loss)) {
            return irregular(batch, "loss", loss);
        }
        if (!Double.isFinite(norm) || !(rate * norm < Float.MAX_VALUE)) {
            return irregular(batch, "gradient norm", norm);
        }
        if (guard.lossJumped(loss)) {
            return irregular(batch, "smoothed loss", guard.smoothedLoss());
        }
        float clip = options.clipNorm() > 0 && norm > options.clipNorm() ? (float) (options.clipNorm() / norm) : 1f;
        if (fused) {
            bp.applyGradientDeferringFirstWeights(-rate * clip);
        } else if (directSgd) {
            bp.addGradient(-rate * clip, net.weights, net.biases);
        } else {
            updater.begin(rate, clip / b);
            for (int l = 0; l < net.layers(); l++) {
                updater.updateRows(l, 0, net.width(l + 1));
            }
        }
        return loss;
    }

    /**
     * A batch through {@link BatchBackprop}. Without clipping each range of rows is updated as soon as
     * its gradient is summed; a gradient found non-finite afterwards is an irregular point all the
     * same, and the restore of the last good parameters undoes the update.
     *
     * <p>Plain SGD without clipping goes further where it can ({@link #descentInProduct}): the step is
     * added into the weights by the weight-gradient products themselves, which saves writing the
     * gradient (as large as the weights), reading it back for the update and again for its norm,
     * about a tenth of a Fashion-MNIST epoch. The norm is then never measured, so that path is taken
     * only when a bound on it shows that the measured norm would pass the check below with room to
     * spare (a factor 2 for the rounding of both); otherwise the batch takes the measured path, so the
     * same batches are irregular points either way. The quick bound ({@link
     * BatchBackprop#quickGradientNormBound}) reads only the errors; where it finds none small enough,
     * the tighter one that also reads every layer's inputs ({@link BatchBackprop#gradientNormBound}).
     * The other optimizers skip measuring the norm on the same condition ({@link #boundSkipsMeasuring}).
     */
    private double batchStep(Dataset data, int from, int b, int batch) {
        boolean clipping = options.clipNorm() > 0;
        double loss = batchBp.forwardBackward(data, order, from, b, descentInProduct && !clipping) / b;
        if (!Double.isFinite(loss)) {
            return irregular(batch, "loss", loss);
        }
        if (guard.lossJumped(loss)) {
            return irregular(batch, "smoothed loss", guard.smoothedLoss());
        }
        float rate = guard.learningRate();
        updater.begin(rate, 1f / b);
        if (!clipping && descentInProduct && (descentIsSafe(batchBp.quickGradientNormBound(), rate, b)
                || descentIsSafe(batchBp.gradientNormBound(), rate, b))) {
            // Sgd.update's factor, computed the same way, for the same bits.
            batchBp.descend(-rate * (1f / b), gradB);
            descentsInProduct++;
            return loss;
        }
        if (!clipping && !descentInProduct && boundSkipsMeasuring
                && descentIsSafe(batchBp.quickGradientNormBound(), rate, b)) {
            batchBp.gradients(gradW, gradB, rowUpdate);
            unmeasuredSteps++;
            return loss;
        }
        batchBp.gradients(gradW, gradB, clipping ? null : measuredRowUpdate);
        // Summed on this thread in a fixed order (rows, or one dot product per tensor when clipping):
        // the same bits for any thread count.
        double weightSquares = clipping ? sumOfSquares(gradW) : sumOfRowSquares();
        double norm = Math.sqrt(weightSquares + sumOfSquares(gradB)) / b;
        if (!Double.isFinite(norm) || !(rate * norm < Float.MAX_VALUE)) {
            return irregular(batch, "gradient norm", norm);
        }
        if (clipping) {
            float clip = norm > options.clipNorm() ? (float) (options.clipNorm() / norm) : 1f;
            updater.rescale(clip / b);
            batchBp.apply(rowUpdate);
        }
        return loss;
    }

    /** The batch's gradient summed sample by sample into gradW and gradB; returns the summed loss. */
    private double perSampleGradientSum(Dataset data, int from, int to) {
        float[] x = data.featuresArray();
        int features = data.features();
        Updater.zero(gradW);
        Updater.zero(gradB);
        double lossSum = 0;
        for (int s = from; s < to; s++) {
            int i = order[s];
            lossSum += bp.run(x, i * features, data.label(i));
            bp.addGradient(1f, gradW, gradB);
        }
        return lossSum;
    }

    /**
     * Whether a summed gradient of norm at most {@code bound} passes the measured path's check for
     * sure: its squares, which that path sums in float row by row, stay below half the float range,
     * and {@code rate} times its norm below half of {@link Float#MAX_VALUE}.
     */
    private static boolean descentIsSafe(double bound, float rate, int b) {
        return bound * bound < Float.MAX_VALUE / 2 && 2 * rate * (bound / b) < Float.MAX_VALUE;
    }

    /**
     * Rows of layer l's weights at a time that {@link #updateAndMeasureRows} updates before it
     * measures their gradient: four rows of a 784-wide layer, gradient and weights, take 25 KB of L1.
     */
    private static final int MEASURED_ROWS = 4;

    /**
     * The update of rows {@code from..to} of layer l, a few rows at a time, each followed by the
     * squared norms of those rows' weight gradients (into {@link #rowSquares}) while they are still
     * in L1. Measured after the whole update instead, the norm read the first layer's 401 KB
     * gradient once more from L2 on every batch, 4-5% of a Fashion-MNIST step. The update is
     * elementwise, so doing it a few rows at a time gives the same bits.
     */
    private void updateAndMeasureRows(int l, int from, int to) {
        int n = net.width(l);
        float[] g = gradW[l];
        double[] squares = rowSquares[l];
        for (int r0 = from; r0 < to; r0 += MEASURED_ROWS) {
            int r1 = Math.min(to, r0 + MEASURED_ROWS);
            updater.updateRows(l, r0, r1);
            for (int r = r0; r < r1; r++) {
                squares[r] = k.dot(n, g, r * n, g, r * n);
            }
        }
    }

    /** The sum of {@link #rowSquares}, layer by layer, row by row. */
    private double sumOfRowSquares() {
        double s = 0;
        for (double[] layer : rowSquares) {
            for (double v : layer) {
                s += v;
            }
        }
        return s;
    }

    private double sumOfSquares(float[][] arrays) {
        double s = 0;
        for (float[] a : arrays) {
            s += k.dot(a.length, a, 0, a, 0);
        }
        return s;
    }

    /** Brings the network's weights up to date with any step that the backprop paths keep aside. */
    private void flush() {
        bp.flush();
        if (batchBp != null) {
            batchBp.flush();
        }
    }

    /** Saves the parameters as the last good ones, unless some parameter is not finite (an irregular point). */
    private void checkpoint(int batch) {
        flush();
        if (!guard.checkpoint()) {
            irregular(batch, "non-finite parameter count", guard.nonFiniteCount());
        }
    }

    /** Handles an irregular point: roll back, lower the rate, or give up. Returns NaN (batch dropped). */
    private double irregular(int batch, String what, double value) {
        flush();
        if (updater != null) {
            updater.reset();
        }
        if (batchBp != null) {
            batchBp.weightsChanged();
        }
        guard.rollBack(epoch, batch, what, value);
        return Double.NaN;
    }

    /**
     * The mean loss and the accuracy (fraction of samples whose largest output is the label) of the
     * trained network on {@code data}. Allocates only the result. With mini-batches the samples go
     * through in blocks of the batch size, through the same matrix products as the training (so a
     * fresh JVM compiles one set of kernels); a sample's outputs may then differ from {@link
     * Network#predict}'s in the last bits, never by the block it falls in.
     */
    public Evaluation evaluate(Dataset data) {
        flush();
        return evaluator.evaluate(data, batchBp == null ? null : batchBp.currentTurnedFirstLayer());
    }

    /**
     * Trains a throwaway network of these layer widths and activations with these options on made-up
     * data (features uniform in [0, 1], random labels), epoch after epoch with an evaluation after
     * each, until {@code stop} answers true (asked after every batch). Its purpose is the JIT: run on a second thread while the
     * caller does something else, such as reading a large data set, it brings the training path's
     * kernels, at the real shapes, to C2 before the first real epoch. It shares nothing with any other
     * trainer, so the real training's results do not depend on it, bit for bit. The made-up updates
     * use a learning rate of 1e-4, so that no irregular point is met and logged.
     *
     * <p>Before that it runs each hidden layer's activation backward on one made-up row at the layer's
     * width, {@value #BACKWARD_ROUNDS} times (see {@link #primeBackward}).
     *
     * @return the number of samples trained
     * @throws IllegalArgumentException if the widths, activations and loss do not fit together
     */
    public static long warmUp(int[] sizes, Activation[] activations, Kernels kernels, TrainingOptions options,
                              BooleanSupplier stop) {
        Objects.requireNonNull(sizes, "sizes");
        Objects.requireNonNull(activations, "activations");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(stop, "stop");
        Network throwaway = Network.glorot(sizes, activations, 1);
        int features = sizes[0];
        int classes = sizes[sizes.length - 1];
        int n = Math.max(256, 4 * options.batchSize());
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[n * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(classes);
        }
        Dataset data = new Dataset("warm-up", x, labels, features, classes);
        primeBackward(sizes, activations, kernels, random, stop);
        long samples = 0;
        try (Trainer trainer = new Trainer(throwaway, kernels, options.withLearningRate(1e-4f))) {
            IntConsumer stopWhenAsked = done -> {
                if (stop.getAsBoolean()) {
                    throw new WarmUpOver();
                }
            };
            try {
                while (!stop.getAsBoolean()) {
                    trainer.trainEpoch(data, stopWhenAsked);
                    samples += n;
                    // Evaluation has a path of its own (blocks of rows through the same products).
                    trainer.evaluate(data);
                }
            } catch (WarmUpOver over) {
                // asked to stop part way through an epoch
            } catch (TrainingDivergedException e) {
                // cannot happen at this learning rate; the warm-up has nothing to report either way
            }
        }
        return samples;
    }

    /** Calls of each hidden activation's backward in {@link #primeBackward}: about 0.2 s on this machine. */
    static final int BACKWARD_ROUNDS = 3000;

    /**
     * Runs each hidden layer's activation backward {@value #BACKWARD_ROUNDS} times on one made-up row
     * at the layer's width, as mini-batch training does once a sample (for tanh, two vector kernels
     * over 128 floats). The evaluation before the first epoch never calls these kernels, and the
     * warm-up's own training barely starts during a data load (its first batch waits for the matrix
     * products to compile). Left to the first epoch, they ran through the Vector API's Java code,
     * about a microsecond an operation, for its first 150 batches or so until C2 took them:
     * 0.3-0.6 ms a batch against 1 microsecond compiled. With these calls the first Fashion-MNIST
     * epoch at batch 32 took 0.25 s instead of 0.29 (medians of six runs each, alternating).
     */
    private static void primeBackward(int[] sizes, Activation[] activations, Kernels kernels, SplittableRandom random,
                                      BooleanSupplier stop) {
        int widest = 0;
        for (int l = 1; l + 1 < sizes.length; l++) {
            widest = Math.max(widest, sizes[l]);
        }
        if (widest == 0) {
            return;
        }
        float[] a = new float[widest];
        float[] g = new float[widest];
        float[] dz = new float[widest];
        for (int i = 0; i < widest; i++) {
            a[i] = (float) (2 * random.nextDouble() - 1);
            g[i] = (float) random.nextDouble();
        }
        for (int round = 0; round < BACKWARD_ROUNDS && !stop.getAsBoolean(); round++) {
            for (int l = 0; l + 2 < sizes.length; l++) {
                activations[l].backward(kernels, sizes[l + 1], a, g, dz, 0);
            }
        }
    }

    /** Ends {@link #warmUp} between two batches. */
    private static final class WarmUpOver extends RuntimeException {
        WarmUpOver() {
            super(null, null, false, false);
        }
    }

    /**
     * The mean loss and the accuracy of any network on {@code data}, with the given loss.
     *
     * @throws IllegalArgumentException if the data does not fit the network or the loss its output
     */
    public static Evaluation evaluate(Network net, Kernels kernels, Loss loss, Dataset data) {
        return new Evaluator(net, kernels, loss).evaluate(data);
    }
}
