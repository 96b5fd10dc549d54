package dev.lanes.cli;

import dev.lanes.nn.Activation;
import dev.lanes.nn.Loss;
import java.util.Arrays;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --activation} and {@code --output-activation}, shared by train and gradcheck. */
final class ActivationOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--activation", defaultValue = "tanh", paramLabel = "NAME", converter = Flags.ActivationName.class,
            description = "Hidden activation: tanh, sigmoid, relu, identity (default: ${DEFAULT-VALUE}).")
    Activation hidden;

    @Option(names = "--output-activation", defaultValue = "softmax", paramLabel = "NAME",
            converter = Flags.ActivationName.class, description = "Output activation (default: ${DEFAULT-VALUE}).")
    Activation output;

    /**
     * One activation per layer of a network of these widths: the hidden one, then the output one.
     * Softmax in a hidden layer, or cross-entropy without a softmax output, is a bad flag value.
     */
    Activation[] forLayers(int[] sizes, Loss loss) {
        Activation[] acts = new Activation[sizes.length - 1];
        Arrays.fill(acts, hidden);
        acts[acts.length - 1] = output;
        if (acts.length > 1 && hidden == Activation.SOFTMAX) {
            throw Flags.bad(spec, "--activation softmax: softmax is only supported on the output layer "
                    + "(--output-activation)");
        }
        if (loss == Loss.CROSS_ENTROPY && output != Activation.SOFTMAX) {
            throw Flags.bad(spec, "--loss xent needs --output-activation softmax, got " + output.id());
        }
        return acts;
    }
}
