package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.PressureLevel;
import dev.headroom.internal.config.Values;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the {@link Attribution} from the pressure level and words what it found. With
 * {@code who=auto} it is switched on when the level reaches WARN and off when it falls back below;
 * {@code on} keeps it on, {@code off} never switches it (the MXBean may still). Once it has collected
 * for {@value #COLLECT_MILLIS} ms during an incident, one {@code who} event names the top sites of
 * the growing components; every later pressure event and the heap dump event carry them too, and
 * every budget carries them as its {@code who} section ({@link #section}).
 *
 * <p>{@code report --who} holds attribution on through the channel with a <em>lease</em>
 * ({@link #lease}): at most {@value #MAX_LEASE_SECONDS} s, after which (or when the CLI ends it) the
 * mode goes back to what it was, so a CLI that dies cannot leave instrumentation behind.
 *
 * <p>Sampler thread only, except {@link #mode(String)}.
 */
final class WhoReport {
    /**
     * How long attribution collects before its first answer: a leak of a few MiB/s gives some dozens
     * of byte samples in that time, and the answer must come well before the limit.
     */
    static final long COLLECT_MILLIS = 1_500;
    static final int SITES = 3;
    /** Sites per component in a budget's {@code who} section: a few more than an event line has room for. */
    static final int SECTION_SITES = 5;
    static final long MAX_LEASE_SECONDS = 3_600;
    static final int MAX_LEASES = 8;
    static final String LEASE_REASON = "report --who";
    /**
     * What switching attribution on adds to the JVM's native memory, rounded up: measured 28 MiB
     * committed by Native Memory Tracking on JDK 17 (JFR's buffers 15.6 MiB, metaspace, classes,
     * symbols and code of the instrumentation 11.6 MiB), and the resident size of an idle JVM grew
     * 55-64 MiB with the heap its start-up allocations touch (docs/who.md).
     */
    static final int COST_MIB = 32;
    static final long COST_BYTES = (long) COST_MIB << 20;
    /** {@code auto} spends at most a quarter of the headroom left on attribution. */
    static final int AFFORD_SHARE = 4;

    /** A lease granted: its id, to end or extend it, and the mode in force before it. */
    record Lease(long id, String previousMode) {
    }

    /** Why a lease is refused, in words for the CLI's one line. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final Attribution attribution;
    private final WarnMessage growth;
    private volatile String mode;
    /** Counts mode changes by request, so a lease ending never undoes a later request's mode. */
    private final AtomicLong modeChanges = new AtomicLong();
    private volatile String reason = "";
    private boolean reported;
    /** This incident's rise to WARN was not followed by attribution (too little headroom), and said so. */
    private boolean skipped;
    private PressureLevel lastLevel = PressureLevel.OK;
    /** Lease id to its deadline (nanoTime); what {@link #modeBeforeLeases} is restored after. */
    private final Map<Long, Long> leases = new HashMap<>();
    private long nextLease = 1;
    private String modeBeforeLeases;
    private long leaseModeChanges;

    WhoReport(Attribution attribution, String mode, WarnMessage growth) {
        this.attribution = attribution;
        this.growth = growth;
        this.mode = mode;
        if (mode.equals("on")) {
            switchOn("who=on");
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
        modeChanges.incrementAndGet();
        if (newMode.equals("on")) {
            switchOn("switched on by request");
        } else if (newMode.equals("off")) {
            attribution.off("switched off by request");
        }
    }

    private void switchOn(String why) {
        reason = why;
        attribution.on(why);
    }

    /**
     * Called with every sample's level and the headroom left to the binding limit (empty when there is
     * none). Returns why {@code auto} did not switch attribution on at this rise to WARN, once per
     * incident, or null: attribution costs about {@value #COST_MIB} MiB of native memory, which must
     * not be the memory that kills the JVM it is explaining.
     */
    String steer(PressureLevel level, OptionalLong headroomBytes, long nowNanos) {
        lastLevel = level;
        expireLeases(nowNanos);
        boolean high = level.compareTo(PressureLevel.WARN) >= 0;
        if (!high) {
            reported = false;
            skipped = false;
        }
        if (!mode.equals("auto")) {
            return null;
        }
        if (high && !attribution.isOn()) {
            if (headroomBytes.isPresent() && headroomBytes.getAsLong() < AFFORD_SHARE * COST_BYTES) {
                if (skipped || attribution == Attribution.NONE) {
                    return null;
                }
                skipped = true;
                return String.format(Locale.ROOT, "who is growing: attribution not switched on at %s: it costs about %d MiB of native"
                                + " memory (JFR's buffers, the instrumented classes) and %s is left to the limit; it switches on"
                                + " with %s or more left, and with who=on from the start or report --pid %d --who on request",
                        level, COST_MIB, Values.humanBytes(headroomBytes.getAsLong()), Values.humanBytes(AFFORD_SHARE * COST_BYTES),
                        ProcessHandle.current().pid());
            }
            switchOn("pressure " + level);
        } else if (!high && attribution.isOn()) {
            attribution.off("pressure back to " + level);
        }
        return null;
    }

    /**
     * Holds attribution on for {@code seconds} ({@code report --who}): switches it on unless it is on
     * already, and remembers the mode to go back to when the last lease ends.
     *
     * @throws Refused this JVM has no attribution, its mode is {@code off}, or it failed earlier
     */
    Lease lease(long seconds, long nowNanos) throws Refused {
        String m = mode;
        // who=off first: the agent installs no attribution at all under it (unless jmxWritable)
        if (m.equals("off")) {
            throw new Refused("attribution is off in this JVM (who=off, or switched off over JMX): its owner keeps it"
                    + " from switching on; start it with who=auto (the default) to allow report --who");
        }
        if (attribution == Attribution.NONE) {
            throw new Refused("this JVM has no attribution: Headroom runs there without its agent (the library, or the"
                    + " Spring starter alone), or the JVM cannot retransform classes; start it with"
                    + " -javaagent:headroom-agent.jar");
        }
        if (leases.size() >= MAX_LEASES) {
            throw new Refused(MAX_LEASES + " report --who already hold attribution on; try again when one has ended");
        }
        if (m.equals("on") && !attribution.isOn()) {
            throw new Refused("attribution failed earlier in this JVM and stays off (its error event says why)");
        }
        if (leases.isEmpty()) {
            modeBeforeLeases = m;
            if (m.equals("auto")) {
                mode = "on";
                leaseModeChanges = modeChanges.incrementAndGet();
                switchOn(LEASE_REASON);
                if (!attribution.isOn()) {
                    mode = m;
                    modeBeforeLeases = null;
                    throw new Refused("attribution failed earlier in this JVM and stays off (its error event says why)");
                }
            }
        }
        long id = nextLease++;
        leases.put(id, nowNanos + TimeUnit.SECONDS.toNanos(Math.min(seconds, MAX_LEASE_SECONDS)));
        return new Lease(id, m);
    }

    /**
     * Ends lease {@code id} ({@code seconds} 0) or moves its end to {@code seconds} from now; false
     * when there is no such lease (it ended already).
     */
    boolean renew(long id, long seconds, long nowNanos) {
        if (!leases.containsKey(id)) {
            return false;
        }
        if (seconds <= 0) {
            leases.remove(id);
            afterLeases();
        } else {
            leases.put(id, nowNanos + TimeUnit.SECONDS.toNanos(Math.min(seconds, MAX_LEASE_SECONDS)));
        }
        return true;
    }

    private void expireLeases(long nowNanos) {
        boolean any = false;
        for (Iterator<Long> it = leases.values().iterator(); it.hasNext(); ) {
            if (nowNanos - it.next() >= 0) {
                it.remove();
                any = true;
            }
        }
        if (any) {
            afterLeases();
        }
    }

    /** When the last lease has ended: back to the mode before, unless a request changed it since. */
    private void afterLeases() {
        if (!leases.isEmpty() || modeBeforeLeases == null) {
            return;
        }
        String before = modeBeforeLeases;
        modeBeforeLeases = null;
        if (before.equals("auto") && mode.equals("on") && modeChanges.get() == leaseModeChanges) {
            mode = "auto";
            if (lastLevel.compareTo(PressureLevel.WARN) < 0 && attribution.isOn()) {
                attribution.off("report --who done, pressure " + lastLevel);
            }
        }
    }

    /** The top sites now, at most {@link #SECTION_SITES} per component; empty when nothing was seen. */
    Map<String, List<Attribution.Site>> top() {
        return attribution.top(SECTION_SITES);
    }

    /**
     * The budget's {@code who} section: null when attribution is off and has nothing to say (always,
     * without the agent).
     */
    Budget.Who section(Map<String, List<Attribution.Site>> top, Budget budget) {
        boolean on = attribution.isOn();
        if (!on && top.isEmpty()) {
            return null;
        }
        List<Budget.Who.Growing> components = new ArrayList<>();
        for (String component : ordered(top, budget)) {
            List<Budget.Who.Site> sites = new ArrayList<>();
            for (Attribution.Site s : top.get(component)) {
                sites.add(new Budget.Who.Site(s.frame(), s.amount(), s.unit(), s.share()));
            }
            double g = rate(budget, component);
            components.add(new Budget.Who.Growing(component, Double.isNaN(g) ? OptionalDouble.empty() : OptionalDouble.of(g), sites));
        }
        long forMillis = attribution.onForMillis();
        return new Budget.Who(on, mode, reason, on && forMillis > 0 ? OptionalLong.of(budget.timeMillis() - forMillis)
                : OptionalLong.empty(), components);
    }

    /** The {@code who} event's fields and line, once per incident when there is an answer; else null. */
    Map.Entry<Map<String, Object>, String> firstAnswer(Map<String, List<Attribution.Site>> top, Budget budget, PressureLevel level) {
        if (reported || level.compareTo(PressureLevel.WARN) < 0 || attribution.onForMillis() < COLLECT_MILLIS || top.isEmpty()) {
            return null;
        }
        reported = true;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("level", level.name());
        f.put("who", fields(top, budget));
        return Map.entry(f, "who is growing (pressure " + level + "): " + line(top, budget));
    }

    /** The top sites for an event's {@code who} field; null when attribution has nothing to say. */
    Map<String, Object> fieldsIfAny(Map<String, List<Attribution.Site>> top, Budget budget) {
        return !attribution.isOn() || top.isEmpty() ? null : fields(top, budget);
    }

    /** The words for a pressure line, or null. */
    String lineIfAny(Map<String, List<Attribution.Site>> top, Budget budget) {
        return !attribution.isOn() || top.isEmpty() ? null : line(top, budget);
    }

    private Map<String, Object> fields(Map<String, List<Attribution.Site>> top, Budget budget) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String component : ordered(top, budget)) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("growthBytesPerSecond", rate(budget, component));
            List<Map<String, Object>> sites = new ArrayList<>();
            for (Attribution.Site s : events(top.get(component))) {
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
            List<Attribution.Site> sites = events(top.get(component));
            for (int i = 0; i < sites.size(); i++) {
                Attribution.Site s = sites.get(i);
                sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.0f%% ", 100 * s.share())).append(s.frame());
            }
        }
        return sb.toString();
    }

    /** An event names the {@value #SITES} largest sites (the list is largest first). */
    private static List<Attribution.Site> events(List<Attribution.Site> sites) {
        return sites.size() > SITES ? sites.subList(0, SITES) : sites;
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
