package dev.lanes.nn;

import dev.lanes.data.Dataset;
import java.util.Random;

/** Gaussian clusters around random centres: a small separable classification problem. */
final class Blobs {
    private Blobs() {
    }

    static Dataset make(int samples, int features, int classes, float noise, long seed) {
        Random random = new Random(seed);
        float[] centres = new float[classes * features];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = random.nextFloat();
        }
        float[] x = new float[samples * features];
        int[] labels = new int[samples];
        for (int s = 0; s < samples; s++) {
            int c = random.nextInt(classes);
            labels[s] = c;
            for (int j = 0; j < features; j++) {
                x[s * features + j] = centres[c * features + j] + noise * (float) random.nextGaussian();
            }
        }
        return new Dataset("blobs", x, labels, features, classes);
    }

    static Network tanhSoftmax(long seed, int... sizes) {
        Activation[] acts = new Activation[sizes.length - 1];
        java.util.Arrays.fill(acts, Activation.TANH);
        acts[acts.length - 1] = Activation.SOFTMAX;
        return Network.glorot(sizes, acts, seed);
    }
}
