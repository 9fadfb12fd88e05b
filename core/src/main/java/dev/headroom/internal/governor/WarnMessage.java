package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.PressureLevel;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportJson;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The line a person on call reads when the level changes: how full, to which constraint, how fast,
 * how long until the limit, and which components are largest and growing. Component growth is
 * measured over up to a minute of history (snapshots at least {@value #SPACING_MILLIS} ms apart), not
 * between two adjacent samples, so one GC does not make the heap look like it is shrinking fast.
 */
final class WarnMessage {
    static final long SPACING_MILLIS = 5_000;
    static final int HISTORY = 12;

    private final long[] times = new long[HISTORY];
    private final List<Map<String, Long>> history = new ArrayList<>(Collections.nCopies(HISTORY, null));
    private int count;
    private int next;

    void record(Budget budget) {
        int last = (next + HISTORY - 1) % HISTORY;
        if (count > 0 && budget.timeMillis() - times[last] < SPACING_MILLIS) {
            return;
        }
        Map<String, Long> bytes = new HashMap<>();
        for (Budget.Component c : budget.components()) {
            bytes.put(c.name(), c.bytes());
        }
        times[next] = budget.timeMillis();
        history.set(next, bytes);
        next = (next + 1) % HISTORY;
        count = Math.min(count + 1, HISTORY);
    }

    /** Growth of one component in bytes per second over the history; NaN when not enough history. */
    double growth(Budget budget, Budget.Component c) {
        if (count == 0) {
            return Double.NaN;
        }
        int oldest = count < HISTORY ? 0 : next;
        long dt = budget.timeMillis() - times[oldest];
        Long then = history.get(oldest).get(c.name());
        if (dt < 1000 || then == null) {
            return Double.NaN;
        }
        return (c.bytes() - then) / (dt / 1000.0);
    }

    /**
     * The {@code n} largest components, each as in the budget schema's {@code components} plus its
     * {@code growthBytesPerSecond}, for the event's {@code largest} field.
     */
    List<Map<String, Object>> largest(Budget budget, int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Budget.Component c : top(budget, n)) {
            Map<String, Object> m = ReportJson.component(c);
            m.put("growthBytesPerSecond", growth(budget, c));
            out.add(m);
        }
        return out;
    }

    /** One constraint in words: "heap after GC 140 MiB = 91.5% of the 153 MiB max heap (-Xmx / MaxHeapSize)". */
    static String describe(Constraint c) {
        String what = switch (c.name()) {
            case Constraint.HEAP -> "heap after GC";
            case Constraint.DIRECT_MEMORY -> "direct memory";
            case Constraint.CLASS_SPACE -> "compressed class space";
            case Constraint.CODE_CACHE -> "code cache";
            default -> c.name().replace('_', ' ');
        };
        String now = String.format(Locale.ROOT, "%s %s = %.1f%% of the %s limit (%s)", what, amount(c, c.used()),
                100.0 * c.share(), amount(c, c.limit()), c.source());
        // A threshold may have been reached by the projection, not by the reading: say so.
        return c.judged() > c.used()
                ? now + String.format(Locale.ROOT, ", %s (%.1f%%) expected after the next collection", amount(c, c.nextUsed()),
                        100.0 * c.nextUsed() / c.limit())
                : now;
    }

    /** A figure of {@code c} in its unit: "140 MiB", or "480" for threads. */
    static String amount(Constraint c, long v) {
        return c.unit().equals("bytes") ? Values.humanBytes(v) : Long.toString(v);
    }

    String describe(PressureLevel previous, PressureLevel current, Budget budget) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("pressure ").append(current).append(" (was ").append(previous).append("): ");
        Constraint binding = budget.bindingConstraint().orElse(null);
        if (binding != null && !binding.name().equals(Constraint.CGROUP)) {
            sb.append(describe(binding));
            binding.growthPerSecond().ifPresent(g -> sb.append(g > 0 ? "; growing " + (binding.unit().equals("bytes") ? Values.humanBytes((long) g) : Math.round(g) + " threads") + "/s"
                    : "; not growing"));
            binding.secondsToLimit().ifPresent(s -> sb.append("; its limit in ~").append(duration(s)).append(" at this rate"));
            if (!binding.fatal()) {
                sb.append(" (when full, the JIT stops compiling)");
            }
            sb.append("; ");
        }
        sb.append("working set ").append(Values.humanBytes(budget.workingSetBytes()));
        if (budget.limitBytes().isPresent()) {
            long limit = budget.limitBytes().getAsLong();
            sb.append(String.format(Locale.ROOT, " = %.1f%% of the %s limit", 100.0 * budget.workingSetBytes() / limit,
                    Values.humanBytes(limit)));
        } else {
            sb.append(" (no limit)");
        }
        if (budget.headroomBytes().isPresent()) {
            sb.append("; headroom ").append(Values.humanBytes(budget.headroomBytes().getAsLong()));
            if (budget.cgroup() != null && budget.cgroup().binding() != null) {
                sb.append(" to ").append(budget.cgroup().binding().dir());
            }
        }
        ReportJson.Growth trend = ReportJson.Growth.of(budget);
        OptionalDouble growth = trend.perSecond();
        OptionalDouble left = trend.secondsToLimit();
        if (growth.isPresent()) {
            double g = growth.getAsDouble();
            if (g > 0) {
                sb.append("; growing ").append(Values.humanBytes((long) g)).append("/s");
            } else {
                sb.append("; not growing");
            }
        }
        if (left.isPresent()) {
            sb.append("; limit in ~").append(duration(left.getAsDouble())).append(" at this rate");
        }
        List<Budget.Component> top = top(budget, 3);
        if (!top.isEmpty()) {
            sb.append("; largest: ");
            for (int i = 0; i < top.size(); i++) {
                Budget.Component c = top.get(i);
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(c.name()).append(' ').append(Values.humanBytes(c.bytes()));
                double g = growth(budget, c);
                if (!Double.isNaN(g)) {
                    sb.append(g >= 0 ? " (+" : " (-").append(Values.humanBytes((long) Math.abs(g))).append("/s)");
                }
            }
        }
        return sb.toString();
    }

    private static List<Budget.Component> top(Budget budget, int n) {
        List<Budget.Component> sorted = new ArrayList<>(budget.components());
        sorted.removeIf(c -> c.name().equals("unattributed") && c.bytes() <= 0);
        sorted.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    static String duration(double seconds) {
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        } else if (seconds < 120) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        } else if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
