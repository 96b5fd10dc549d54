package dev.lanes.kernels;

import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Elementwise math on whole vectors for {@link VectorKernels}. */
final class VectorMath {
    /** Whether the CPU has fused multiply-add; without it, Vector API fma is emulated and very slow. */
    static final boolean FMA = detectFma();

    private VectorMath() {
    }

    private static boolean detectFma() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null || !"false".equals(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    // TODO(placeholder): replaced by polynomial versions on plain FMA operations.
    static FloatVector tanh(FloatVector x) {
        return x.lanewise(VectorOperators.TANH);
    }

    static FloatVector exp(FloatVector x) {
        return x.lanewise(VectorOperators.EXP);
    }

    static FloatVector sech2(FloatVector x) {
        FloatVector e = x.abs().mul(-2f).lanewise(VectorOperators.EXP);
        FloatVector d = e.add(1f);
        return e.mul(4f).div(d.mul(d));
    }
}
