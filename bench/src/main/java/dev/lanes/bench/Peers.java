package dev.lanes.bench;

import dev.ludovic.netlib.blas.BLAS;
import java.lang.reflect.Method;

/**
 * netlib's two Java BLAS implementations, the peers lanes is measured against. Both are looked up
 * by class name, because {@code BLAS.getInstance()} would silently pick a native library when one is
 * installed and {@code JavaBLAS.getInstance()} already returns VectorBLAS on JDK 16+: the comparison
 * must say exactly what it ran.
 *
 * <p>netlib is column-major: lanes' row-major m-by-n A is netlib's column-major n-by-m A^T, so
 * lanes' gemv is {@code sgemv("T", n, m, ...)}, gemvT is {@code sgemv("N", n, m, ...)}, and
 * {@code ger(m, n, alpha, x, y, A)} is {@code sger(n, m, alpha, y, 1, x, 1, A, n)}.
 */
final class Peers {
    /** netlib's Vector API implementation ({@code dev.ludovic.netlib.blas.VectorBLAS}). */
    static final BLAS VECTOR_BLAS = load("dev.ludovic.netlib.blas.VectorBLAS");
    /** netlib's plain-Java implementation, the one it falls back to without the Vector API. */
    static final BLAS JAVA_BLAS = load("dev.ludovic.netlib.blas.Java11BLAS");

    private Peers() {
    }

    private static BLAS load(String className) {
        try {
            Method get = Class.forName(className).getMethod("getInstance");
            get.setAccessible(true); // the classes are package-private; their getInstance is public
            BLAS blas = (BLAS) get.invoke(null);
            if (!blas.getClass().getName().equals(className)) {
                throw new IllegalStateException("netlib returned " + blas.getClass().getName() + " for " + className);
            }
            return blas;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the netlib peer " + className
                    + " (is --add-modules jdk.incubator.vector set?)", e);
        }
    }
}
