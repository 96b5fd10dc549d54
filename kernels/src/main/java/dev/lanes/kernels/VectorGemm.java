package dev.lanes.kernels;

import static dev.lanes.kernels.VectorKernels.L;
import static dev.lanes.kernels.VectorWidth.S;

import jdk.incubator.vector.FloatVector;

/**
 * The matrix product behind {@link VectorKernels#gemmK}, blocked in the manner of BLIS.
 *
 * <p>The work is phrased as a product T = U V of a "U" operand (its values are broadcast, one at a
 * time) and a "V" operand (read as vectors): either T = C with U = op(A) and V = op(B), or T = C^T
 * with U = op(B)^T and V = op(A)^T. {@link #multiply} takes the orientation whose operands need the
 * fewest elements copied transposed: V must run contiguously along T's columns and U along k, so for
 * A B^T (a layer's forward pass) the small A is turned around rather than the large B.
 *
 * <p>V is copied, one k-block at a time, into per-thread panels of {@link #NR} columns stored step
 * by step. U is copied into rows {@link #KC} floats apart, so that the register tile reads it at
 * constant displacements and spends almost nothing on addresses; reading U's rows in place, each at
 * its own offset, cost the four-row tile a fifth of its FMA rate on JDK 17 on a Zen 3 core. The
 * 16-lane tile has the registers and the issue width for those offsets: where U's rows already run
 * along k (a layer's weights in its forward product), it reads them in place, which on a Zen 5
 * core made the forward product of a 784-128 layer at batch 32 about 16% faster on JDK 17 and 25
 * (54 to 45 µs in one JVM, both ways interleaved): the copy of the 401 KB of weights was a sixth of
 * the product. The bits are the same either way.
 *
 * <p>The 16-lane tile also reads in place, with a step of the matrix's own stride, the two operands
 * of a small product that packing would only copy: V, in k-blocks of more than {@link
 * #ROWS_FIRST_MAX_K} steps, when U has only a few tiles' rows (see {@link #IN_PLACE_MAX_ROWS}) or
 * when V's k-block is small enough to stay in L1, and U
 * when its rows run across memory in a short k-block (a batch's weight gradient with the input rows
 * as U). A dense layer whose weights are stored {@code in x out} then runs its forward product and
 * its weight gradient without copying anything: in one JVM on a Zen 5 core, a 784-128 layer at batch
 * 32 took 72-76 µs for both products instead of 89-92 µs with the weights {@code out x in} (JDK 17;
 * 68-73 against 85-86 µs on JDK 25), the transpose of the batch being the saving.
 *
 * <p>The register tile is {@link #MR} rows by two vectors, MR chosen from the lane count, the only
 * thing the code knows of the CPU (and what a forced width sets, so a test at 16 lanes runs the
 * 16-lane tile). Up to 8 lanes (AVX2 and 128-bit vectors on x86; 16 registers): four rows, eight
 * accumulators, which with two loads and four broadcasts need at most 14 of the 16 registers however
 * C2 schedules them (larger tiles spill on one JDK or the other on AVX2), and eight independent FMA
 * chains cover the FMA latency of current x86 cores. At 16 lanes (AVX-512; 32 registers): eight
 * rows, sixteen accumulators, two loads and up to eight broadcasts, 26 of the 32 registers: twice
 * the FMAs per load of V, and sixteen chains to cover the four-cycle latency of two FMA ports
 * (eight would only just do it). A 14-row tile would fill the 32 registers exactly, but C2 has no
 * slack then, and 8 keeps MC a multiple of the tile. At 4 lanes the four-row tile stays: it is what
 * x86's 16 registers hold at 128 bits; ARM's NEON has 32 and might take eight rows, but we have no
 * ARM machine to measure it on. The tile changes no bits (see below), only speed.
 *
 * <p>Every element of C is, for each k-block in increasing order, a plain sequential FMA sum over p
 * from zero, added to C as {@code c = fma(alpha, sum, c)}. Block boundaries depend on k alone, so
 * the bits of an element do not depend on the tile, orientation or thread it lands in, nor on the
 * JIT; no lane sum is ever taken.
 */
