package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.report.ReportJson;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Records the moment a JVM limit runs out, so that no memory death goes unlogged: a fatal
 * constraint of the JVM's own (heap after a collection, direct memory, metaspace, class space) at
 * 98% of its limit or more means an {@code OutOfMemoryError} is being thrown now or
 * will be at the next allocation. One {@code limit_reached} event per constraint, re-armed when it
 * falls back below {@value #REARM}.
 *
 * <p>Why from the watch and not from the error itself: the JVM throws preallocated heap and
 * metaspace errors without running a constructor an agent could observe, an application may catch
 * the error (servers do), and {@code -XX:+ExitOnOutOfMemoryError} ends the JVM before any handler
 * runs. The watch sees the limit reached at the end of the collection that shows it, whatever the
 * application does next. Not thread-safe: the sampler thread owns it.
 */
final class LimitsReached {
    static final double REACHED = Constraint.EXHAUSTED_SHARE;
    static final double REARM = 0.90;

    private final EventSink events;
    private final Set<String> reached = new HashSet<>();

    LimitsReached(EventSink events) {
        this.events = events;
    }

    void onSample(Budget budget) {
        for (Constraint c : budget.constraints()) {
            if (!c.fatal() || c.name().equals(Constraint.CGROUP)) {
                continue;
            }
            if (c.share() < REARM) {
                reached.remove(c.name());
            } else if (c.share() >= REACHED && reached.add(c.name())) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("constraint", ReportJson.constraint(c));
                f.putAll(ReportJson.figures(budget));
                events.emit("limit_reached", f, WarnMessage.describe(c) + ": the JVM is out of it; an OutOfMemoryError is "
                        + "thrown now or at the next allocation that needs it");
            }
        }
    }
}
