/**
 * Multilayer perceptrons on the {@link dev.lanes.kernels.Kernels}: build, train, evaluate, save.
 *
 * <p>Where each part lives:
 * <ul>
 *   <li>{@link dev.lanes.nn.Network}: the layers' widths, activations and parameters, inference
 *       ({@code predict}, {@code classify}); {@code Dense} holds one layer's forward pass, backward
 *       pass and parameter gradient, for one sample and for a batch, and the fused fast paths named
 *       after the layer work they do.
 *   <li>{@link dev.lanes.nn.Activation} and {@link dev.lanes.nn.Loss}: each constant carries its
 *       function, its derivative and a double-precision reference.
 *   <li>{@link dev.lanes.nn.Trainer} orchestrates an epoch: backpropagation ({@code Backprop} per
 *       sample, {@code BatchBackprop} for a mini-batch, on a {@code Crew} of threads), the {@code
 *       DivergenceGuard} (checkpoint, detect, roll back, halve the rate, give up), the optimizer's
 *       {@code Updater} (SGD, momentum and Adam, each with its own state; chosen with {@link
 *       dev.lanes.nn.Optimizer}), and the {@code Evaluator} behind {@link
 *       dev.lanes.nn.Trainer#evaluate}.
 *   <li>{@link dev.lanes.nn.GradientCheck}: backpropagation against central differences;
 *       {@link dev.lanes.nn.Saturation}: hidden units stuck where the gradient vanishes.
 *   <li>{@link dev.lanes.nn.ModelFile}: safetensors files; {@link dev.lanes.nn.KernelPool}: kernels
 *       that split the large products across threads.
 * </ul>
 */
package dev.lanes.nn;
