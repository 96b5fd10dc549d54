package dev.lanes.nn;

import dev.lanes.data.Dataset;
import dev.lanes.kernels.Kernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Hidden units stuck where their activation's derivative vanishes: tanh at ±1, sigmoid at 0 or 1, a
 * ReLU at 0. Backpropagation sends almost nothing through such a unit, so a network whose hidden
 * units all sit there stops learning while its loss stays finite and flat, which the trainer's checks
 * for irregular points (non-finite values, jumps) do not see. A learning rate far too large puts them
 * there in a few steps.
 */
public final class Saturation {
    /** A derivative below this is taken as vanished (tanh: |a| above 0.99). */
    public static final float DERIVATIVE_FLOOR = 0.02f;
    /** A unit counts as saturated when its derivative has vanished on at least this share of the samples. */
    public static final double SAMPLE_SHARE = 0.99;

    private Saturation() {
    }

    /**
     * The share of the network's hidden units (all layers but the output) whose derivative is below
     * {@link #DERIVATIVE_FLOOR} on at least {@link #SAMPLE_SHARE} of the samples of {@code data}; 0
     * for a network without hidden layers or for empty data.
     *
     * @throws IllegalArgumentException if the data does not fit the network
     */
    public static double hiddenUnitShare(Network net, Kernels kernels, Dataset data) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(data, "data");
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.features() + " features, the network takes "
                    + net.inputs());
        }
        int hiddenLayers = net.layers() - 1;
        if (hiddenLayers == 0 || data.size() == 0) {
            return 0;
        }
        Network.Workspace ws = net.newWorkspace(kernels);
        int[][] vanished = new int[hiddenLayers][];
        int widest = 0;
        for (int l = 0; l < hiddenLayers; l++) {
            vanished[l] = new int[net.width(l + 1)];
            widest = Math.max(widest, net.width(l + 1));
        }
        float[] ones = new float[widest];
        Arrays.fill(ones, 1f);
        float[] derivative = new float[widest];
        float[] x = data.featuresArray();
        for (int i = 0; i < data.size(); i++) {
            net.forward(x, i * data.features(), ws);
            for (int l = 0; l < hiddenLayers; l++) {
                int m = net.width(l + 1);
                // The chain rule with dL/da = 1 gives the derivative itself.
                net.activation(l).backward(kernels, m, ws.a[l], ones, derivative, 0);
                for (int u = 0; u < m; u++) {
                    if (Math.abs(derivative[u]) < DERIVATIVE_FLOOR) {
                        vanished[l][u]++;
                    }
                }
            }
        }
        int units = 0;
        int saturated = 0;
        for (int[] layer : vanished) {
            for (int count : layer) {
                units++;
                saturated += count >= SAMPLE_SHARE * data.size() ? 1 : 0;
            }
        }
        return (double) saturated / units;
    }
}