final class VectorGemm {
    /** Rows of a register tile: 8 at 16 lanes (32 registers), else 4 (see the class comment). */
    static final int MR = L >= 16 ? 8 : 4;
    /** Columns of a register tile and of a V panel: two vectors. */
    static final int NR = 2 * L;
    /**
     * Longest k-block, and the distance between U rows in their buffer (a constant, so the tile's
     * broadcasts share one index). A V panel of a block (up to 32 KiB with 8 lanes, 64 KiB with 16)
     * is read by every tile of a U block in turn, from L1 or streaming from L2 (two vector loads per
     * step of 16 FMAs at 16 lanes, well within L2's bandwidth). Longer blocks mean fewer passes over
     * C and fewer, longer copies of U: 512 measured about 7% faster than 256 on the forward-pass
     * shape (k = 784, two blocks instead of four) and level elsewhere. Blocks depend on k only (see
     * {@link #blockLength}), not on the width: so the bits do not either, and threads, which split m
     * and n but never k, all cut k the same way.
     */
    static final int KC = 512;
    /** Rows of U per block, a multiple of every MR: a block of U (up to 192 KiB) stays in L2 while every V panel meets it. */
    static final int MC = 96;
    /** Columns of V per block (more for short k-blocks, see {@link #columnBlock}), a multiple of every NR: the V block (up to 1 MiB) is packed once per k-block. */
    static final int NC = 512;
    /**
     * k-blocks up to this long, with a V block of at most ROWS_FIRST_MAX_V floats (256 KiB, a
     * quarter of Zen 5's L2, which is read again for every row of tiles), take the tiles row by row
     * (see {@link #tiles}).
     */
    static final int ROWS_FIRST_MAX_K = 64;
    static final int ROWS_FIRST_MAX_V = 1 << 16;
    /** V's k-block is read in place, whatever U's size, where it spans at most this many floats (64 KiB, L1-sized). */
    static final int IN_PLACE_MAX_V = 1 << 14;
    /**
     * ... and where U has at most IN_PLACE_MAX_ROWS rows (four tiles read each panel) and V's k-block
     * spans at most IN_PLACE_MAX_SPAN floats (1 MiB, Zen 5's L2). In one JVM on Zen 5, against packed
     * panels: 32x128x784 (a layer's forward product at batch 32, W in x out) 5-14% faster, 32x512x512
     * 4% faster; 64 rows level; 96 rows 11-15% slower, every panel then being read by twelve tiles
     * from L2 with a stride rather than from a copy in L1.
     */
    static final int IN_PLACE_MAX_ROWS = 4 * MR;
    /**
     * U's rows are read in place across memory (in a short k-block) where V's block has at most this
     * many columns, so that each of U's tiles is read by at most four panels. With 784 columns (a
     * layer's weight gradient with W out x in, U the batch's errors) packing U was 4% faster.
     */
    static final int IN_PLACE_MAX_COLUMNS = 4 * NR;
    static final int IN_PLACE_MAX_SPAN = 1 << 18;

    private VectorGemm() {
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C for m, n, k >= 1. Beta is applied where the first k-block is
     * added, as {@code fma(alpha, sum, beta * c)} (with 0 for beta * c when beta is 0, so old NaNs do
     * not leak): the same bits as scaling C first, without a pass over C of its own.
     */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc) {
        // Elements each orientation copies transposed; T = C^T also adds into C through a scalar loop.
        long normalCost = (transA ? (long) m * k : 0) + (transB ? (long) n * k : 0);
        long turnedCost = (transA ? 0 : (long) m * k) + (transB ? 0 : (long) n * k) + (long) m * n;
        Buffers buf = BUFFERS.get();
        // Strides: U(r, p) = u[uOff + r*uRs + p*uPs], V(p, v) = v[vOff + p*vPs + v*vVs], T(r, v) = c[cOff + r*cRs + v*cVs].
        if (normalCost <= turnedCost) {
            blocks(buf, m, n, k, alpha, a, aOff, transA ? 1 : lda, transA ? lda : 1,
                    b, bOff, transB ? 1 : ldb, transB ? ldb : 1, beta, c, cOff, ldc, 1);
        } else {
            blocks(buf, n, m, k, alpha, b, bOff, transB ? ldb : 1, transB ? 1 : ldb,
                    a, aOff, transA ? lda : 1, transA ? 1 : lda, beta, c, cOff, 1, ldc);
        }
    }

