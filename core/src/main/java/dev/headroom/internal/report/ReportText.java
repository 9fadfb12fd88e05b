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
 * show it right), and no line wider than {@link #WIDTH} columns: a note that does not fit (a source,
 * a cgroup path, an error) wraps under itself, and a word wider than a line (a long path) is broken.
 */
public final class ReportText {
    private static final double MIB = 1024.0 * 1024.0;
    /** The widest line: fits a 100-column terminal and a pasted issue without wrapping. */
    public static final int WIDTH = 100;
    /** The fewest columns a wrapped note keeps under itself; with less, it wraps 4 columns in instead. */
    private static final int MIN_NOTE = 40;
    private static final int BAR = 20;
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
            fit(out, "cgroup        ", "v" + cg.version() + "  " + cg.memoryDir());
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
            StringBuilder events = new StringBuilder();
            for (Map.Entry<String, Long> e : new TreeMap<>(cg.events()).entrySet()) {
                events.append(events.length() == 0 ? "" : "   ").append(e.getKey()).append(' ').append(e.getValue());
            }
            fit(out, "events        ", events.toString());
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
        who(b, out);
        jvmAndProcess(b, whoseJvm, out);

        out.append("errors");
        if (b.errors().isEmpty()) {
            out.append("        none\n");
        } else {
            out.append('\n');
            for (String e : b.errors()) {
                fit(out, "  - ", e);
            }
        }
        return out.toString();
    }

    private static void components(Budget b, StringBuilder out) {
        fit(out, "budget        ", "working set " + (b.workingSetBytes() >= 0 ? mib(b.workingSetBytes()) + " MiB" : "-")
                + ", limit " + limit(b.limitBytes())
                + ", headroom " + (b.headroomBytes().isPresent() ? mib(b.headroomBytes().getAsLong()) + " MiB"
                        : b.limitBytes().isPresent() ? "-" : "unlimited")
                + ", governor " + (b.governor() == null ? "-" : b.governor().level()));
        List<Budget.Component> sorted = new ArrayList<>(b.components());
        sorted.sort(Comparator.comparingLong(Budget.Component::bytes).reversed());
        if (sorted.isEmpty()) {
            out.append("  (no breakdown: only the cgroup was read)\n");
        } else {
            long largest = Math.max(1, sorted.get(0).bytes());
            for (Budget.Component c : sorted) {
                int width = (int) Math.round((double) Math.max(0, c.bytes()) / largest * BAR);
                fit(out, String.format(Locale.ROOT, "  %-17s %10s MiB  %-" + BAR + "s  ", c.name(), mib(c.bytes()), "#".repeat(width)),
                        c.source() + (c.estimated() ? " (estimated)" : ""));
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
                fit(out, String.format(Locale.ROOT, "    %-14s %9s of %9s %-7s %5.1f%%  %-12s ", c.name(),
                        bytes ? mib(c.used()) : Long.toString(c.used()), bytes ? mib(c.limit()) : Long.toString(c.limit()),
                        bytes ? "MiB" : "threads", 100 * c.share(),
                        c.secondsToLimit().isPresent() ? String.format(Locale.ROOT, "full in %.1f s", c.secondsToLimit().getAsDouble()) : ""),
                        c.source() + (c == binding ? "  <- binding" : ""));
            }
        }
        Budget.SizingCheck sc = b.sizingCheck();
        if (sc != null && sc.evaluated()) {
            out.append("  sizing: worst case ").append(mib(sc.worstCaseBytes())).append(" MiB against ")
                    .append(mib(sc.limitBytes())).append(" MiB: ").append(sc.fits() ? "fits" : "CAN EXCEED THE LIMIT").append('\n');
            for (Budget.SizingCheck.Term t : sc.terms()) {
                fit(out, String.format(Locale.ROOT, "    %-20s %10s MiB  ", t.name(), mib(t.bytes())), t.source());
            }
        }
        Budget.Recommendation r = b.recommendation();
        if (r != null && r.available()) {
            fit(out, "  ", "recommendation (from " + r.samples() + " samples over " + r.basedOnSeconds()
                    + " s): -Xmx" + mib(r.maxHeapBytes()) + "m, MaxDirectMemorySize " + mib(r.maxDirectMemoryBytes())
                    + " MiB, request " + mib(r.containerRequestBytes()) + " MiB, limit " + mib(r.containerLimitBytes()) + " MiB");
            for (String line : r.reasoning()) {
                fit(out, "    ", line);
            }
        }
        out.append('\n');
    }

    /**
     * The {@code who is growing} block, when the budget has a {@code who} section: attribution's state,
     * then per component its growth and sites, each with its share and what it holds.
     */
    private static void who(Budget b, StringBuilder out) {
        Budget.Who w = b.who();
        if (w == null) {
            return;
        }
        String state = !w.on() ? "off, last findings"
                : w.sinceMillis().isPresent() ? String.format(Locale.ROOT, "on for %.1f s", (b.timeMillis() - w.sinceMillis().getAsLong()) / 1000.0)
                : "switching on";
        fit(out, "who is growing  ", "(attribution " + state + (w.reason().isEmpty() ? "" : ", " + w.reason()) + "; mode " + w.mode()
                + "; counts what was created since it switched on and is still held)");
        if (w.components().isEmpty()) {
            out.append("  nothing attributed yet\n");
        }
        for (Budget.Who.Growing c : w.components()) {
            out.append("  ").append(c.component());
            if (c.growthBytesPerSecond().isPresent()) {
                double g = c.growthBytesPerSecond().getAsDouble();
                out.append(String.format(Locale.ROOT, " %s%.2f MiB/s", g >= 0 ? "+" : "-", Math.abs(g) / MIB));
            }
            out.append('\n');
            for (Budget.Who.Site s : c.sites()) {
                fit(out, String.format(Locale.ROOT, "    %4.0f%%  %-14s ", 100 * s.share(), amount(s)), s.site());
            }
        }
        out.append('\n');
    }

    /** What a site holds, in its unit: {@code 40.0 MiB} for bytes, {@code 3 threads}, {@code 120 classes}. */
    static String amount(Budget.Who.Site s) {
        String unit = s.unit();
        if (unit.endsWith("Bytes")) {
            return mib(s.amount()) + " MiB";
        }
        String noun = unit.startsWith("live") && unit.length() > 4 ? unit.substring(4).toLowerCase(Locale.ROOT) : unit;
        return s.amount() + " " + noun;
    }

    private static void jvmAndProcess(Budget b, String whoseJvm, StringBuilder out) {
        JvmSnapshot j = b.jvm();
        if (j != null) {
            fit(out, "jvm           ", String.format(Locale.ROOT, "(%s) %s, heap %s used / %s committed / %s max MiB, %d threads, %d GCs",
                    whoseJvm, j.collector(), mib(j.heapUsedBytes()), mib(j.heapCommittedBytes()), mibOrDash(j.heapMaxBytes()),
                    j.threadCount(), j.gcCount()));
        }
        ProcessSnapshot p = b.process();
        if (p != null && p.rssBytes().isPresent()) {
            fit(out, "process       ", String.format(Locale.ROOT, "RSS %s MiB (anon %s, file %s, shmem %s), swap %s",
                    mib(p.rssBytes().getAsLong()), mibOrDash(p.rssAnonBytes()), mibOrDash(p.rssFileBytes()),
                    mibOrDash(p.rssShmemBytes()), mibOrDash(p.swapBytes())));
        }
        out.append('\n');
    }

    private static void row(StringBuilder out, String label, String value, String note) {
        fit(out, String.format(Locale.ROOT, "  %-12s %14s  ", label, value), note);
    }

    /**
     * One line of {@code prefix} then {@code text}, wrapped at {@link #WIDTH}: continuation lines start
     * under the text when at least {@link #MIN_NOTE} columns remain there, else 4 columns in from the
     * prefix's indentation; a word wider than a whole line is broken, not cut, so nothing is lost.
     */
    static void fit(StringBuilder out, String prefix, String text) {
        int indent = 0;
        while (indent < prefix.length() && prefix.charAt(indent) == ' ') {
            indent++;
        }
        String hang = " ".repeat(WIDTH - prefix.length() >= MIN_NOTE ? prefix.length() : indent + 4);
        StringBuilder line = new StringBuilder(WIDTH + 1).append(prefix);
        int bare = prefix.length();
        // split(" ", -1) keeps the empty words of a double space, so "src  <- binding" stays as written
        for (String word : text.split(" ", -1)) {
            String w = word;
            while (true) {
                int gap = line.length() > bare ? 1 : 0;
                if (line.length() + gap + w.length() <= WIDTH) {
                    line.append(gap == 1 ? " " : "").append(w);
                    break;
                }
                if (line.length() > hang.length()) {
                    // something (a word, or a prefix wider than the hang) is on this line: go on under it
                    out.append(line.toString().stripTrailing()).append('\n');
                    line.setLength(0);
                    line.append(hang);
                    bare = hang.length();
                    continue;
                }
                int room = WIDTH - line.length();
                out.append(line).append(w, 0, room).append('\n');
                line.setLength(0);
                line.append(hang);
                bare = hang.length();
                w = w.substring(room);
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
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
