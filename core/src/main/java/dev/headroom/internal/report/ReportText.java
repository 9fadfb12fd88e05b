package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Constraint;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link Budget} as a table for people: {@code report} without {@code --json}. Sizes in MiB with
 * one decimal, {@code -} for what could not be read, ASCII only (a terminal in the C locale must
 * show it right).
 */
public final class ReportText {
    private static final double MIB = 1024.0 * 1024.0;
    private static final int BAR = 30;
    /** memory.stat keys worth a line of their own; the rest is in --json. */
    private static final List<String> TYPED = List.of("anon", "file", "kernel", "shmem", "sock", "fileMapped",
            "activeFile", "inactiveFile", "slabReclaimable");

    private ReportText() {
    }

    /** The table of a budget this JVM took of itself ({@code report}): its JVM is "the reporting JVM". */
    public static String render(Budget b) {
        return render(b, "the reporting JVM");
    }

    /**
     * @param whoseJvm how the {@code jvm} line names the JVM whose figures these are: "the target JVM"
     *                 when {@code report --pid} had another JVM take its own budget
     */
    public static String render(Budget b, String whoseJvm) {
        StringBuilder out = new StringBuilder(4096);
        CgroupSnapshot cg = b.cgroup();
        out.append("Headroom report  ").append(Instant.ofEpochMilli(b.timeMillis())).append('\n');
        out.append('\n');
        if (cg == null || !cg.available()) {
            out.append("cgroup        no memory controller found (see errors)\n");
        } else {
            out.append("cgroup        v").append(cg.version()).append("  ").append(cg.memoryDir()).append('\n');
        }
        if (cg != null) {
            row(out, "limit", cg.available() ? limit(cg.limitBytes()) : "-",
                    cg.limitSource() != null ? "set by " + cg.limitSource()
                            : cg.hostMemoryBytes().isPresent() ? "host RAM " + mib(cg.hostMemoryBytes().getAsLong()) + " MiB" : "");
            row(out, "usage", size(cg.usageBytes()), "");
            row(out, "working set", size(cg.workingSetBytes()), "usage - inactive file (what Kubernetes judges)");
            CgroupSnapshot.Binding binding = cg.binding();
            if (binding != null) {
                row(out, "headroom", mib(binding.headroomBytes()) + " MiB",
                        "to the tightest limit: " + binding.dir() + " (limit " + mib(binding.limitBytes()) + " MiB, used "
                                + mib(binding.usageBytes()) + " MiB)");
            } else {
                row(out, "headroom", cg.available() ? "unlimited" : "-", "");
            }
            row(out, "high", limit(cg.highBytes()), cg.version() == 1 ? "v1 soft limit" : "");
            if (cg.version() == 2) {
                row(out, "low / min", mibOrDash(cg.lowBytes()) + " / " + size(cg.minBytes()), "");
            }
            row(out, "peak", size(cg.peakBytes()), "");
            row(out, "swap", size(cg.swapUsageBytes()), "limit " + limit(cg.swapLimitBytes()));
        }
        out.append('\n');

        if (cg != null && cg.stat() != null && !cg.stat().all().isEmpty()) {
            CgroupSnapshot.MemoryStat s = cg.stat();
            out.append("memory.stat (MiB)\n");
            OptionalLong[] values = {s.anon(), s.file(), s.kernel(), s.shmem(), s.sock(), s.fileMapped(),
                    s.activeFile(), s.inactiveFile(), s.slabReclaimable()};
            for (int i = 0; i < TYPED.size(); i++) {
                if (values[i].isPresent()) {
                    out.append(String.format(Locale.ROOT, "  %-18s %10s%n", TYPED.get(i), mib(values[i].getAsLong())));
                }
            }
            out.append(String.format(Locale.ROOT, "  (%d keys in all; --json lists every one)%n", s.all().size()));
            out.append('\n');
        }

        if (cg != null && !cg.events().isEmpty()) {
            out.append("events        ");
            for (Map.Entry<String, Long> e : new TreeMap<>(cg.events()).entrySet()) {
                out.append(e.getKey()).append(' ').append(e.getValue()).append("   ");
            }
            out.setLength(out.length() - 3);
            out.append('\n');
        }
        if (cg != null && cg.pressure() != null) {
            CgroupSnapshot.Pressure p = cg.pressure();
            out.append(String.format(Locale.ROOT, "pressure      some %.2f / %.2f / %.2f %% (avg10/60/300), %d us stalled%n",
                    p.someAvg10(), p.someAvg60(), p.someAvg300(), p.someTotalMicros()));
            if (p.fullAvg10().isPresent()) {
                out.append(String.format(Locale.ROOT, "              full %.2f / %.2f / %.2f %%, %d us stalled%n",
                        p.fullAvg10().getAsDouble(), dbl(p.fullAvg60()), dbl(p.fullAvg300()),
                        p.fullTotalMicros().orElse(0)));
            }
        }
        out.append('\n');

        components(b, out);
        jvmAndProcess(b, whoseJvm, out);

        out.append("errors");
        if (b.errors().isEmpty()) {
            out.append("        none\n");
        } else {
            out.append('\n');
            for (String e : b.errors()) {
                out.append("  - ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    private static void components(Budget b, StringBuilder out) {
        out.append("budget        working set ").append(b.workingSetBytes() >= 0 ? mib(b.workingSetBytes()) + " MiB" : "-")
                .append(", limit ").append(limit(b.limitBytes()))
                .append(", headroom ").append(b.headroomBytes().isPresent() ? mib(b.headroomBytes().getAsLong()) + " MiB"
                        : b.limitBytes().isPresent() ? "-" : "unlimited")
                .append(", governor ").append(b.governor() == null ? "-" : b.governor().level())
                .append('\n');
        List<Budget.Component> sorted = new ArrayList<>(b.components());
        sorted.sort(Comparator.comparingLong(Budget.Component::bytes).reversed());
        if (sorted.isEmpty()) {
            out.append("  (no breakdown: only the cgroup was read)\n");
        } else {
            long largest = Math.max(1, sorted.get(0).bytes());
            for (Budget.Component c : sorted) {
                int width = (int) Math.round((double) Math.max(0, c.bytes()) / largest * BAR);
                out.append(String.format(Locale.ROOT, "  %-17s %10s MiB  %-" + BAR + "s  %s%s%n", c.name(), mib(c.bytes()),
                        "#".repeat(width), c.source(), c.estimated() ? " (estimated)" : ""));
            }
        }
        if (b.growthBytesPerSecond().isPresent()) {
            out.append(String.format(Locale.ROOT, "  growth %.1f KiB/s", b.growthBytesPerSecond().getAsDouble() / 1024));
            if (b.secondsToLimit().isPresent()) {
                out.append(String.format(Locale.ROOT, ", limit in %.0f s", b.secondsToLimit().getAsDouble()));
            }
            out.append('\n');
        }
        if (!b.constraints().isEmpty()) {
            Constraint binding = b.bindingConstraint().orElse(null);
            out.append("  limits (the level is the binding one's):\n");
            for (Constraint c : b.constraints()) {
                boolean bytes = c.unit().equals("bytes");
                out.append(String.format(Locale.ROOT, "    %-14s %9s of %9s %-7s %5.1f%%  %-12s %s%s%n", c.name(),
                        bytes ? mib(c.used()) : Long.toString(c.used()), bytes ? mib(c.limit()) : Long.toString(c.limit()),
                        bytes ? "MiB" : "threads", 100 * c.share(),
                        c.secondsToLimit().isPresent() ? String.format(Locale.ROOT, "full in %.1f s", c.secondsToLimit().getAsDouble()) : "",
                        c.source(), c == binding ? "  <- binding" : ""));
            }
        }
        Budget.SizingCheck sc = b.sizingCheck();
        if (sc != null && sc.evaluated()) {
            out.append("  sizing: worst case ").append(mib(sc.worstCaseBytes())).append(" MiB against ")
                    .append(mib(sc.limitBytes())).append(" MiB: ").append(sc.fits() ? "fits" : "CAN EXCEED THE LIMIT").append('\n');
            for (Budget.SizingCheck.Term t : sc.terms()) {
                out.append(String.format(Locale.ROOT, "    %-20s %10s MiB  %s%n", t.name(), mib(t.bytes()), t.source()));
            }
        }
        Budget.Recommendation r = b.recommendation();
        if (r != null && r.available()) {
            out.append("  recommendation (from ").append(r.samples()).append(" samples over ").append(r.basedOnSeconds())
                    .append(" s): -Xmx").append(mib(r.maxHeapBytes())).append("m, MaxDirectMemorySize ")
                    .append(mib(r.maxDirectMemoryBytes())).append(" MiB, request ").append(mib(r.containerRequestBytes()))
                    .append(" MiB, limit ").append(mib(r.containerLimitBytes())).append(" MiB\n");
            for (String line : r.reasoning()) {
                out.append("    ").append(line).append('\n');
            }
        }
        out.append('\n');
    }

    private static void jvmAndProcess(Budget b, String whoseJvm, StringBuilder out) {
        JvmSnapshot j = b.jvm();
        if (j != null) {
            out.append(String.format(Locale.ROOT, "jvm           (%s) %s, heap %s used / %s committed / %s max MiB, %d threads, %d GCs%n",
                    whoseJvm, j.collector(), mib(j.heapUsedBytes()), mib(j.heapCommittedBytes()), mibOrDash(j.heapMaxBytes()),
                    j.threadCount(), j.gcCount()));
        }
        ProcessSnapshot p = b.process();
        if (p != null && p.rssBytes().isPresent()) {
            out.append(String.format(Locale.ROOT, "process       RSS %s MiB (anon %s, file %s, shmem %s), swap %s%n",
                    mib(p.rssBytes().getAsLong()), mibOrDash(p.rssAnonBytes()), mibOrDash(p.rssFileBytes()),
                    mibOrDash(p.rssShmemBytes()), mibOrDash(p.swapBytes())));
        }
        out.append('\n');
    }

    private static void row(StringBuilder out, String label, String value, String note) {
        out.append(String.format(Locale.ROOT, "  %-12s %14s  %s", label, value, note).stripTrailing()).append('\n');
    }

    private static String limit(OptionalLong v) {
        return v.isPresent() ? mib(v.getAsLong()) + " MiB" : "unlimited";
    }

    private static String mibOrDash(OptionalLong v) {
        return v.isPresent() ? mib(v.getAsLong()) : "-";
    }

    /** A size with its unit, or {@code -} when unknown. */
    private static String size(OptionalLong v) {
        return v.isPresent() ? mib(v.getAsLong()) + " MiB" : "-";
    }

    private static double dbl(OptionalDouble v) {
        return v.orElse(Double.NaN);
    }

    /** Bytes in MiB with one decimal. */
    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / MIB);
    }
}