    /**
     * {@link #multiply} one element of C at a time, with its bits: for each k-block of {@link
     * #blockLength} in increasing order, the FMA sum over p from zero, then {@code c = fma(alpha, sum,
     * c')} with {@code c' = beta * c} for the first block (0 when beta is 0) and c itself after. Plain
     * scalar loops for products too small for the packing and the register tile to pay: they compile
     * within milliseconds and never run boxed (see {@code VectorKernels}, "Tiny shapes").
     */
    static void multiplyOneByOne(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        int kb = blockLength(k);
        // A(i, p) = a[ai + p * aPs], B(p, j) = b[bj + p * bPs].
        int aPs = transA ? lda : 1;
        int bPs = transB ? 1 : ldb;
        int bJs = transB ? ldb : 1;
        for (int i = 0; i < m; i++) {
            int ai = aOff + (transA ? i : i * lda);
            int ci = cOff + i * ldc;
            int j = 0;
            // Four elements of C at a time: four independent FMA chains, each in its own order.
            for (; j <= n - 4; j += 4) {
                int bj = bOff + j * bJs;
                float c0 = c[ci + j];
                float c1 = c[ci + j + 1];
                float c2 = c[ci + j + 2];
                float c3 = c[ci + j + 3];
                for (int p0 = 0; p0 < k; p0 += kb) {
                    int p1 = Math.min(k, p0 + kb);
                    float s0 = 0f;
                    float s1 = 0f;
                    float s2 = 0f;
                    float s3 = 0f;
                    for (int p = p0; p < p1; p++) {
                        float aip = a[ai + p * aPs];
                        int bp = bj + p * bPs;
                        s0 = Math.fma(aip, b[bp], s0);
                        s1 = Math.fma(aip, b[bp + bJs], s1);
                        s2 = Math.fma(aip, b[bp + 2 * bJs], s2);
                        s3 = Math.fma(aip, b[bp + 3 * bJs], s3);
                    }
                    float blockBeta = p0 == 0 ? beta : 1f;
                    c0 = Math.fma(alpha, s0, old(blockBeta, c0));
                    c1 = Math.fma(alpha, s1, old(blockBeta, c1));
                    c2 = Math.fma(alpha, s2, old(blockBeta, c2));
                    c3 = Math.fma(alpha, s3, old(blockBeta, c3));
                }
                c[ci + j] = c0;
                c[ci + j + 1] = c1;
                c[ci + j + 2] = c2;
                c[ci + j + 3] = c3;
            }
            for (; j < n; j++) {
                int bj = bOff + j * bJs;
                float cij = c[ci + j];
                for (int p0 = 0; p0 < k; p0 += kb) {
                    int p1 = Math.min(k, p0 + kb);
                    float sum = 0f;
                    for (int p = p0; p < p1; p++) {
                        sum = Math.fma(a[ai + p * aPs], b[bj + p * bPs], sum);
                    }
                    float blockBeta = p0 == 0 ? beta : 1f;
                    cij = Math.fma(alpha, sum, old(blockBeta, cij));
                }
                c[ci + j] = cij;
            }
        }
    }

    /**
     * Columns of V per block for k-blocks of length kb: NC, or more where the blocks are short, up to
     * the same NC x KC floats (1 MiB). A batch-32 weight gradient of a 784-wide layer is then one
     * column block instead of two, and packs its U block once instead of twice. Column blocks do not
     * change any bits.
     */
    static int columnBlock(int kb) {
        return Math.max(NC, NC * KC / kb / NR * NR);
    }

