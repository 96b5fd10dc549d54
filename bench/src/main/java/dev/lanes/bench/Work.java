package dev.lanes.bench;

/**
 * The work of one operation of a case, to turn times into GFLOP/s and GB/s. Bytes count each array
 * element read or written once (what a streaming implementation must move), not cache traffic.
 *
 * @param flops floating-point operations (an FMA counts 2), 0 where flops mean little (transcendentals)
 * @param bytes bytes read plus bytes written
 */
record Work(double flops, double bytes) {
    static final Work UNKNOWN = new Work(0, 0);

    static Work of(Result r) {
        String op = r.group().substring(r.group().indexOf('.') + 1);
        if (op.equals("fmaPeak")) {
            // Twelve vector FMAs a step, two flops a lane each.
            return new Work(24.0 * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), 0);
        }
        if (r.params().containsKey("dims")) {
            String d = r.params().get("dims");
            String[] mnk = d.substring(0, d.length() - 2).split("x");
            double m = Double.parseDouble(mnk[0]);
            double n = Double.parseDouble(mnk[1]);
            double k = Double.parseDouble(mnk[2]);
            return new Work(2 * m * n * k, 4 * (m * k + k * n + m * n));
        }
        if (r.params().containsKey("shape")) {
            int[] s = Data.shape(r.params().get("shape"));
            double mn = (double) s[0] * s[1];
            switch (op) {
                case "gemv":
                case "gemvT":
                    return r.impl().equals("streamsum") ? new Work(mn, 4 * mn) : new Work(2 * mn, 4 * (mn + s[0] + s[1]));
                case "ger":
                    return new Work(2 * mn, 4 * (2 * mn + s[0] + s[1]));
                default:
                    return UNKNOWN;
            }
        }
        String n = r.params().get("n");
        if (n == null) {
            return UNKNOWN;
        }
        double len = Double.parseDouble(n);
        switch (op) {
            case "dot": return new Work(2 * len, 8 * len);
            case "axpy": return new Work(2 * len, 12 * len);
            case "scale": return new Work(len, 8 * len);
            case "mul":
            case "add": return new Work(len, 12 * len);
            case "squaredError": return new Work(3 * len, 8 * len);
            case "squaredErrorGradient": return new Work(2 * len, 12 * len);
            case "tanhGradFromOutput": return new Work(2 * len, 8 * len);
            case "softmaxBackward": return new Work(5 * len, 12 * len);
            case "tanh":
            case "sech2":
            case "softmax": return new Work(0, 8 * len);
            default: return UNKNOWN;
        }
    }

    double gflops(double timeNs) {
        return flops / timeNs;
    }

    double gbytes(double timeNs) {
        return bytes / timeNs;
    }
}
