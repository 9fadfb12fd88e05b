package dev.headroom.benchmarks.softlimit;

import java.util.List;
import java.util.Locale;

/** The driver's Markdown table: one row per JDK, scenario and collector, baseline against governor. */
final class Report {
    private static final double MIB = 1 << 20;

    private Report() {
    }

    static String markdown(List<SoftLimitDriver.Run> runs) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("| JDK | scenario | GC | avg WS base → gov | change | peak WS base → gov | CPU ms base → gov | CPU change "
                + "| work CPU ms base → gov | work CPU change | ops base → gov | longest stall base → gov (ms) | outcome base → gov |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i + 1 < runs.size(); i += 2) {
            SoftLimitDriver.Run b = runs.get(i);
            SoftLimitDriver.Run g = runs.get(i + 1);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f → %.0f MiB | %s | %.0f → %.0f MiB | %s → %s | %s | %s → %s | %s "
                            + "| %d → %d | %d → %d | %s → %s |%n",
                    b.jdk(), b.scenario(), b.gc(), b.average() / MIB, g.average() / MIB, change(b.average(), g.average()),
                    b.peak() / MIB, g.peak() / MIB, cpu(b.cpuMs()), cpu(g.cpuMs()),
                    b.cpuMs() > 0 && g.cpuMs() > 0 ? change(b.cpuMs(), g.cpuMs()) : "n/a",
                    cpu(b.workCpuMs()), cpu(g.workCpuMs()),
                    b.workCpuMs() > 0 && g.workCpuMs() > 0 ? change(b.workCpuMs(), g.workCpuMs()) : "n/a",
                    b.ops(), g.ops(), b.maxStallMs(), g.maxStallMs(), b.outcome(), g.outcome()));
        }
        return sb.toString();
    }

    private static String cpu(long ms) {
        return ms < 0 ? "n/a" : Long.toString(ms);
    }

    private static String change(double base, double gov) {
        return String.format(Locale.ROOT, "%+.0f%%", 100.0 * (gov - base) / base);
    }
}