    /** Length of the k-blocks: as even as possible, at most KC, a function of k alone. */
    static int blockLength(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /** Per-thread packing buffers, grown as needed and then reused: no allocation in steady state. */
    private static final class Buffers {
        float[] v = new float[0];
        float[] u = new float[0];
        final float[] tile = new float[MR * NR];
        /** 0, stride, 2 stride, ...: where a gathered vector's lanes start (see {@link #gatherPanel}). */
        private final int[] starts = new int[L];
        private int startsStride = -1;

        int[] columnStarts(int stride) {
            if (stride != startsStride) {
                for (int w = 0; w < L; w++) {
                    starts[w] = w * stride;
                }
                startsStride = stride;
            }
            return starts;
        }

        float[] v(int size) {
            if (v.length < size) {
                v = new float[size];
            }
            return v;
        }

        float[] u(int size) {
            if (u.length < size) {
                u = new float[size];
            }
            return u;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** A tile's worth of addends (never written): +0 for beta 0, and -0, which leaves every sum as it is. */
    private static final float[] ZEROS = new float[MR * NR];
    private static final float[] NEGATIVE_ZEROS = new float[MR * NR];

    static {
        java.util.Arrays.fill(NEGATIVE_ZEROS, -0f);
    }

    /**
     * T (mu x nv) = alpha * U V + beta * T, over column blocks of V, k-blocks and row blocks of U, in
     * that order.
     */
    private static void blocks(Buffers buf, int mu, int nv, int k, float alpha,
                               float[] u, int uOff, int uRs, int uPs, float[] v, int vOff, int vPs, int vVs,
                               float beta, float[] c, int cOff, int cRs, int cVs) {
        int kb = blockLength(k);
        int ncMax = columnBlock(kb);
        for (int jc = 0; jc < nv; jc += ncMax) {
            int nc = Math.min(ncMax, nv - jc);
            int vSize = (nc + NR - 1) / NR * NR;
            for (int p0 = 0; p0 < k; p0 += kb) {
                int kc = Math.min(kb, k - p0);
                // V(p, v) of the block is panels[vBase + v * vJs + p * vStep] for v a multiple of NR, then
                // + (v % NR): in place (vJs 1), or packed panel after panel (vJs kc, vStep NR).
                float[] panels;
                int vBase;
                int vJs;
                int vStep;
                if (readsVInPlace(mu, nc, kc, vPs, vVs)) {
                    panels = v;
                    vBase = vOff + p0 * vPs + jc;
                    vJs = 1;
                    vStep = vPs;
                } else {
                    panels = buf.v(vSize * kc);
                    packV(buf, kc, nc, v, vOff + p0 * vPs + jc * vVs, vPs, vVs, panels);
                    vBase = 0;
                    vJs = kc;
                    vStep = NR;
                }
                float blockBeta = p0 == 0 ? beta : 1f;
                for (int ic = 0; ic < mu; ic += MC) {
                    int mc = Math.min(MC, mu - ic);
                    int c0 = cOff + ic * cRs + jc * cVs;
                    if (MR == 8 && uPs == 1 && mc % MR == 0) {
                        // U's rows already run along k: the 16-lane tile reads them where they are (see the class comment).
                        tiles(buf, mc, nc, kc, alpha, u, uOff + ic * uRs + p0, uRs, 1, panels, vBase, vJs, vStep,
                                blockBeta, c, c0, cRs, cVs);
                    } else if (MR == 8 && uRs == 1 && mc % MR == 0 && kc <= ROWS_FIRST_MAX_K && nc <= IN_PLACE_MAX_COLUMNS) {
                        // U's rows run across memory, a tile's eight side by side at each step.
                        tiles(buf, mc, nc, kc, alpha, u, uOff + ic + p0 * uPs, 1, uPs, panels, vBase, vJs, vStep,
                                blockBeta, c, c0, cRs, cVs);
                    } else {
                        float[] rows = buf.u((mc + MR - 1) / MR * MR * KC);
                        packU(mc, kc, u, uOff + ic * uRs + p0 * uPs, uRs, uPs, rows);
                        tiles(buf, mc, nc, kc, alpha, rows, 0, KC, 1, panels, vBase, vJs, vStep, blockBeta, c, c0, cRs, cVs);
                    }
                }
            }
        }
    }

    /**
     * Whether the 16-lane tile reads V's block where it lies rather than from packed panels: V's
     * columns contiguous and whole panels of them, a k-block longer than {@link #ROWS_FIRST_MAX_K},
     * and either a V block that L1 holds or a U of a few tiles' rows (each panel is read by too few
     * tiles to repay a copy) with V's k-block within L2's reach. Short k-blocks are cheap to pack,
     * and their tiles then keep the loop with constant steps: with a network's small products (its
     * last layer's) read in place, a Fashion-MNIST epoch with Adam, which takes no other product in
     * place, ran about 3% slower and its first epoch longer, in interleaved runs.
     */
    private static boolean readsVInPlace(int mu, int nc, int kc, int vPs, int vVs) {
        long span = (long) kc * vPs;
        return MR == 8 && vVs == 1 && nc % NR == 0 && kc > ROWS_FIRST_MAX_K
                && (span <= IN_PLACE_MAX_V || mu <= IN_PLACE_MAX_ROWS && span <= IN_PLACE_MAX_SPAN);
    }

    /**
     * Copies V's block (kc x nc) into panels of NR columns, each stored step by step (kc rows of NR).
     * The last panel's missing columns are zero: they feed only accumulators that are never stored.
     */
    private static void packV(Buffers buf, int kc, int nc, float[] v, int v0, int vPs, int vVs, float[] panels) {
        for (int j = 0; j < nc; j += NR) {
            int cols = Math.min(NR, nc - j);
            int dst = j * kc;
            if (vVs == 1 && cols == NR) {
                copyPanel(kc, v, v0 + j, vPs, panels, dst);
            } else if (vVs == 1) {
                copyPartialPanel(kc, cols, v, v0 + j, vPs, panels, dst);
            } else {
                transposePanel(buf, kc, cols, v, v0 + j * vVs, vVs, panels, dst);
            }
        }
    }

    private static void copyPanel(int kc, float[] v, int src, int vPs, float[] panels, int dst) {
        for (int p = 0; p < kc; p++, src += vPs, dst += NR) {
            FloatVector.fromArray(S, v, src).intoArray(panels, dst);
            FloatVector.fromArray(S, v, src + L).intoArray(panels, dst + L);
        }
    }

    private static void copyPartialPanel(int kc, int cols, float[] v, int src, int vPs, float[] panels, int dst) {
        for (int p = 0; p < kc; p++, src += vPs, dst += NR) {
            System.arraycopy(v, src, panels, dst, cols);
            java.util.Arrays.fill(panels, dst + cols, dst + NR, 0f);
        }
    }

    /**
     * V's columns run along p here (V(p, w) at src + w * vVs + p): read each column at unit stride
     * and write it down the panel; the panel (kc lines) stays in L1 meanwhile.
     */
    private static void transposePanel(Buffers buf, int kc, int cols, float[] v, int src, int vVs, float[] panels, int dst) {
        if (L == 16 && cols == NR) {
            gatherPanel(buf.columnStarts(vVs), kc, v, src, vVs, panels, dst);
            return;
        }
        for (int w = 0; w < cols; w++) {
            int s = src + w * vVs;
            for (int p = 0; p < kc; p++) {
                panels[dst + p * NR + w] = v[s + p];
            }
        }
        for (int w = cols; w < NR; w++) {
            for (int p = 0; p < kc; p++) {
                panels[dst + p * NR + w] = 0f;
            }
        }
    }

    /**
     * {@link #transposePanel} for a whole panel at 16 lanes: each step's two vectors are gathered
     * from the panel's 32 columns ({@code starts} holds 0, vVs, ..., 15 vVs). The scalar loop stores
     * each float to a different cache line, and the 50 KB panel of a 784-long k-block does not
     * quite fit in L1; for a 784-128 layer's forward product at batch 32 the transpose of the batch
     * took 12-13 µs of 45, and 7-8.5 µs gathered (Zen 5, JDK 17 and 25). The same floats land in the
     * same places either way.
     */
    private static void gatherPanel(int[] starts, int kc, float[] v, int src, int vVs, float[] panels, int dst) {
        int second = src + L * vVs;
        for (int p = 0; p < kc; p++) {
            FloatVector.fromArray(S, v, src + p, starts, 0).intoArray(panels, dst + p * NR);
            FloatVector.fromArray(S, v, second + p, starts, 0).intoArray(panels, dst + p * NR + L);
        }
    }

    /**
     * Copies mc rows of U's block (kc steps each) into rows KC floats apart, padded with zero rows
     * to a whole number of tiles (the padding feeds only accumulators that are never stored).
     */
    private static void packU(int mc, int kc, float[] u, int u0, int uRs, int uPs, float[] rows) {
        for (int r = 0; r < mc; r++) {
            if (uPs == 1) {
                System.arraycopy(u, u0 + r * uRs, rows, r * KC, kc);
            } else {
                // U's rows run across memory: gather one, writing contiguously; the kc lines it reads
                // stay in L1 for the next rows, which lie in the same lines.
                int src = u0 + r * uRs;
                int dst = r * KC;
                for (int p = 0; p < kc; p++) {
                    rows[dst + p] = u[src + p * uPs];
                }
            }
        }
        for (int r = mc; r % MR != 0; r++) {
            java.util.Arrays.fill(rows, r * KC, r * KC + kc, 0f);
        }
    }

    /**
     * Every register tile of one U block against every panel. Usually the panel is the outer loop, so
     * that it stays in L1 while the block's rows stream past it. For k-blocks of at most {@link
     * #ROWS_FIRST_MAX_K} steps (a batch's weight gradient sums over the batch, 32 samples) and a V
     * block that L2 holds easily, the rows are outside instead: such a tile does few FMAs for each vector of C it reads and writes, so C's
     * traffic counts for more than V's, and a row of tiles then walks C along its rows, while the
     * short panels (the whole V block is 100 KB for a 784-wide layer at batch 32) come again from
     * L2. In one JVM, on Zen 5, the weight gradient of a 784-128 layer at batch 32 (with beta 0, and
     * with beta 1 as when the step is taken in the product) ran about 10% faster, together with the
     * wider column blocks of {@link #columnBlock}. Each tile's bits are the same in either order.
     */
    private static void tiles(Buffers buf, int mc, int nc, int kc, float alpha, float[] rows, int rows0, int urs,
                              int ups, float[] panels, int vBase, int vJs, int vStep, float beta, float[] c, int c0,
                              int cRs, int cVs) {
        if (kc <= ROWS_FIRST_MAX_K && kc * nc <= ROWS_FIRST_MAX_V) {
            for (int i = 0; i < mc; i += MR) {
                for (int j = 0; j < nc; j += NR) {
                    tileAt(buf, i, j, mc, nc, kc, alpha, rows, rows0, urs, ups, panels, vBase, vJs, vStep, beta, c, c0, cRs, cVs);
                }
            }
        } else {
            for (int j = 0; j < nc; j += NR) {
                for (int i = 0; i < mc; i += MR) {
                    tileAt(buf, i, j, mc, nc, kc, alpha, rows, rows0, urs, ups, panels, vBase, vJs, vStep, beta, c, c0, cRs, cVs);
                }
            }
        }
    }

    /**
     * The register tile at row i of the U block and column j of the V block, with its epilogue. U(r,
     * p) is {@code rows[rows0 + r * urs + p * ups]}; the panel of V's columns from j on starts at
     * {@code panels[vBase + j * vJs]}, its steps vStep apart.
     */
    private static void tileAt(Buffers buf, int i, int j, int mc, int nc, int kc, float alpha, float[] rows, int rows0,
                               int urs, int ups, float[] panels, int vBase, int vJs, int vStep, float beta, float[] c,
                               int c0, int cRs, int cVs) {
        int cols = Math.min(NR, nc - j);
        int panel = vBase + j * vJs;
        int ct = c0 + i * cRs + j * cVs;
        boolean whole = i + MR <= mc && cols == NR;
        if (whole && cVs == 1 && beta == 0f) {
            tile(kc, rows, rows0 + i * urs, urs, ups, panels, panel, vStep, alpha, ZEROS, 0, NR, c, ct, cRs);
        } else if (whole && cVs == 1 && beta == 1f) {
            // fma(alpha, sum, c), storeTile's bits for beta 1 (c * 1 is c), without the round trip.
            tile(kc, rows, rows0 + i * urs, urs, ups, panels, panel, vStep, alpha, c, ct, cRs, c, ct, cRs);
        } else {
            // fma(1, sum, -0) is the sum itself, -0 and NaN included: the epilogues below see the raw sums.
            tile(kc, rows, rows0 + i * urs, urs, ups, panels, panel, vStep, 1f, NEGATIVE_ZEROS, 0, NR, buf.tile, 0, NR);
            if (whole && cVs == 1) {
                storeTile(alpha, beta, buf.tile, c, ct, cRs);
            } else if (cols == L && i + MR <= mc && cVs == 1) {
                storeHalfTile(alpha, beta, buf.tile, c, ct, cRs);
            } else if (whole && cRs == 1) {
                storeTurnedTile(alpha, beta, buf.tile, c, ct, cVs);
            } else {
                addTile(Math.min(MR, mc - i), cols, alpha, beta, buf.tile, c, ct, cRs, cVs);
            }
        }
    }

    /** The register tile of this width (see {@link #tile4}); only the 16-lane tile is given operands in place (steps other than 1 and NR). */
    private static void tile(int kc, float[] u, int u0, int urs, int ups, float[] panels, int v0, int vps, float alpha,
                             float[] add, int a0, int aRs, float[] t, int t0, int tRs) {
        if (MR == 8) {
            tile8(kc, u, u0, urs, ups, panels, v0, vps, alpha, add, a0, aRs, t, t0, tRs);
        } else {
            tile4(kc, u, u0, panels, v0, alpha, add, a0, aRs, t, t0, tRs);
        }
    }

    /**
     * The register tile up to 8 lanes: sums over kc steps of four U rows (at u0, u0 + KC, ...)
     * against one V panel, stored as {@code fma(alpha, sum, addend)} into the MR x NR block of t at
     * t0 (rows tRs apart), the addends read from the same block of {@code add} at a0 (rows aRs
     * apart): a whole tile of C with beta 0 (addends +0) or beta 1 (the addends are C itself, as when
     * a gradient step is taken inside the product), or the raw sums into a buffer (alpha 1, addends
     * -0, which leave every sum as it is) for the other epilogues. Addends from an array rather than
     * one broadcast value cost a load per accumulator, a few percent of a k = 32 tile. Storing straight
     * from the registers saves a round trip through a buffer per tile: with k = 32 (a batch-32 weight
     * gradient) a tile is only 256 FMAs, and the round trip cost about a fifth of it. The epilogue
     * has no branch: when one with branches on alpha and beta shared this method, a recompilation
     * after a new branch was first taken sometimes made the whole loop about twice as slow for the
     * rest of the run.
     *
     * <p>The loop steps both indices itself rather than deriving them from a step count: JDK 17's
     * C2 then spends one add on each instead of a shift, adds and sign extensions, and the loop
     * (two loads, four broadcasts, eight FMAs) is no longer held back by how many instructions a
     * cycle the core takes in: about 89 GFLOP/s in cache instead of 77 on this Zen 3 core (JDK 25
     * ran both at 93).
     */
    private static void tile4(int kc, float[] u, int u0, float[] panels, int v0, float alpha,
                              float[] add, int a0, int aRs, float[] t, int t0, int tRs) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int up = u0, vp = v0, end = u0 + kc; up < end; up++, vp += NR) {
            FloatVector y0 = FloatVector.fromArray(S, panels, vp);
            FloatVector y1 = FloatVector.fromArray(S, panels, vp + L);
            FloatVector x = FloatVector.broadcast(S, u[up]);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            x = FloatVector.broadcast(S, u[up + KC]);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            x = FloatVector.broadcast(S, u[up + 2 * KC]);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            x = FloatVector.broadcast(S, u[up + 3 * KC]);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        c00.fma(va, FloatVector.fromArray(S, add, a0)).intoArray(t, t0);
        c01.fma(va, FloatVector.fromArray(S, add, a0 + L)).intoArray(t, t0 + L);
        c10.fma(va, FloatVector.fromArray(S, add, a0 + aRs)).intoArray(t, t0 + tRs);
        c11.fma(va, FloatVector.fromArray(S, add, a0 + aRs + L)).intoArray(t, t0 + tRs + L);
        c20.fma(va, FloatVector.fromArray(S, add, a0 + 2 * aRs)).intoArray(t, t0 + 2 * tRs);
        c21.fma(va, FloatVector.fromArray(S, add, a0 + 2 * aRs + L)).intoArray(t, t0 + 2 * tRs + L);
        c30.fma(va, FloatVector.fromArray(S, add, a0 + 3 * aRs)).intoArray(t, t0 + 3 * tRs);
        c31.fma(va, FloatVector.fromArray(S, add, a0 + 3 * aRs + L)).intoArray(t, t0 + 3 * tRs + L);
    }

    /**
     * The register tile at 16 lanes: as {@link #tile4}, with eight U rows {@code urs} apart, U's steps
     * {@code ups} apart and V's {@code vps} apart (KC, 1 and NR packed; the matrices' own strides
     * where read in place). The steps as variables cost nothing measurable against constants.
     */
    private static void tile8(int kc, float[] u, int u0, int urs, int ups, float[] panels, int v0, int vps, float alpha,
                              float[] add, int a0, int aRs, float[] t, int t0, int tRs) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        if (ups == 1 && vps == NR) {
            // Packed operands: constant steps, the loop that C2 compiles best for them (a loop on a
            // step count, as below, ran 15-20% slower on a 32x1024x1024 product).
            for (int up = u0, vp = v0, end = u0 + kc; up < end; up++, vp += NR) {
                FloatVector y0 = FloatVector.fromArray(S, panels, vp);
                FloatVector y1 = FloatVector.fromArray(S, panels, vp + L);
                FloatVector x = FloatVector.broadcast(S, u[up]);
                c00 = x.fma(y0, c00);
                c01 = x.fma(y1, c01);
                x = FloatVector.broadcast(S, u[up + urs]);
                c10 = x.fma(y0, c10);
                c11 = x.fma(y1, c11);
                x = FloatVector.broadcast(S, u[up + 2 * urs]);
                c20 = x.fma(y0, c20);
                c21 = x.fma(y1, c21);
                x = FloatVector.broadcast(S, u[up + 3 * urs]);
                c30 = x.fma(y0, c30);
                c31 = x.fma(y1, c31);
                x = FloatVector.broadcast(S, u[up + 4 * urs]);
                c40 = x.fma(y0, c40);
                c41 = x.fma(y1, c41);
                x = FloatVector.broadcast(S, u[up + 5 * urs]);
                c50 = x.fma(y0, c50);
                c51 = x.fma(y1, c51);
                x = FloatVector.broadcast(S, u[up + 6 * urs]);
                c60 = x.fma(y0, c60);
                c61 = x.fma(y1, c61);
                x = FloatVector.broadcast(S, u[up + 7 * urs]);
                c70 = x.fma(y0, c70);
                c71 = x.fma(y1, c71);
            }
        } else {
            // Operands in place: steps known only at run time, counted by q (a loop on up, stepping by
            // ups, gave up most of what reading in place saves).
            for (int q = 0, up = u0, vp = v0; q < kc; q++, up += ups, vp += vps) {
                FloatVector y0 = FloatVector.fromArray(S, panels, vp);
                FloatVector y1 = FloatVector.fromArray(S, panels, vp + L);
                FloatVector x = FloatVector.broadcast(S, u[up]);
                c00 = x.fma(y0, c00);
                c01 = x.fma(y1, c01);
                x = FloatVector.broadcast(S, u[up + urs]);
                c10 = x.fma(y0, c10);
                c11 = x.fma(y1, c11);
                x = FloatVector.broadcast(S, u[up + 2 * urs]);
                c20 = x.fma(y0, c20);
                c21 = x.fma(y1, c21);
                x = FloatVector.broadcast(S, u[up + 3 * urs]);
                c30 = x.fma(y0, c30);
                c31 = x.fma(y1, c31);
                x = FloatVector.broadcast(S, u[up + 4 * urs]);
                c40 = x.fma(y0, c40);
                c41 = x.fma(y1, c41);
                x = FloatVector.broadcast(S, u[up + 5 * urs]);
                c50 = x.fma(y0, c50);
                c51 = x.fma(y1, c51);
                x = FloatVector.broadcast(S, u[up + 6 * urs]);
                c60 = x.fma(y0, c60);
                c61 = x.fma(y1, c61);
                x = FloatVector.broadcast(S, u[up + 7 * urs]);
                c70 = x.fma(y0, c70);
                c71 = x.fma(y1, c71);
            }
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        c00.fma(va, FloatVector.fromArray(S, add, a0)).intoArray(t, t0);
        c01.fma(va, FloatVector.fromArray(S, add, a0 + L)).intoArray(t, t0 + L);
        c10.fma(va, FloatVector.fromArray(S, add, a0 + aRs)).intoArray(t, t0 + tRs);
        c11.fma(va, FloatVector.fromArray(S, add, a0 + aRs + L)).intoArray(t, t0 + tRs + L);
        c20.fma(va, FloatVector.fromArray(S, add, a0 + 2 * aRs)).intoArray(t, t0 + 2 * tRs);
        c21.fma(va, FloatVector.fromArray(S, add, a0 + 2 * aRs + L)).intoArray(t, t0 + 2 * tRs + L);
        c30.fma(va, FloatVector.fromArray(S, add, a0 + 3 * aRs)).intoArray(t, t0 + 3 * tRs);
        c31.fma(va, FloatVector.fromArray(S, add, a0 + 3 * aRs + L)).intoArray(t, t0 + 3 * tRs + L);
        c40.fma(va, FloatVector.fromArray(S, add, a0 + 4 * aRs)).intoArray(t, t0 + 4 * tRs);
        c41.fma(va, FloatVector.fromArray(S, add, a0 + 4 * aRs + L)).intoArray(t, t0 + 4 * tRs + L);
        c50.fma(va, FloatVector.fromArray(S, add, a0 + 5 * aRs)).intoArray(t, t0 + 5 * tRs);
        c51.fma(va, FloatVector.fromArray(S, add, a0 + 5 * aRs + L)).intoArray(t, t0 + 5 * tRs + L);
        c60.fma(va, FloatVector.fromArray(S, add, a0 + 6 * aRs)).intoArray(t, t0 + 6 * tRs);
        c61.fma(va, FloatVector.fromArray(S, add, a0 + 6 * aRs + L)).intoArray(t, t0 + 6 * tRs + L);
        c70.fma(va, FloatVector.fromArray(S, add, a0 + 7 * aRs)).intoArray(t, t0 + 7 * tRs);
        c71.fma(va, FloatVector.fromArray(S, add, a0 + 7 * aRs + L)).intoArray(t, t0 + 7 * tRs + L);
    }

    /**
     * A whole tile whose rows are runs along C's rows (at t0, stride tRs), with a caller's beta other
     * than 0 and 1 (the tile itself adds beta 1, as for k-blocks after the first and a step inside
     * the product): T = fma(alpha, sum, T * beta), the rounding of {@link #addTile}. A network's
     * products never need it, so it keeps the round trip through the buffer rather than a second
     * copy of the tile's loop.
     */
    private static void storeTile(float alpha, float beta, float[] sums, float[] t, int t0, int tRs) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        FloatVector vb = FloatVector.broadcast(S, beta);
        for (int r = 0; r < MR; r++) {
            int tr = t0 + r * tRs;
            FloatVector.fromArray(S, sums, r * NR).fma(va, FloatVector.fromArray(S, t, tr).mul(vb)).intoArray(t, tr);
            FloatVector.fromArray(S, sums, r * NR + L).fma(va, FloatVector.fromArray(S, t, tr + L).mul(vb))
                    .intoArray(t, tr + L);
        }
    }

    /**
     * The first vector of each row of a tile whose panel has only L columns (the last panel of a
     * 784-wide weight gradient at 16 lanes), with {@link #addTile}'s rounding: {@code fma(alpha,
     * sum, old)}, old being 0 for beta 0 and {@code c * beta} otherwise. One vector a row instead of
     * L scalar FMAs: through addTile this panel took about 4% of a batch-32 weight gradient.
     */
    private static void storeHalfTile(float alpha, float beta, float[] sums, float[] t, int t0, int tRs) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        if (beta == 0f) {
            FloatVector zero = FloatVector.zero(S);
            for (int r = 0; r < MR; r++) {
                FloatVector.fromArray(S, sums, r * NR).fma(va, zero).intoArray(t, t0 + r * tRs);
            }
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            for (int r = 0; r < MR; r++) {
                int tr = t0 + r * tRs;
                FloatVector.fromArray(S, sums, r * NR).fma(va, FloatVector.fromArray(S, t, tr).mul(vb)).intoArray(t, tr);
            }
        }
    }

