package dev.headroom.internal.governor;

import dev.headroom.PressureLevel;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The pressure level with hysteresis. Rising is immediate: the first sample at or above a threshold
 * raises the level (a leak does not wait). Falling needs the working set to stay below
 * {@value #CLEAR_FRACTION} of the threshold for at least {@value #CLEAR_SAMPLES} consecutive samples
 * spanning at least {@link #CLEAR_NANOS} — so a heap that oscillates around 85% across GC cycles
 * produces one WARN, not one per cycle. Not thread-safe: the sampler thread owns it.
 */
public final class PressureLevels {
    /** A level clears only below this share of its threshold (85% warn clears below 80.75%). */
    public static final double CLEAR_FRACTION = 0.95;
    public static final int CLEAR_SAMPLES = 3;
    public static final long CLEAR_NANOS = TimeUnit.SECONDS.toNanos(5);

    private PressureLevel level = PressureLevel.OK;
    private PressureLevel pending;
    private int pendingSamples;
    private long pendingSinceNanos;

    public PressureLevel level() {
        return level;
    }

    /**
     * @param workingSet the sample's working set
     * @param warn       resolved warn threshold; empty when off or unresolvable
     * @param critical   resolved critical threshold; empty when off or unresolvable
     * @return the level after this sample
     */
    public PressureLevel update(long workingSet, OptionalLong warn, OptionalLong critical, long nowNanos) {
        return update(Thresholds.ratio(workingSet, warn), Thresholds.ratio(workingSet, critical), nowNanos);
    }

    /**
     * @param warnRatio     how far toward the warn threshold (1 = reached; 0 when off)
     * @param criticalRatio how far toward the critical threshold
     * @return the level after this sample
     */
    public PressureLevel update(double warnRatio, double criticalRatio, long nowNanos) {
        PressureLevel raw = atOrAbove(warnRatio, criticalRatio, 1.0);
        if (raw.compareTo(level) > 0) {
            level = raw;
            pending = null;
            return level;
        }
        PressureLevel held = atOrAbove(warnRatio, criticalRatio, CLEAR_FRACTION);
        if (held.compareTo(level) >= 0) {
            pending = null;
            return level;
        }
        if (pending == null) {
            pending = held;
            pendingSamples = 1;
            pendingSinceNanos = nowNanos;
        } else {
            // Fall to the highest level seen while clearing, never below what the samples support.
            pending = held.compareTo(pending) > 0 ? held : pending;
            pendingSamples++;
        }
        if (pendingSamples >= CLEAR_SAMPLES && nowNanos - pendingSinceNanos >= CLEAR_NANOS) {
            level = pending;
            pending = null;
        }
        return level;
    }

    private static PressureLevel atOrAbove(double warnRatio, double criticalRatio, double fraction) {
        if (criticalRatio >= fraction) {
            return PressureLevel.CRITICAL;
        }
        if (warnRatio >= fraction) {
            return PressureLevel.WARN;
        }
        return PressureLevel.OK;
    }
}
