package dev.lanes.cli;

import dev.lanes.data.Dataset;
import dev.lanes.nn.Trainer;
import java.util.Locale;

/**
 * Whether a training run got anywhere, judged on the held-out data at its end against the untrained
 * network: a run whose accuracy is no better than always answering the most common class, or whose
 * loss did not fall below the untrained network's, made no progress. Train reports such a run and
 * does not save it (exit code 3).
 */
final class ProgressCheck {
    /** The share of hidden units at saturation above which a too-large learning rate is named as the cause. */
    static final double SATURATED = 0.5;
    /** Held-out samples needed to judge an accuracy against chance level. */
    static final int MIN_SAMPLES = 30;

    private ProgressCheck() {
    }

    /** The accuracy of always answering the most common class of {@code data}. */
    static double chanceAccuracy(Dataset data) {
        int[] counts = new int[data.classes()];
        int most = 0;
        for (int i = 0; i < data.size(); i++) {
            most = Math.max(most, ++counts[data.label(i)]);
        }
        return data.size() == 0 ? 0 : (double) most / data.size();
    }

    /**
     * What is wrong with a run that went from {@code before} (the untrained network) to {@code after}
     * on {@code heldOut}, or null if it made progress. Accuracy within two standard errors of chance
     * level counts as chance level; with fewer than {@link #MIN_SAMPLES} held-out samples only the loss
     * is judged.
     */
    static String problem(Trainer.Evaluation before, Trainer.Evaluation after, Dataset heldOut) {
        double chance = chanceAccuracy(heldOut);
        double margin = 2 * Math.sqrt(chance * (1 - chance) / Math.max(1, heldOut.size()));
        // Too few held-out samples to tell an accuracy from chance: only the loss is judged.
        boolean atChance = heldOut.size() >= MIN_SAMPLES && !(after.accuracy() > chance + margin);
        boolean lossFell = after.meanLoss() < before.meanLoss();
        if (!atChance && lossFell) {
            return null;
        }
        String accuracy = String.format(Locale.ROOT, "held-out accuracy %.2f%%", 100 * after.accuracy());
        String loss = String.format(Locale.ROOT, "the held-out loss %s from %.4g (untrained) to %.4g",
                lossFell ? "only fell" : "went", before.meanLoss(), after.meanLoss());
        if (atChance) {
            return String.format(Locale.ROOT, "no progress: %s is chance level (always answering the most common "
                    + "class scores %.2f%%), and %s", accuracy, 100 * chance, loss);
        }
        return "no progress: " + loss + ", with " + accuracy;
    }

    /**
     * The advice for a run that made no progress: with most hidden units saturated, the rate is far
     * too large; else the rate or the length of the run may be wrong.
     */
    static String advice(double saturatedShare, String hiddenActivation, float rate, float defaultRate) {
        float smaller = Math.min(defaultRate, rate / 10);
        if (saturatedShare >= SATURATED) {
            return String.format(Locale.ROOT, "%.0f%% of the hidden units are saturated (%s at the flat ends of "
                    + "its curve on almost every sample, where its gradient vanishes): the learning rate %s is far "
                    + "too large; try a smaller one, such as --lr %s", 100 * saturatedShare, hiddenActivation, rate,
                    smaller);
        }
        if (rate > 10 * defaultRate) {
            return String.format(Locale.ROOT, "the learning rate %s is far larger than the default for this loss, "
                    + "optimizer and batch (%s); try a smaller one, such as --lr %s", rate, defaultRate, smaller);
        }
        return String.format(Locale.ROOT, "try another learning rate (this run used %s; the default for this loss, "
                + "optimizer and batch is %s), more epochs, or another architecture", rate, defaultRate);
    }
}
