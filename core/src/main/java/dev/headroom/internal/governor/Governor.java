package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.PressureLevel;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.jvm.FullCollection;
import dev.headroom.internal.report.ReportJson;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Acts on each budget, in this order: the heap check (a full collection before the heap's figure
 * makes it dump or exit), the pressure level (with hysteresis) and its event, the heap dump, the
 * orderly exit, and the reclaimer when the soft limit or idle reclaim is on. Each action
 * is contained: one that throws is reported once and the others still run. Runs on the sampler
 * thread only.
 */
public final class Governor {

    /** Told about every level change (listeners, MXBean notifications). */
    public interface LevelObserver {
        void levelChanged(PressureLevel previous, PressureLevel current, Budget budget);
    }

    private final EventSink events;
    private final Diagnostics diagnostics;
    private final Reclaimer reclaimer;
    private HeapDumps heapDumps;
    private OrderlyExit exit;
    private final LevelObserver observer;
    private final boolean reclaimOn;
    private final PressureLevels levels = new PressureLevels();
    private final WarnMessage warnMessage = new WarnMessage();
    private final LimitsReached limitsReached;
    /** Made when a dump or exit first needs it: a JVM without either never loads it. */
    private HeapCheck heapCheck;
    private LongSupplier fullCollection;
    private HeapCheck.Pause heapCheckPause = HeapCheck.Pause.SLEEP;
    private volatile HeadroomConfig.Size warnAt;
    private volatile HeadroomConfig.Size criticalAt;
    private volatile GovernorState state = GovernorState.initial();
    private volatile WhoReport who;
    /** The top sites as of the last sample, for the heap dump event (written on another thread). */
    private volatile Map<String, Object> lastWho;

    public Governor(HeadroomConfig config, EventSink events, Diagnostics diagnostics, Reclaimer reclaimer,
                    HeapDumps heapDumps, OrderlyExit exit, LevelObserver observer) {
        this.events = events;
        this.diagnostics = diagnostics;
        this.reclaimer = reclaimer;
        this.heapDumps = heapDumps;
        this.exit = exit;
        this.observer = observer;
        this.limitsReached = new LimitsReached(events);
        this.reclaimOn = !config.softLimit().isOff() || config.idleReclaim();
        this.warnAt = config.warnAt();
        this.criticalAt = config.criticalAt();
        this.who = new WhoReport(Attribution.NONE, config.who(), warnMessage);
        if (heapDumps != null) {
            heapDumps.whoFields(() -> lastWho);
        }
    }

    /** Replaces the full collection the heap check makes (tests: no {@code System.gc()} in the test's JVM). */
    void fullCollection(LongSupplier collection) {
        fullCollection(collection, HeapCheck.Pause.SLEEP);
    }

    /** ... and how it waits for a second look (tests: a fake clock). */
    void fullCollection(LongSupplier collection, HeapCheck.Pause pause) {
        this.fullCollection = collection;
        this.heapCheckPause = pause;
        this.heapCheck = null;
    }

    /** Plugs in the agent's attribution (before the first sample); with {@code who=on} it starts now. */
    public void attribution(Attribution attribution) {
        this.who = new WhoReport(attribution, who.mode(), warnMessage);
    }

    /** {@code auto}, {@code on} or {@code off} (the writable MXBean). */
    public void whoMode(String mode) {
        HeadroomConfig.builder().who(mode);
        who.mode(mode);
    }

    public String whoMode() {
        return who.mode();
    }

    /** A lease on attribution for {@code report --who}: its id and the mode in force before it. */
    public record WhoLease(long id, String previousMode) {
    }

