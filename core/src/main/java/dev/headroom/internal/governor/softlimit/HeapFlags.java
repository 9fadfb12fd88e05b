package dev.headroom.internal.governor.softlimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The manageable heap-sizing flags the governor moves, with the values the JVM started with so it
 * can always put them back. Changes keep {@code MinHeapFreeRatio <= MaxHeapFreeRatio} at every step
 * (the VM refuses a write that breaks it), so the order of the two writes depends on the direction.
 * Thread-safe: the sampler steers, the reclaim thread tightens temporarily.
 */
final class HeapFlags {
    static final String MIN_FREE = "MinHeapFreeRatio";
    static final String MAX_FREE = "MaxHeapFreeRatio";
    static final String SOFT_MAX = "SoftMaxHeapSize";
    static final String G1_PERIODIC = "G1PeriodicGCInterval";

    private final VmLevers levers;
    private final Map<String, String> originals = new LinkedHashMap<>();
    private int originalMin = -1;
    private int originalMax = -1;
    private long originalSoftMax = -1;
    private int min = -1;
    private int max = -1;
    private long softMax = -1;
    private long originalPeriodic = -1;
    private long periodic = -1;

    HeapFlags(VmLevers levers) {
        this.levers = levers;
    }

    /** Reads the starting values; flags that are missing or not manageable stay untouched. */
    synchronized void capture() {
        if (levers.writeable(MIN_FREE) && levers.writeable(MAX_FREE)) {
            Optional<String> mn = levers.flag(MIN_FREE);
            Optional<String> mx = levers.flag(MAX_FREE);
            if (mn.isPresent() && mx.isPresent()) {
                originalMin = min = Integer.parseInt(mn.get());
                originalMax = max = Integer.parseInt(mx.get());
                originals.put(MIN_FREE, mn.get());
                originals.put(MAX_FREE, mx.get());
            }
        }
        if (levers.writeable(G1_PERIODIC)) {
            Optional<String> p = levers.flag(G1_PERIODIC);
            if (p.isPresent()) {
                originalPeriodic = periodic = Long.parseLong(p.get());
                originals.put(G1_PERIODIC, p.get());
            }
        }
        if (levers.writeable(SOFT_MAX)) {
            Optional<String> sm = levers.flag(SOFT_MAX);
            if (sm.isPresent()) {
                originalSoftMax = softMax = Long.parseLong(sm.get());
                originals.put(SOFT_MAX, sm.get());
            }
        }
    }

    synchronized boolean ratiosWriteable() {
        return originalMax >= 0;
    }

    synchronized boolean softMaxWriteable() {
        return originalSoftMax >= 0;
    }

    synchronized boolean periodicWriteable() {
        return originalPeriodic >= 0;
    }

    synchronized long originalPeriodic() {
        return originalPeriodic;
    }

    synchronized long periodic() {
        return periodic;
    }

    /** @throws IllegalArgumentException when the VM refuses the value */
    synchronized void periodic(long millis) {
        if (!periodicWriteable() || millis == periodic) {
            return;
        }
        levers.setFlag(G1_PERIODIC, Long.toString(millis));
        periodic = millis;
    }

    synchronized int originalMaxFree() {
        return originalMax;
    }

    synchronized int originalMinFree() {
        return originalMin;
    }

    synchronized long originalSoftMax() {
        return originalSoftMax;
    }

    synchronized int minFree() {
        return min;
    }

    synchronized int maxFree() {
        return max;
    }

    synchronized long softMax() {
        return softMax;
    }

    /** True when any flag differs from its starting value. */
    synchronized boolean changed() {
        return min != originalMin || max != originalMax || softMax != originalSoftMax || periodic != originalPeriodic;
    }

    /**
     * Sets both ratios, in the order that keeps min at or below max throughout.
     *
     * @throws IllegalArgumentException when the VM refuses a value
     */
    synchronized void ratios(int newMin, int newMax) {
        if (!ratiosWriteable() || (newMin == min && newMax == max)) {
            return;
        }
        if (newMin > max) {
            levers.setFlag(MAX_FREE, Integer.toString(newMax));
            max = newMax;
            levers.setFlag(MIN_FREE, Integer.toString(newMin));
            min = newMin;
        } else {
            levers.setFlag(MIN_FREE, Integer.toString(newMin));
            min = newMin;
            levers.setFlag(MAX_FREE, Integer.toString(newMax));
            max = newMax;
        }
    }

    /** @throws IllegalArgumentException when the VM refuses the value */
    synchronized void softMax(long bytes) {
        if (!softMaxWriteable() || bytes == softMax) {
            return;
        }
        levers.setFlag(SOFT_MAX, Long.toString(bytes));
        softMax = bytes;
    }

    /** Puts every flag back to its starting value; returns what was changed back (name to value). */
    synchronized Map<String, Object> restore() {
        Map<String, Object> restored = new LinkedHashMap<>();
        if (ratiosWriteable() && (min != originalMin || max != originalMax)) {
            ratios(originalMin, originalMax);
            restored.put(MIN_FREE, originalMin);
            restored.put(MAX_FREE, originalMax);
        }
        if (softMaxWriteable() && softMax != originalSoftMax) {
            softMax(originalSoftMax);
            restored.put(SOFT_MAX, originalSoftMax);
        }
        if (periodicWriteable() && periodic != originalPeriodic) {
            periodic(originalPeriodic);
            restored.put(G1_PERIODIC, originalPeriodic);
        }
        return restored;
    }
}
