package org.gemma4j.model;

import java.util.Arrays;

/** Max |Δ|, rms, p90 of the per-row max |Δ|, and top-1 agreement between two logit matrices, as the golden README defines them. */
record LogitStats(double maxAbs, double rms, double rowMaxP90, double top1Agree, int rows) {

    /** Compares {@code rows} rows of width {@code n}: {@code a} from {@code aOff}, {@code b} from {@code bOff}; rows with {@code skip[r]} are left out. */
    static LogitStats compare(float[] a, int aOff, float[] b, int bOff, int rows, int n, boolean[] skip) {
        double max = 0;
        double ss = 0;
        long count = 0;
        double[] rowMax = new double[rows];
        int kept = 0;
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            if (skip != null && skip[r]) {
                continue;
            }
            double rm = 0;
            int argA = 0;
            int argB = 0;
            for (int i = 0; i < n; i++) {
                float x = a[aOff + r * n + i];
                float y = b[bOff + r * n + i];
                double d = Math.abs((double) x - y);
                rm = Math.max(rm, d);
                ss += d * d;
                count++;
                if (x > a[aOff + r * n + argA]) {
                    argA = i;
                }
                if (y > b[bOff + r * n + argB]) {
                    argB = i;
                }
            }
            rowMax[kept++] = rm;
            max = Math.max(max, rm);
            if (argA == argB) {
                agree++;
            }
        }
        double[] sorted = Arrays.copyOf(rowMax, kept);
        Arrays.sort(sorted);
        double p90 = kept == 0 ? 0 : sorted[(int) Math.min(kept - 1, Math.round(0.9 * (kept - 1)))];
        return new LogitStats(max, Math.sqrt(ss / Math.max(1, count)), p90, kept == 0 ? 1 : (double) agree / kept, kept);
    }

    @Override
    public String toString() {
        return String.format("max %.5f rms %.5f p90-row-max %.5f top1 %.3f (%d rows)", maxAbs, rms, rowMaxP90, top1Agree, rows);
    }
}
