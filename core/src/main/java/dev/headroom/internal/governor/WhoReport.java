package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.PressureLevel;
import dev.headroom.internal.config.Values;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drives the {@link Attribution} from the pressure level and words what it found. With
 * {@code who=auto} it is switched on when the level reaches WARN and off when it falls back below;
 * {@code on} keeps it on, {@code off} never switches it (the MXBean may still). Once it has collected
 * for {@value #COLLECT_MILLIS} ms during an incident, one {@code who} event names the top sites of
 * the growing components; every later pressure event and the heap dump event carry them too.
 * Sampler thread only, except {@link #mode(String)}.
 */
final class WhoReport {
    /**
     * How long attribution collects before its first answer: a leak of a few MiB/s gives some dozens
     * of byte samples in that time, and the answer must come well before the limit.
     */
    static final long COLLECT_MILLIS = 1_500;
    static final int SITES = 3;

    private final Attribution attribution;
    private final WarnMessage growth;
    private volatile String mode;
    private boolean reported;

    WhoReport(Attribution attribution, String mode, WarnMessage growth) {
        this.attribution = attribution;
        this.growth = growth;
        this.mode = mode;
        if (mode.equals("on")) {
            attribution.on("who=on");
        }
    }

    String mode() {
        return mode;
    }

    /**
     * {@code auto}, {@code on} or {@code off}, from any thread: on and off switch at once, auto at
     * the next sample.
     */
    void mode(String newMode) {
        mode = newMode;
        if (newMode.equals("on")) {
            attribution.on("switched on by request");
        } else if (newMode.equals("off")) {
            attribution.off("switched off by request");
        }
    }

    /** Called with every sample's level. */
    void steer(PressureLevel level) {
        boolean high = level.compareTo(PressureLevel.WARN) >= 0;
        if (!high) {
            reported = false;
        }
        if (!mode.equals("auto")) {
            return;
        }
        if (high && !attribution.isOn()) {
            attribution.on("pressure " + level);
        } else if (!high && attribution.isOn()) {
            attribution.off("pressure back to " + level);
        }
    }

    /** The {@code who} event's fields and line, once per incident when there is an answer; else null. */
    Map.Entry<Map<String, Object>, String> firstAnswer(Budget budget, PressureLevel level) {
        if (reported || level.compareTo(PressureLevel.WARN) < 0 || attribution.onForMillis() < COLLECT_MILLIS) {
            return null;
        }
        Map<String, List<Attribution.Site>> top = attribution.top(SITES);
        if (top.isEmpty()) {
            return null;
        }
        reported = true;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("level", level.name());
        f.put("who", fields(top, budget));
        return Map.entry(f, "who is growing (pressure " + level + "): " + line(top, budget));
    }

    /** The top sites for an event's {@code who} field; null when attribution has nothing to say. */
    Map<String, Object> fieldsIfAny(Budget budget) {
        if (!attribution.isOn()) {
            return null;
        }
        Map<String, List<Attribution.Site>> top = attribution.top(SITES);
        return top.isEmpty() ? null : fields(top, budget);
    }

    /** The words for a pressure line, or null. */
    String lineIfAny(Budget budget) {
        if (!attribution.isOn()) {
            return null;
        }
        Map<String, List<Attribution.Site>> top = attribution.top(SITES);
        return top.isEmpty() ? null : line(top, budget);
    }

    private Map<String, Object> fields(Map<String, List<Attribution.Site>> top, Budget budget) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String component : ordered(top, budget)) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("growthBytesPerSecond", rate(budget, component));
            List<Map<String, Object>> sites = new ArrayList<>();
            for (Attribution.Site s : top.get(component)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("site", s.frame());
                m.put("share", Math.round(s.share() * 1000) / 1000.0);
                m.put(s.unit(), s.amount());
                sites.add(m);
            }
            c.put("sites", sites);
            out.put(component, c);
        }
        return out;
    }

    /** {@code direct_buffers +40 MiB/s — 75% a.B.put (B.java:88), 25% c.D.add (D.java:12); thread_stacks ...} */
    private String line(Map<String, List<Attribution.Site>> top, Budget budget) {
        StringBuilder sb = new StringBuilder(200);
        for (String component : ordered(top, budget)) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(component);
            double g = rate(budget, component);
            if (!Double.isNaN(g)) {
                sb.append(g >= 0 ? " +" : " -").append(Values.humanBytes((long) Math.abs(g))).append("/s");
            }
            sb.append(" \u2014 ");
            List<Attribution.Site> sites = top.get(component);
            for (int i = 0; i < sites.size(); i++) {
                Attribution.Site s = sites.get(i);
                sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.0f%% ", 100 * s.share())).append(s.frame());
            }
        }
        return sb.toString();
    }

    /** Components with sites, the fastest-growing first (unknown growth last). */
    private List<String> ordered(Map<String, List<Attribution.Site>> top, Budget budget) {
        List<String> names = new ArrayList<>(top.keySet());
        names.sort(Comparator.comparingDouble((String n) -> {
            double g = rate(budget, n);
            return Double.isNaN(g) ? Double.NEGATIVE_INFINITY : g;
        }).reversed());
        return names;
    }

    private double rate(Budget budget, String component) {
        for (Budget.Component c : budget.components()) {
            if (c.name().equals(component)) {
                return growth.growth(budget, c);
            }
        }
        return Double.NaN;
    }
}
