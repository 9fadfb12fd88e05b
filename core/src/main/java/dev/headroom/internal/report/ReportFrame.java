package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * One screen of {@code report --watch}: the pressure level, the binding limit, the trend (growth and
 * time to the limit), every limit with a bar, and the largest components; at most {@link ReportText#WIDTH}
 * columns and a couple of dozen lines, so it can be redrawn in place every interval. A pure function
 * of a budget, like the other renderers: the CLI draws it for its own JVM, and a running Headroom draws
 * it for {@code report --watch --pid} on its channel.
 */
public final class ReportFrame {
    private static final int BAR = 20;
    /** Components listed; the rest are summed into one line. */
    private static final int TOP_COMPONENTS = 6;
    /** Sites named per component on a frame's who line. */
    private static final int WHO_SITES = 2;

    private ReportFrame() {
    }

    public static String render(Budget b) {
        StringBuilder out = new StringBuilder(2048);
        GovernorState g = b.governor();
        Constraint binding = b.bindingConstraint().orElse(null);
        ReportText.fit(out, "level         ", (g == null ? "-" : g.level().name())
                + (binding == null ? "  (no limit known)" : "  binding: " + binding.name() + " at " + percent(binding.share())
                        + (binding.soon() ? ", full SOON" : "")));
        ReportText.fit(out, "working set   ", (b.workingSetBytes() >= 0 ? ReportText.mib(b.workingSetBytes()) + " MiB" : "-")
                + " of " + (b.limitBytes().isPresent() ? ReportText.mib(b.limitBytes().getAsLong()) + " MiB" : "no limit")
                + ", headroom " + (b.headroomBytes().isPresent() ? ReportText.mib(b.headroomBytes().getAsLong()) + " MiB"
                        : b.limitBytes().isPresent() ? "-" : "unlimited"));
        ReportText.fit(out, "trend         ", trend(b.growthBytesPerSecond(), b.secondsToLimit()));
        if (binding != null) {
            ReportText.fit(out, "binding       ", binding.name() + ": " + amount(binding, binding.used()) + " of "
                    + amount(binding, binding.limit()) + ", " + trend(binding.growthPerSecond(), binding.secondsToLimit())
                    + " (" + binding.source() + ")");
        }
        out.append('\n');
        if (!b.constraints().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%-15s %21s %6s  %-" + (BAR + 2) + "s  %s%n", "limit", "used / limit", "share", "", "trend"));
            for (Constraint c : b.constraints()) {
                String row = String.format(Locale.ROOT, "%s%-14s %21s %6s  %-" + BAR + "s  ", c == binding ? ">" : " ", c.name(),
                        amount(c, c.used()) + " / " + amount(c, c.limit()), percent(c.share()), bar(c.share()));
                ReportText.fit(out, row, trend(c.growthPerSecond(), c.secondsToLimit()));
            }
            out.append('\n');
        }
        components(b, out);
        who(b, out);
        if (g != null && (g.heapDumps() > 0 || g.actions() > 0 || g.softLimitBytes().isPresent())) {
            ReportText.fit(out, "governor      ", "heap dumps " + g.heapDumps() + ", reclaim actions " + g.actions() + " ("
                    + ReportText.mib(g.bytesReturned()) + " MiB back)"
                    + (g.softLimitBytes().isPresent() ? ", soft limit " + ReportText.mib(g.softLimitBytes().getAsLong()) + " MiB"
                            + (g.overSoftLimit() ? " (over it)" : "") : ""));
        }
        if (!b.errors().isEmpty()) {
            ReportText.fit(out, "errors        ", b.errors().size() + " (first: " + b.errors().get(0) + ")");
        }
        ReportText.fit(out, "sampled       ", Instant.ofEpochMilli(b.timeMillis()).toString());
        return out.toString();
    }

    private static void components(Budget b, StringBuilder out) {
        List<Budget.Component> sorted = new ArrayList<>(b.components());
        if (sorted.isEmpty()) {
            return;
        }
        sorted.sort(Comparator.comparingLong(Budget.Component::bytes).reversed());
        StringBuilder line = new StringBuilder();
        long rest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Budget.Component c = sorted.get(i);
            if (i < TOP_COMPONENTS) {
                line.append(line.length() == 0 ? "" : ", ").append(c.name()).append(' ').append(ReportText.mib(c.bytes()));
            } else {
                rest += c.bytes();
            }
        }
        if (sorted.size() > TOP_COMPONENTS) {
            line.append(", ").append(sorted.size() - TOP_COMPONENTS).append(" more ").append(ReportText.mib(rest));
        }
        ReportText.fit(out, "largest (MiB) ", line.toString());
    }

    /** One line per growing component with its largest sites, when attribution has found any. */
    private static void who(Budget b, StringBuilder out) {
        Budget.Who w = b.who();
        if (w == null) {
            return;
        }
        if (w.components().isEmpty()) {
            ReportText.fit(out, "who           ", w.on() ? "attribution on, nothing attributed yet" : "attribution off");
        }
        for (Budget.Who.Growing c : w.components()) {
            StringBuilder line = new StringBuilder(c.component()).append(':');
            for (int i = 0; i < c.sites().size() && i < WHO_SITES; i++) {
                Budget.Who.Site s = c.sites().get(i);
                line.append(i == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%.0f%% ", 100 * s.share())).append(s.site());
            }
            ReportText.fit(out, "who           ", line.toString());
        }
    }

    /** {@code +1.2 MiB/s, full in 3m 20s}; {@code not growing}; {@code growth not known yet}. */
    static String trend(OptionalDouble growthPerSecond, OptionalDouble secondsToLimit) {
        if (growthPerSecond.isEmpty()) {
            return "growth not known yet";
        }
        double g = growthPerSecond.getAsDouble();
        String rate = String.format(Locale.ROOT, "%s%.2f MiB/s", g >= 0 ? "+" : "-", Math.abs(g) / (1024.0 * 1024.0));
        if (secondsToLimit.isPresent()) {
            return rate + ", full in " + duration(secondsToLimit.getAsDouble());
        }
        return rate + (g > 0 ? "" : ", not growing");
    }

    /** {@code 45s}, {@code 3m 20s}, {@code 2h 05m}, {@code 3d 04h}: short and whole. */
    static String duration(double seconds) {
        long s = (long) Math.ceil(Math.max(0, seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %02dh", s / 86_400, s % 86_400 / 3600);
    }

    private static String amount(Constraint c, long value) {
        return c.unit().equals("bytes") ? ReportText.mib(value) + " MiB" : value + " threads";
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String bar(double share) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, share)) * BAR);
        return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "]";
    }
}