    /**
     * Holds attribution on for at most {@code seconds} ({@code report --who} over the channel); the mode
     * goes back to what it was when the last lease ends or expires. Sampler thread only.
     *
     * @throws IllegalStateException refused, with the reason in words: no attribution in this JVM, its
     *                               mode is {@code off}, or it failed earlier
     */
    public WhoLease whoLease(long seconds, long nowNanos) {
        try {
            WhoReport.Lease l = who.lease(seconds, nowNanos);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("mode", who.mode());
            f.put("by", WhoReport.LEASE_REASON);
            f.put("lease", l.id());
            f.put("seconds", seconds);
            events.emit("who_mode", f, "who is growing: attribution held on for at most " + seconds + " s by report --who"
                    + " (mode was " + l.previousMode() + ")");
            return new WhoLease(l.id(), l.previousMode());
        } catch (WhoReport.Refused e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Ends lease {@code id} ({@code seconds} 0) or moves its end; false when it has ended already. Sampler thread only. */
    public boolean whoRenew(long id, long seconds, long nowNanos) {
        return who.renew(id, seconds, nowNanos);
    }

    /**
     * {@code budget} with its {@code who} section as attribution has it now, for an answer given
     * between samples (the channel); the budget itself when attribution is off. Sampler thread only.
     */
    public Budget withCurrentWho(Budget budget) {
        try {
            WhoReport w = who;
            Map<String, List<Attribution.Site>> top = w.top();
            Budget.Who section = w.section(top, budget);
            return section == null && budget.who() == null ? budget : budget.withWho(section);
        } catch (RuntimeException e) {
            diagnostics.failure("who", e);
            return budget;
        }
    }

    public GovernorState state() {
        return state;
    }

    /** The warn threshold in force (the writable MXBean may change it). */
    public HeadroomConfig.Size warnAt() {
        return warnAt;
    }

    /** The critical threshold in force. */
    public HeadroomConfig.Size criticalAt() {
        return criticalAt;
    }

    /** Changes the thresholds at run time (the writable MXBean); checked like the builder does. */
    public void setThresholds(HeadroomConfig.Size warn, HeadroomConfig.Size critical) {
        HeadroomConfig.builder().warnAt(warn).criticalAt(critical).build();
        this.warnAt = warn;
        this.criticalAt = critical;
    }

    /**
     * Replaces the heap dump and exit actions (null for none) when their options change at run time;
     * on the sampler thread, between samples.
     */
    public void actions(HeapDumps heapDumps, OrderlyExit exit) {
        this.heapDumps = heapDumps;
        this.exit = exit;
    }

    /** Acts on one sample; returns the budget carrying the governor state after acting. */
    public Budget onSample(Budget sampled, long nowNanos) {
        Budget budget = sampled;
        if (heapDumps != null || exit != null) {
            try {
                if (heapCheck == null) {
                    heapCheck = new HeapCheck(events, fullCollection != null ? fullCollection : FullCollection.SYSTEM_GC,
                            heapCheckPause);
                }
                budget = heapCheck.judged(sampled, heapDumps, exit, nowNanos);
            } catch (RuntimeException e) {
                diagnostics.failure("heap check", e);
            }
        }
        warnMessage.record(budget);
        PressureLevel previous = levels.level();
        PressureLevel current = levels.update(Thresholds.warnRatio(warnAt, budget), Thresholds.ratio(criticalAt, budget), nowNanos);
        Map<String, List<Attribution.Site>> top = whoTop();
        if (current != previous) {
            levelChanged(previous, current, budget.withGovernor(state.withLevel(current)), top);
        }
        Budget.Who whoSection = steerWho(budget, current, top, nowNanos);
        limitsReached.onSample(budget);
        if (heapDumps != null) {
            try {
                heapDumps.onSample(budget, nowNanos);
            } catch (RuntimeException e) {
                diagnostics.failure("heap dump trigger", e);
            }
        }
        if (exit != null) {
            try {
                exit.onSample(budget);
            } catch (RuntimeException e) {
                diagnostics.failure("exit trigger", e);
            }
        }
        GovernorState s = state.withLevel(current)
                .withHeapDumps(heapDumps == null ? 0 : heapDumps.written(), heapDumps == null ? 0 : heapDumps.refused());
        if (reclaimOn) {
            try {
                GovernorState r = reclaimer.onSample(budget, nowNanos, s);
                // The level and dump counters are the governor's own, whatever the reclaimer returns.
                s = r.withLevel(s.level()).withHeapDumps(s.heapDumps(), s.heapDumpsRefused());
            } catch (RuntimeException e) {
                diagnostics.failure("reclaimer " + reclaimer.getClass().getName(), e);
            }
        }
        state = s;
        return budget.toBuilder().governor(s).who(whoSection).build();
    }

    /** Attribution's top sites, read once per sample (reading drains its tables); empty on failure. */
    private Map<String, List<Attribution.Site>> whoTop() {
        try {
            return who.top();
        } catch (RuntimeException e) {
            diagnostics.failure("who", e);
            return Map.of();
        }
    }

    /** Switches attribution by level, emits its first answer, and returns the budget's {@code who} section. */
    private Budget.Who steerWho(Budget budget, PressureLevel current, Map<String, List<Attribution.Site>> top, long nowNanos) {
        try {
            WhoReport w = who;
            String skipped = w.steer(current, budget.headroomBytes(), nowNanos);
            if (skipped != null) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("headroomBytes", budget.headroomBytes().getAsLong());
                fields.put("costBytes", WhoReport.COST_BYTES);
                events.emit("who_skipped", fields, skipped);
            }
            lastWho = w.fieldsIfAny(top, budget);
            Map.Entry<Map<String, Object>, String> answer = w.firstAnswer(top, budget, current);
            if (answer != null) {
                events.emit("who", answer.getKey(), answer.getValue());
            }
            return w.section(top, budget);
        } catch (RuntimeException e) {
            diagnostics.failure("who", e);
            return null;
        }
    }

    private void levelChanged(PressureLevel previous, PressureLevel current, Budget budget, Map<String, List<Attribution.Site>> top) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("level", current.name());
        fields.put("previous", previous.name());
        fields.putAll(ReportJson.figures(budget));
        fields.put("warnAtBytes", warnAt.resolve(budget.limitBytes()));
        fields.put("criticalAtBytes", criticalAt.resolve(budget.limitBytes()));
        fields.put("largest", warnMessage.largest(budget, 3));
        String message = warnMessage.describe(previous, current, budget);
        Map<String, Object> whoFields = who.fieldsIfAny(top, budget);
        if (whoFields != null) {
            fields.put("who", whoFields);
            message = message + "; who: " + who.lineIfAny(top, budget);
        }
        events.emit("pressure", fields, message);
        observer.levelChanged(previous, current, budget);
    }
}
