package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.events.EventSink;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Writes the {@code soft_limit} and {@code idle_reclaim} events: every action with its reason and its
 * effect, and every missing lever. Holds nothing that changes, so the sampler thread and the reclaim
 * thread both write through it (the {@link EventSink} is thread-safe).
 */
final class SoftLimitEvents {
    private final EventSink sink;
    private final double gcCpuCap;
    private final Collector collector;

    /**
     * Where things stood on the sample that decided an action; every action event carries it.
     *
     * @param softLimit  the soft limit in force; empty when off
     * @param workingSet the working set, in bytes
     * @param gcLoad     the collector's share of the machine over the last window, 0..1
     */
    record Moment(OptionalLong softLimit, long workingSet, double gcLoad) {
    }

    /** @param gcCpuCapPercent {@code gcCpuCap} as configured, in percent */
    SoftLimitEvents(EventSink sink, double gcCpuCapPercent, Collector collector) {
        this.sink = sink;
        this.gcCpuCap = gcCpuCapPercent / 100.0;
        this.collector = collector;
    }

    /**
     * @param idle    an idle-reclaim action ({@code idle_reclaim}) rather than a soft-limit one
     * @param action  the event's {@code action} field
     * @param message the reason and the effect, for people
     * @param extra   the action's own fields, between the moment and the GC CPU fields
     */
    void action(boolean idle, String action, String message, Moment at, Map<String, Object> extra) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("action", action);
        f.put("reason", message);
        f.put("softLimitBytes", at.softLimit());
        f.put("workingSetBytes", at.workingSet());
        f.putAll(extra);
        f.put("gcCpuShare", Math.round(at.gcLoad() * 1000) / 1000.0);
        f.put("gcCpuCap", gcCpuCap);
        f.put("collector", collector.name());
        emit(idle, f, message);
    }

    void leverUnavailable(Levers.Unavailable missing) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("action", "lever_unavailable");
        f.put("lever", missing.lever());
        f.put("reason", missing.reason());
        emit(missing.idle(), f, missing.reason());
    }

    private void emit(boolean idle, Map<String, Object> fields, String message) {
        sink.emit(idle ? "idle_reclaim" : "soft_limit", fields, (idle ? "idle reclaim: " : "soft limit: ") + message);
    }

    /** {@code name=value, name=value} for flags in a message. */
    static String describe(Map<String, Object> flagValues) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : flagValues.entrySet()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    /** A share as a whole percentage: {@code 0.9} is {@code "90%"}. */
    static String pct(double share) {
        return Math.round(share * 100) + "%";
    }
}
