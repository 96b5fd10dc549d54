/**
 * Float32 kernels for dense linear algebra and neural-network layers, with a plain-Java backend and
 * a Vector API backend. Start at {@link dev.lanes.kernels.Kernels}: its Javadoc is the contract
 * (conventions, error bounds, BLAS edge cases, what is reproducible across machines).
 *
 * <h2>How a call flows: {@code xxx}, {@code xxxK}, {@code xxxRange}</h2>
 * <ul>
 *   <li>{@code Kernels.xxx} (public, final) validates every argument, naming the bad one, before
 *       anything is written, handles what BLAS defines at the edges (alpha = 0, empty extents), then
 *       calls the backend's {@code xxxK}.</li>
 *   <li>{@code xxxK} (package-private, one per backend) trusts its arguments and holds or dispatches
 *       to the loop. The vector backend's {@code xxxK} picks scalar or vector code by size.</li>
 *   <li>{@code ScalarKernels.xxxRange(from, to, ...)} is the scalar loop over a sub-range: the scalar
 *       backend itself, the vector loops' tails, and the sizes below a vector cut-over.</li>
 * </ul>
 *
 * <h2>Which class holds which loops</h2>
 * <ul>
 *   <li>{@link dev.lanes.kernels.Kernels}: the public API and the argument checks
 *       ({@code Checks} holds the shared checks).</li>
 *   <li>{@code ScalarKernels}: every operation as plain Java loops; the reference semantics.</li>
 *   <li>{@code VectorKernels}: the vector backend's species and lane count, the lane-sum order, the
 *       level-1 loops (dot, axpy, scale, mul, add, squared error), activations and softmax.</li>
 *   <li>{@code VectorLevel2}: gemv, gemvT, ger and the fused gerGemv (every gemv row summed in the
 *       four-row body's order, in passes of eight or four rows, so a row's bits do not depend on its
 *       block).</li>
 *   <li>{@code VectorGemm}: gemm, packed panels and a register tile whose rows depend on the width.</li>
 *   <li>{@code VectorMath}: tanh, sech2 and the exponential of softmax, written inline in their loops,
 *       with one-element-at-a-time copies that give the same bits.</li>
 *   <li>{@code ParallelKernels}: {@link dev.lanes.kernels.Kernels#withExecutor}, the large matrix
 *       kernels split by output rows or columns, bit-identical to one thread.</li>
 * </ul>
 *
 * <h2>How the backend and the width are chosen</h2>
 * {@link dev.lanes.kernels.Backends} decides once per JVM: {@code -Dlanes.backend} (auto, scalar or
 * vector) and {@code -Dlanes.vectorBits} (128, 256 or 512, for tests and benchmarks; default: the
 * CPU's preferred width, at most 512 bits). {@code Platform} probes, once, everything the choice
 * depends on: the incubator module, the JIT, fused multiply-add and the preferred vector width. A
 * vector backend that cannot run is a {@link dev.lanes.kernels.VectorBackendUnavailableException}
 * when asked for by name, or one log line and the scalar backend under auto.
 *
 * <h2>Rules the vector code keeps</h2>
 * No method of ours takes or returns a vector, mask or shuffle (C2 may leave it out of line, and it
 * then boxes every vector: an allocation per call); loops are written against the species {@code S}
 * and lane count {@code L}, never a number of lanes; lanes are summed in one fixed order, so results
 * do not depend on the JIT; and nothing allocates once compiled.
 */
package dev.lanes.kernels;
