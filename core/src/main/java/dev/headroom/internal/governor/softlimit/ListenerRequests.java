package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.ReclaimRequest;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.EventSink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asks the application's listeners to give memory back ({@link ReclaimRequest}): the soft limit's
 * requests at most once every 5 s, idle ones whenever idle reclaim acts. A
 * request nobody listens to is neither counted nor reported. Sampler thread only.
 */
final class ListenerRequests {
    static final long SPACING_NANOS = 5_000_000_000L;

    private final EventSink sink;
    private final SoftLimitEvents report;
    private long lastNanos = Long.MIN_VALUE;
    private long asked;

    ListenerRequests(EventSink sink, SoftLimitEvents report) {
        this.sink = sink;
        this.report = report;
    }

    /**
     * @param wanted bytes the application should give back (negative counts as 0)
     * @param at     the sample's moment: its soft limit goes into the request
     */
    void ask(Budget budget, long now, ReclaimRequest.Level level, long wanted, String reason, SoftLimitEvents.Moment at) {
        if (level != ReclaimRequest.Level.IDLE && lastNanos != Long.MIN_VALUE && now - lastNanos < SPACING_NANOS) {
            return;
        }
        ReclaimRequest request = new ReclaimRequest(Math.max(0, wanted), level, reason, budget.workingSetBytes(), at.softLimit());
        if (!sink.reclaimRequest(request)) {
            return;
        }
        lastNanos = now;
        asked++;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("level", level.name());
        extra.put("bytesWanted", request.bytesWanted());
        report.action(level == ReclaimRequest.Level.IDLE, "request_listeners", reason + ": asked the application's listeners for "
                + Values.humanBytes(request.bytesWanted()) + " (" + level + ")", at, extra);
    }

    /** Requests that reached at least one listener: each counts as an action. */
    long asked() {
        return asked;
    }
}
