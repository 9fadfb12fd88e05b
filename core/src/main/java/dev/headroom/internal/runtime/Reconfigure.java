package dev.headroom.internal.runtime;

import dev.headroom.HeadroomConfig;
import dev.headroom.Reconfiguration;
import dev.headroom.internal.config.Option;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which options a running Headroom can change, and the plan for a change: the new configuration and
 * what is applied and what is not. Pure; the runtime applies the plan on its sampler thread.
 *
 * <p>Changeable: the thresholds ({@code warnAt}, {@code criticalAt}), the heap dump and exit options
 * (the governor reads them at each sample, and builds the action when it is turned on), and what is
 * printed ({@code quiet}, {@code log}). Fixed: what is built or opened once at start (the sampling
 * and watch periods, the event log, the Prometheus endpoint and its protection, the MXBean, the soft
 * limit and idle reclaim, whose levers are detected at start, the termination message file,
 * {@code root}).
 */
public final class Reconfigure {
    static final Set<Option> CHANGEABLE = EnumSet.of(Option.WARN_AT, Option.CRITICAL_AT, Option.HEAP_DUMP_AT,
            Option.HEAP_DUMP_DIR, Option.HEAP_DUMP_ALLOW_TMPFS, Option.HEAP_DUMP_MIN_INTERVAL, Option.EXIT_AT,
            Option.HEAP_DUMP_ON_OUT_OF_MEMORY, Option.EXIT_CODE, Option.QUIET, Option.LOG);
    /** Not settings of a running Headroom: where options were read from, and whether to start in JDK tools. */
    private static final Set<Option> NOT_SETTINGS = EnumSet.of(Option.CONFIG, Option.ATTACH_TO_TOOLS);
    static final String FIXED = "fixed when Headroom started";

    private Reconfigure() {
    }

    /** The new configuration and what became of each option. */
    public record Plan(HeadroomConfig config, Reconfiguration result) {
    }

    /**
     * Plans setting {@code keys} of {@code wanted} on {@code running}. Only options whose value differs
     * appear in the result. {@code changeable} false (a copy that cannot change the running one) puts
     * every difference in {@code notApplied} with {@code why}.
     *
     * @param running null when the running configuration is unknown
     */
    public static Plan plan(HeadroomConfig running, HeadroomConfig wanted, Set<String> keys, boolean changeable, String why) {
        Set<Option> options = new LinkedHashSet<>();
        for (Option o : Option.values()) {
            if (!NOT_SETTINGS.contains(o) && keys.stream().anyMatch(k -> Option.find(k) == o)) {
                options.add(o);
            }
        }
        List<Reconfiguration.Change> applied = new ArrayList<>();
        List<Reconfiguration.Change> notApplied = new ArrayList<>();
        HeadroomConfig.Builder b = running == null ? null : running.toBuilder();
        for (Option o : options) {
            String mine = o.print(wanted);
            String theirs = running == null ? null : o.print(running);
            if (mine.equals(theirs)) {
                continue;
            }
            if (changeable && b != null && CHANGEABLE.contains(o)) {
                o.set(b, mine);
                applied.add(new Reconfiguration.Change(o.key(), theirs, mine, ""));
            } else {
                notApplied.add(new Reconfiguration.Change(o.key(), theirs, mine, changeable ? FIXED : why));
            }
        }
        if (b == null || applied.isEmpty()) {
            return new Plan(running, new Reconfiguration(List.of(), notApplied));
        }
        try {
            return new Plan(b.build(), new Reconfiguration(applied, notApplied));
        } catch (IllegalArgumentException e) {
            // warnAt and criticalAt that contradict once merged (the agent's warnAt over the application's
            // criticalAt): the running thresholds stay, and the rest still applies.
            HeadroomConfig.Builder again = running.toBuilder();
            List<Reconfiguration.Change> kept = new ArrayList<>();
            for (Reconfiguration.Change c : applied) {
                Option o = Option.named(c.key());
                if (o == Option.WARN_AT || o == Option.CRITICAL_AT) {
                    notApplied.add(new Reconfiguration.Change(c.key(), c.running(), c.wanted(), e.getMessage()));
                } else {
                    o.set(again, c.wanted());
                    kept.add(c);
                }
            }
            return new Plan(again.build(), new Reconfiguration(kept, notApplied));
        }
    }
}
