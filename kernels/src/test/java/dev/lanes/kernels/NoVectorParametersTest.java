package dev.lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import org.junit.jupiter.api.Test;

/**
 * No method of the kernels takes or returns a vector, mask or shuffle. C2 inlines the Vector API's
 * own methods always, but a method of ours only while its budget lasts; left out of line, it boxes
 * every vector it is passed, an allocation on every call (this is how the 4-lane lane sum used to
 * allocate). The allocation probes can only see that at the widths this CPU runs natively; this
 * check holds at every width.
 */
class NoVectorParametersTest {
    private static boolean isVectorType(Class<?> type) {
        return Vector.class.isAssignableFrom(type) || VectorMask.class.isAssignableFrom(type)
                || VectorShuffle.class.isAssignableFrom(type);
    }

    /** Every class compiled into dev.lanes.kernels, nested ones included. */
    private static List<Class<?>> kernelClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Paths.get(Kernels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("dev/lanes/kernels");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
                String name = f.getFileName().toString();
                classes.add(Class.forName("dev.lanes.kernels." + name.substring(0, name.length() - ".class".length()),
                        false, Kernels.class.getClassLoader()));
            }
        }
        return classes;
    }

    @Test
    void noMethodOfOursPassesVectors() throws Exception {
        List<Class<?>> classes = kernelClasses();
        assertTrue(classes.contains(VectorLevel2.class) && classes.contains(VectorMath.class), classes.toString());
        List<String> offenders = new ArrayList<>();
        for (Class<?> c : classes) {
            if (c.isSynthetic()) {
                continue;
            }
            List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
            members.addAll(List.of(c.getDeclaredConstructors()));
            for (Executable e : members) {
                // Lambdas (synthetic) are the Vector API's own operators, e.g. VectorShuffle.fromOp's.
                if (e.isSynthetic()) {
                    continue;
                }
                boolean passes = Stream.of(e.getParameterTypes()).anyMatch(NoVectorParametersTest::isVectorType)
                        || e instanceof Method && isVectorType(((Method) e).getReturnType());
                if (passes) {
                    offenders.add(c.getSimpleName() + "." + e.getName());
                }
            }
        }
        assertEquals(List.of(), offenders, "methods that take or return vectors, masks or shuffles");
    }
}