    /**
     * A whole tile of T = C^T (a layer's forward product from the rows of its inputs): each column of
     * the tile is a run of MR along a row of C. One element at a time, with the rounding of {@link
     * #addTile}, but with the sizes constant and the test of beta outside the loops, which the JIT
     * unrolls; through addTile this epilogue took about a tenth of a batch-32 training step.
     */
    private static void storeTurnedTile(float alpha, float beta, float[] sums, float[] c, int c0, int cVs) {
        if (beta == 0f) {
            for (int w = 0, ci = c0; w < NR; w++, ci += cVs) {
                for (int r = 0; r < MR; r++) {
                    c[ci + r] = Math.fma(alpha, sums[r * NR + w], 0f);
                }
            }
        } else {
            for (int w = 0, ci = c0; w < NR; w++, ci += cVs) {
                for (int r = 0; r < MR; r++) {
                    c[ci + r] = Math.fma(alpha, sums[r * NR + w], c[ci + r] * beta);
                }
            }
        }
    }

    /**
     * T = alpha * sums + beta * T for the rows and columns of a tile that exist, wherever T's
     * elements lie in C.
     */
    private static void addTile(int rows, int cols, float alpha, float beta, float[] sums,
                                float[] c, int c0, int cRs, int cVs) {
        if (cRs == 1) {
            // T = C^T: a column of the tile is a run along a row of C.
            for (int w = 0; w < cols; w++) {
                int ci = c0 + w * cVs;
                for (int r = 0; r < rows; r++) {
                    c[ci + r] = Math.fma(alpha, sums[r * NR + w], old(beta, c[ci + r]));
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int ci = c0 + r * cRs;
                for (int w = 0; w < cols; w++) {
                    c[ci + w * cVs] = Math.fma(alpha, sums[r * NR + w], old(beta, c[ci + w * cVs]));
                }
            }
        }
    }

    /** beta * c, or 0 when beta is 0 (whatever c holds, NaN included). */
    private static float old(float beta, float c) {
        return beta == 0f ? 0f : c * beta;
    }
}
