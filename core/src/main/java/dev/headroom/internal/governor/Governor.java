package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.PressureLevel;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.runtime.EmptySnapshots;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Acts on each budget: the pressure level (with hysteresis), and the reclaimer when the soft limit
 * or idle reclaim is on. Runs on the sampler thread only.
 */
public final class Governor {

    /** Told about every level change (listeners, MXBean notifications). */
    public interface LevelObserver {
        void levelChanged(PressureLevel previous, PressureLevel current, Budget budget);
    }

    private final EventSink events;
    private final Diagnostics diagnostics;
    private final Reclaimer reclaimer;
    private final LevelObserver observer;
    private final boolean reclaimOn;
    private final PressureLevels levels = new PressureLevels();
    private final WarnMessage warnMessage = new WarnMessage();
    private volatile HeadroomConfig.Size warnAt;
    private volatile HeadroomConfig.Size criticalAt;
    private volatile GovernorState state = GovernorState.initial();

    public Governor(HeadroomConfig config, EventSink events, Diagnostics diagnostics, Reclaimer reclaimer,
                    LevelObserver observer) {
        this.events = events;
        this.diagnostics = diagnostics;
        this.reclaimer = reclaimer;
        this.observer = observer;
        this.reclaimOn = !config.softLimit().isOff() || config.idleReclaim();
        this.warnAt = config.warnAt();
        this.criticalAt = config.criticalAt();
    }

    public GovernorState state() {
        return state;
    }

    /** Changes the thresholds at run time (the writable MXBean); checked like the builder does. */
    public void setThresholds(HeadroomConfig.Size warn, HeadroomConfig.Size critical) {
        HeadroomConfig.builder().warnAt(warn).criticalAt(critical).build();
        this.warnAt = warn;
        this.criticalAt = critical;
    }

    /** Acts on one sample; returns the budget carrying the governor state after acting. */
    public Budget onSample(Budget budget, long nowNanos) {
        warnMessage.record(budget);
        OptionalLong limit = budget.limitBytes();
        PressureLevel previous = levels.level();
        PressureLevel current = levels.update(budget.workingSetBytes(), warnAt.resolve(limit), criticalAt.resolve(limit), nowNanos);
        GovernorState s = state;
        s = new GovernorState(current, s.softLimitBytes(), s.overSoftLimit(), s.actions(), s.bytesReturned(),
                s.gcCpuCapHits(), s.heapDumps(), s.heapDumpsRefused());
        if (reclaimOn) {
            try {
                reclaimer.onSample(budget, nowNanos);
                GovernorState r = reclaimer.contribute(s);
                // The level and dump counters are the governor's own.
                s = new GovernorState(current, r.softLimitBytes(), r.overSoftLimit(), r.actions(), r.bytesReturned(),
                        r.gcCpuCapHits(), s.heapDumps(), s.heapDumpsRefused());
            } catch (RuntimeException e) {
                diagnostics.failure("reclaimer " + reclaimer.getClass().getName(), e);
            }
        }
        state = s;
        Budget out = EmptySnapshots.withGovernor(budget, s);
        if (current != previous) {
            levelChanged(previous, current, out);
        }
        return out;
    }

    private void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("level", current.name());
        fields.put("previous", previous.name());
        fields.put("workingSetBytes", budget.workingSetBytes());
        fields.put("limitBytes", budget.limitBytes());
        fields.put("headroomBytes", budget.headroomBytes());
        fields.put("growthBytesPerSecond", budget.growthBytesPerSecond());
        fields.put("secondsToLimit", budget.secondsToLimit());
        fields.put("warnAtBytes", warnAt.resolve(budget.limitBytes()));
        fields.put("criticalAtBytes", criticalAt.resolve(budget.limitBytes()));
        fields.put("largest", warnMessage.largest(budget, 3));
        events.emit("pressure", fields, warnMessage.describe(previous, current, budget));
        observer.levelChanged(previous, current, budget);
    }
}
